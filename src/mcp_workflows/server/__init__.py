"""The MCP layer: tools, guardrails and the server factory. Knows api/, never raw HTTP."""

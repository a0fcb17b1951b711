"""mcp-workflows: Mistral AI Workflows as MCP tools."""

__version__ = "0.1.0"

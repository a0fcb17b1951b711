"""Tool functions, one module per toolset (named after it), each declared with `@tool(...)`.

Modules are imported on a tool's first call, not at start-up (see server/catalog.py).
"""

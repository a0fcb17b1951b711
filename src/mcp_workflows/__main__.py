"""`python -m mcp_workflows` is the same as the `mcp-workflows` command."""

from mcp_workflows.cli import main

main()

"""Slow tier: what ships, built and installed as a user would, in folders of its own."""

from __future__ import annotations

from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.e2e.session import text_of


async def first_listing(params: StdioServerParameters, errlog: Path) -> dict[str, object]:
    """Start the server with params, list tools, call list_workflows; return its structured result."""
    with errlog.open("w+") as log:
        async with Client(stdio_client(params, errlog=log), mode="legacy") as client:
            tools = await client.list_tools()
            assert any(tool.name == "execute_workflow" for tool in tools.tools)
            result = await client.call_tool("list_workflows", {})
            assert not result.is_error, text_of(result)
            assert result.structured_content is not None
            return result.structured_content

"""The `mcp` SDK seams this server stands on, checked so an SDK upgrade that moves one fails here.

The server overrides only public `MCPServer` methods (`list_tools`, `call_tool`), builds tools with
the public `mcp.server.mcpserver.tools.Tool`, validates with `Tool.fn_metadata.validate_arguments`
and runs with `Tool.run(..., convert_result=False)`; guarded tools add a parameter resolved by a
per-tool resolver whose signature names the tool's arguments (`Resolve`).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool

from mcp_workflows.config import Settings
from mcp_workflows.sandboxed import build_sandboxed_server
from mcp_workflows.server.app import WorkflowsServer, advertised, build_sdk_tool
from mcp_workflows.server.catalog import declared_tools
from mcp_workflows.server.tool_index import as_served, indexed_tools, wire_form

pytestmark = pytest.mark.anyio


def test_the_overridden_methods_are_public_and_keep_their_signatures() -> None:
    for name in ("list_tools", "call_tool"):
        assert not name.startswith("_")
        ours = inspect.signature(getattr(WorkflowsServer, name))
        theirs = inspect.signature(getattr(MCPServer, name))
        assert list(ours.parameters) == list(theirs.parameters), f"MCPServer.{name} changed its parameters"


def test_the_tool_api_we_use_exists() -> None:
    assert {"from_function", "run"} <= set(dir(Tool))
    assert "convert_result" in inspect.signature(Tool.run).parameters
    declared = next(d for d in declared_tools() if d.spec.name == "archive_workflow")
    tool = build_sdk_tool(declared)
    assert tool.fn_metadata.validate_arguments({"workflow": "greeting"}) == {
        "workflow": "greeting",
        "confirmation_token": None,
    }
    assert set(tool.resolved_params) == {"answer"}, "the confirmation parameter is resolved, never asked for"
    assert "answer" not in tool.parameters["properties"]


async def test_tools_list_and_calls_go_through_our_overrides(tmp_path: Path) -> None:
    server = build_sandboxed_server(Settings(sandbox=True, state_dir=str(tmp_path)))
    async with Client(server, mode="legacy") as client:
        listed = await client.list_tools()
        assert [tool.name for tool in listed.tools] == [tool.name for tool in await server.list_tools()]
        unknown = await client.call_tool("nope", {})
        assert unknown.is_error
        assert unknown.content[0].type == "text"
        assert unknown.content[0].text.startswith("Error: there is no tool 'nope'"), "our call_tool answered"


def test_a_built_guarded_tool_advertises_what_the_index_serves() -> None:
    """The guarded wrapper hands the SDK the body's parameters, the token's declared type and the
    body's result type: the schemas of what runs are those tools/list promised."""
    guarded = [d for d in declared_tools() if d.confirm is not None]
    assert guarded, "no guarded tool declared"
    served = indexed_tools()
    for declared in guarded:
        built = as_served(advertised(build_sdk_tool(declared)))
        assert wire_form(built) == wire_form(served[declared.spec.name]), declared.spec.name

"""The capabilities the server advertises in each era are exactly what it serves."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError
from mcp_types import METHOD_NOT_FOUND, PromptReference

from mcp_workflows.config import Settings
from mcp_workflows.server.app import build_server
from tests.server.conftest import Mode, connected

pytestmark = pytest.mark.anyio

SERVED = {
    "tools": {"listChanged": True},
    "resources": {"subscribe": True, "listChanged": False},
    "prompts": {"listChanged": False},
    "completions": {},
    "logging": {},
}


def advertised(capabilities: Any) -> dict[str, Any]:
    wire: dict[str, Any] = capabilities.model_dump(by_alias=True, mode="json", exclude_none=True)
    return wire


async def test_each_era_advertises_what_is_served(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
        wire = advertised(client.server_capabilities)
        # MCP Tasks is an extension of 2026-07-28 (server/tasks/), absent from handshake-era results.
        assert wire.pop("extensions", None) == (None if mode == "legacy" else {"io.modelcontextprotocol/tasks": {}})
        assert wire == SERVED
        # Each one answers: templates and prompts list, completion completes.
        assert (await client.list_resource_templates()).resource_templates
        assert (await client.list_prompts()).prompts
        completion = await client.complete(PromptReference(name="run_workflow"), {"name": "workflow", "value": "gree"})
        assert completion.completion.values == ["greeting"]


async def test_set_level_is_served_in_the_handshake_era_only(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            if mode == "legacy":
                await client.set_logging_level("info")
            else:
                with pytest.raises(MCPError) as refused:
                    await client.set_logging_level("info")
                assert refused.value.error.code == METHOD_NOT_FOUND


@pytest.mark.parametrize(
    ("overrides", "subscribe"),
    [
        # Stateless HTTP has no channel for handshake-era updates; listen streams still carry them.
        ({"stateless_http": True}, {"legacy": False, "auto": True}),
        ({"max_resource_watches": 0}, {"legacy": False, "auto": False}),
    ],
)
async def test_subscribe_is_advertised_only_where_updates_can_be_sent(
    settings: Settings, mode: Mode, overrides: dict[str, Any], subscribe: dict[str, bool]
) -> None:
    async with connected(settings.model_copy(update=overrides), mode) as client:
        resources = advertised(client.server_capabilities)["resources"]
        assert resources == {"subscribe": subscribe[mode], "listChanged": False}


async def test_extensions_the_sdk_advertises_are_kept(settings: Settings) -> None:
    """Only the capabilities this server owns are replaced: extensions (MCP Tasks...) stay. They
    exist on 2026-07-28 only (the SDK drops them from 2025-11-25 initialize results)."""
    server = build_server(settings)
    server._lowlevel_server.extensions["com.example/probe"] = {"version": 1}
    async with Client(server, mode="auto") as client:
        wire = advertised(client.server_capabilities)
        assert wire.pop("extensions") == {"io.modelcontextprotocol/tasks": {}, "com.example/probe": {"version": 1}}
        assert wire == SERVED

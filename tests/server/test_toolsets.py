"""Toolsets turned on from inside a session, announced with tools/list_changed in both protocol eras."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp_types import ToolListChangedNotification

from mcp_workflows.config import Settings
from mcp_workflows.server.app import build_server

pytestmark = pytest.mark.anyio


def names(listed: Any) -> set[str]:
    return {tool.name for tool in listed.tools}


async def test_enabling_a_toolset_adds_its_tools_and_notifies_a_handshake_client(tmp_path: Path) -> None:
    notified = anyio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, ToolListChangedNotification):
            notified.set()

    server = build_server(Settings(sandbox=True, state_dir=str(tmp_path)))
    async with Client(server, mode="legacy", message_handler=on_message) as client:
        before = names(await client.list_tools())
        assert "enable_toolsets" in before
        assert "list_schedules" not in before
        result = await client.call_tool("enable_toolsets", {"toolsets": ["schedules"]})
        assert not result.is_error, result.content
        announced = {tool["name"] for tool in result.structured_content["tools"]}
        assert "list_schedules" in announced
        with anyio.fail_after(5):
            await notified.wait()
        after = names(await client.list_tools())
        assert after - before == announced
        listed = await client.call_tool("list_schedules", {})
    assert not listed.is_error, listed.content


async def test_enabling_a_toolset_notifies_a_listening_2026_client(tmp_path: Path) -> None:
    server = build_server(Settings(sandbox=True, state_dir=str(tmp_path)))
    async with Client(server) as client, client.listen(tools_list_changed=True) as events:
        result = await client.call_tool("enable_toolsets", {"toolsets": ["observability"]})
        assert not result.is_error, result.content
        with anyio.fail_after(5):
            event = await events.__anext__()
        assert "tools" in str(event).lower()
        assert "get_execution_logs" in names(await client.list_tools())


async def test_read_only_and_exclusions_hold_for_enabled_toolsets(tmp_path: Path) -> None:
    settings = Settings(sandbox=True, state_dir=str(tmp_path), read_only=True, exclude_tools="get_schedule")
    async with Client(build_server(settings), mode="legacy") as client:
        result = await client.call_tool("enable_toolsets", {"toolsets": ["schedules"]})
        listed = names(await client.list_tools())
    added = {tool["name"] for tool in result.structured_content["tools"]}
    assert added == {"list_schedules"}, "only read tools, and not the excluded one"
    assert "delete_schedule" not in listed


async def test_with_every_toolset_on_there_is_nothing_to_enable(tmp_path: Path) -> None:
    server = build_server(Settings(sandbox=True, state_dir=str(tmp_path), toolsets="all"))
    assert "enable_toolsets" not in {tool.name for tool in await server.list_tools()}


async def test_stateless_replicas_keep_the_operators_selection(tmp_path: Path) -> None:
    """A toolset turned on in one replica would be missing on the next request's replica."""
    server = build_server(Settings(sandbox=True, state_dir=str(tmp_path), stateless_http=True))
    listed = {tool.name: tool for tool in await server.list_tools()}
    assert "enable_toolsets" not in listed
    assert "list_schedules" not in listed
    described = " ".join(tool.description or "" for tool in listed.values())
    assert "enable_toolsets" not in described, "no text points to a tool this server lacks"

"""No dangling references: every tool a text names is active, or the text says how to get it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mcp_workflows.config import Settings
from mcp_workflows.server.app import build_server
from mcp_workflows.server.catalog import TOOLSETS
from mcp_workflows.server.tool_index import indexed_specs

pytestmark = pytest.mark.anyio

NAMES = sorted(indexed_specs(), key=len, reverse=True)
MENTION = re.compile(r"\b(" + "|".join(NAMES) + r")\b( \((enable_toolsets|not available)[^)]*\))?")
SELECTIONS: list[dict[str, Any]] = [
    {},
    {"toolsets": "all"},
    {"read_only": True},
    {"read_only": True, "toolsets": "all"},
    {"exclude_tools": "list_executions,get_execution"},
    {"exclude_tools": "enable_toolsets"},
    {"stateless_http": True},
    *({"toolsets": toolset} for toolset in TOOLSETS if toolset != "core"),
]


def dangling(text: str, active: set[str]) -> list[str]:
    """Tools `text` names that are neither active nor explained where first named."""
    seen: set[str] = set()
    missing = []
    for match in MENTION.finditer(text):
        name, explained, how = match.group(1), match.group(2), match.group(3)
        reachable = how != "enable_toolsets" or "enable_toolsets" in active
        if name not in active and name not in seen and not (explained and reachable):
            missing.append(name)
        seen.add(name)
    return missing


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: json.dumps(s) if s else "default")
async def test_descriptions_name_only_tools_the_session_can_reach(selection: dict[str, Any]) -> None:
    tools = await build_server(Settings(sandbox=True, **selection)).list_tools()
    active = {tool.name for tool in tools}
    for tool in tools:
        texts = [tool.description or ""] + [
            field.get("description", "") for field in tool.input_schema.get("properties", {}).values()
        ]
        for text in texts:
            assert dangling(text, active) == [], (tool.name, text)


async def test_a_hint_names_how_to_reach_a_tool_of_another_toolset(tmp_path: Path) -> None:
    server = build_server(Settings(sandbox=True, sandbox_time_scale=0.05, state_dir=str(tmp_path)))
    async with Client(server) as client:
        failed = await client.call_tool(
            "execute_workflow", {"workflow": "always-fails", "input": {}, "wait_seconds": 20}
        )
        listed = {tool.name for tool in (await client.list_tools()).tools}
    outcome = failed.structured_content or {}
    assert outcome["status"] == "FAILED", outcome
    assert "list_events (enable_toolsets(['events']) turns it on)" in outcome["next_step"]
    assert dangling(outcome["next_step"], listed) == []
    assert outcome["next_step"] in failed.content[-1].text, "the text copy says the same"


async def test_an_error_names_how_to_reach_a_tool(tmp_path: Path) -> None:
    server = build_server(Settings(sandbox=True, state_dir=str(tmp_path), toolsets="workflows"))
    async with Client(server) as client:
        missing = await client.call_tool("get_workflow", {"workflow": "no-such-flow"})
    assert missing.is_error
    assert "list_workflows" in missing.content[0].text
    async with Client(build_server(Settings(sandbox=True, state_dir=str(tmp_path), toolsets="runs"))) as client:
        unknown = await client.call_tool("get_run", {"run_id": "exec-1"})
    assert unknown.is_error
    assert "get_execution (enable_toolsets(['executions']) turns it on)" in unknown.content[0].text

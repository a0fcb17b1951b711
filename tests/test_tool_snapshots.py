"""What models see, pinned: every tool's spec, name, title, description, annotations and schemas.

`src/mcp_workflows/server/tool_index.json` is both the reviewed snapshot and what the server
answers tools/list with. These tests build every tool from its `@tool` declaration and fail on any
difference, so a change to what models see is always reviewed. After a deliberate change run
    .venv/bin/python scripts/regenerate.py
and review the diff. Nothing here writes files: a test that rewrote its own expectation could not fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_workflows.config import Settings
from mcp_workflows.reporting.artifacts import live_catalog, regenerated_readme, tool_index_text
from mcp_workflows.sandboxed import build_sandboxed_server
from mcp_workflows.server.tool_index import INDEX_PATH, indexed_specs, wire_form

pytestmark = pytest.mark.anyio

README = Path(__file__).parents[1] / "README.md"
CATALOG = live_catalog()
STALE = "stale: run `.venv/bin/python scripts/regenerate.py` and review the diff"


def test_the_index_matches_the_declarations() -> None:
    committed = json.loads(INDEX_PATH.read_text())
    live = json.loads(tool_index_text(CATALOG))
    assert [tool["name"] for tool in live["tools"]] == [tool["name"] for tool in committed["tools"]], (
        f"tools were added, removed or reordered; {STALE}"
    )
    for name in live["specs"]:
        assert live["specs"][name] == committed["specs"][name], f"{name}'s spec changed; {STALE}"
    for live_tool, committed_tool in zip(live["tools"], committed["tools"], strict=True):
        assert live_tool == committed_tool, f"{live_tool['name']} changed; {STALE}"


def test_the_readme_sections_are_derived_from_the_code() -> None:
    readme = README.read_text()
    assert "<!-- generated:tools-table -->" in readme
    assert "<!-- generated:tools-summary -->" in readme
    assert regenerated_readme(readme, CATALOG) == readme, f"README.md {STALE}"


def indexed_wire_forms(*, with_core: bool) -> list[dict[str, object]]:
    specs = indexed_specs()
    tools = json.loads(INDEX_PATH.read_text())["tools"]
    return [tool for tool in tools if with_core or specs[tool["name"]].toolset != "core"]


async def test_advertised_tools_come_from_the_index_in_catalog_order() -> None:
    server = build_sandboxed_server(Settings(sandbox=True, toolsets="all"))
    advertised = [wire_form(tool) for tool in await server.list_tools()]
    assert advertised == indexed_wire_forms(with_core=False), "every toolset on: nothing left to enable"
    default = [wire_form(tool) for tool in await build_sandboxed_server(Settings(sandbox=True)).list_tools()]
    assert default[0]["name"] == "enable_toolsets"
    assert list(indexed_specs()) == [tool["name"] for tool in indexed_wire_forms(with_core=True)]


async def test_a_built_tool_advertises_what_the_index_says() -> None:
    """The lazily built tool (what runs) has the schema tools/list promised."""
    server = build_sandboxed_server(Settings(sandbox=True, toolsets="all"))
    live = {tool.name: wire_form(tool) for tool in await server.live_tools()}
    assert live == {tool["name"]: tool for tool in indexed_wire_forms(with_core=False)}

"""What models see, pinned: every tool's name, title, description, annotations and schemas.

`src/mcp_workflows/server/tool_index.json` is both the reviewed snapshot and what the server
answers tools/list with. This test builds every tool from its code and fails on any difference,
so a change to what models see is always reviewed. Regenerate after a deliberate change with
    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_tool_snapshots.py
which rewrites the index and fails (nothing was checked); review the diff, then run it again.
"""

from __future__ import annotations

import json
import os

import pytest

from mcp_workflows.config import Settings
from mcp_workflows.server.app import build_server
from mcp_workflows.server.tool_index import INDEX_PATH, render_index, wire_form

pytestmark = pytest.mark.anyio


async def test_tool_index_matches_the_code() -> None:
    live = await build_server(Settings(sandbox=True, toolsets="all")).live_tools()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        INDEX_PATH.write_text(render_index(live))
        pytest.fail(f"rewrote {INDEX_PATH} instead of checking it: review the diff, then run without UPDATE_SNAPSHOTS")
    assert INDEX_PATH.exists(), "no index yet: run with UPDATE_SNAPSHOTS=1 and review it"
    indexed = {entry["name"]: entry for entry in json.loads(INDEX_PATH.read_text())}
    assert [tool.name for tool in live] == list(indexed), "tools were added, removed or reordered"
    for tool in live:
        assert json.loads(json.dumps(wire_form(tool))) == indexed[tool.name], (
            f"{tool.name} changed: regenerate the index and review the diff"
        )


async def test_advertised_tools_come_from_the_index_in_catalog_order() -> None:
    server = build_server(Settings(sandbox=True, toolsets="all"))
    advertised = [wire_form(tool) for tool in await server.list_tools()]
    assert advertised == json.loads(INDEX_PATH.read_text())

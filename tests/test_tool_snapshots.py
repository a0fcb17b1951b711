"""What models see, pinned: every tool's name, description, annotations and schemas.

A change to any of them fails this test until the snapshot is regenerated and reviewed:
    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_tool_snapshots.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mcp_workflows.config import Settings
from mcp_workflows.server.report import catalog_entries

pytestmark = pytest.mark.anyio

SNAPSHOT = Path(__file__).parent / "snapshots" / "tools.json"


async def test_tool_surface_matches_snapshot() -> None:
    entries = await catalog_entries(Settings(sandbox=True, toolsets="all"))
    current = json.dumps(entries, indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current)
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1 and review tests/snapshots/tools.json"
    expected = json.loads(SNAPSHOT.read_text())
    by_name = {e["name"]: e for e in expected}
    assert [e["name"] for e in entries] == [e["name"] for e in expected], "tools were added, removed or reordered"
    for entry in entries:
        assert entry == by_name[entry["name"]], f"{entry['name']} changed: regenerate and review the snapshot"

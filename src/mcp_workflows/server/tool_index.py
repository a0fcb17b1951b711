"""The advertised tool list, precomputed: start-up without building a pydantic model per tool.

Building a tool's argument and result models and their JSON schemas costs about 5 ms per tool,
and tools/list needs every schema before the first reply. The server therefore answers
tools/list from `tool_index.json` (the exact wire form of every tool) and builds a tool's models
only when it is first called. `tests/test_tool_snapshots.py` rebuilds every tool live and fails
when the index differs, so the index can never drift from the code:
    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_tool_snapshots.py
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mcp_types import Tool

INDEX_PATH = Path(__file__).with_name("tool_index.json")


@cache
def indexed_tools() -> dict[str, Tool]:
    """Every tool of the catalog by name, as clients receive it."""
    if not INDEX_PATH.exists():
        return {}
    entries: list[dict[str, Any]] = json.loads(INDEX_PATH.read_text())
    return {entry["name"]: Tool.model_validate(entry) for entry in entries}


def wire_form(tool: Tool) -> dict[str, Any]:
    """The JSON a client receives for this tool (what costs tokens in the model's context)."""
    return tool.model_dump(by_alias=True, exclude_none=True, mode="json")


def render_index(tools: list[Tool]) -> str:
    return json.dumps([wire_form(tool) for tool in tools], indent=2, sort_keys=True) + "\n"

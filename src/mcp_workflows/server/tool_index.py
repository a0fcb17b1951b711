"""The advertised tool list and the catalog, precomputed: start-up without importing tool modules.

Building a tool's argument and result models and their JSON schemas costs about 5 ms per tool,
and tools/list needs every schema before the first reply. The server therefore reads
`tool_index.json`, generated from the `@tool` declarations: each tool's spec (toolset, risk,
operations, targets) and its exact wire form. A tool's module is imported on its first call.
`tests/test_tool_snapshots.py` rebuilds every tool live and fails when the index differs, so the
index can never drift from the code. Regenerate it (and the README's tool table) with
    .venv/bin/python scripts/regenerate.py
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mcp_types import Tool

from mcp_workflows.server.catalog import ToolSpec

INDEX_PATH = Path(__file__).with_name("tool_index.json")


@cache
def _load() -> dict[str, Any]:
    if not INDEX_PATH.exists():
        return {"specs": {}, "tools": []}
    index: dict[str, Any] = json.loads(INDEX_PATH.read_text())
    return index


@cache
def indexed_specs() -> dict[str, ToolSpec]:
    """Every declared tool's spec by name, in tools/list order."""
    specs = _load()["specs"]
    return {entry["name"]: ToolSpec.from_json(entry["name"], specs[entry["name"]]) for entry in _load()["tools"]}


@cache
def indexed_tools() -> dict[str, Tool]:
    """Every tool by name, as clients receive it."""
    return {entry["name"]: Tool.model_validate(entry) for entry in _load()["tools"]}


def wire_form(tool: Tool) -> dict[str, Any]:
    """The JSON a client receives for this tool (what costs tokens in the model's context)."""
    return tool.model_dump(by_alias=True, exclude_none=True, mode="json")


def as_served(tool: Tool) -> Tool:
    """The tool as the index gives it to clients: its schemas' keys in sorted order, which the
    token count sees (the same schema in declaration order can cost a token more or less)."""
    return Tool.model_validate(json.loads(json.dumps(wire_form(tool), sort_keys=True)))


def render_index(specs: list[ToolSpec], tools: list[Tool]) -> str:
    """The index file for these specs and their advertised tools (same order)."""
    index = {"specs": {spec.name: spec.to_json() for spec in specs}, "tools": [wire_form(tool) for tool in tools]}
    return json.dumps(index, indent=2, sort_keys=True) + "\n"

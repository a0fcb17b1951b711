"""The tool catalog as data for people and machines (`mcp-workflows tools`)."""

from __future__ import annotations

from typing import Any

from mcp_workflows.config import Settings
from mcp_workflows.server.catalog import BY_NAME


async def catalog_entries(settings: Settings) -> list[dict[str, Any]]:
    """Every active tool as advertised by tools/list, joined with its catalog row."""
    from mcp_workflows.server.app import build_server

    server = build_server(settings)
    entries = []
    for tool in await server.list_tools():
        spec = BY_NAME[tool.name]
        entries.append(
            {
                "name": tool.name,
                "toolset": spec.toolset,
                "risk": spec.risk.value,
                "operation_ids": list(spec.operation_ids),
                "title": tool.title,
                "description": tool.description,
                "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True)
                if tool.annotations
                else {},
                "input_schema": tool.input_schema,
                "output_schema": tool.output_schema,
            }
        )
    return entries


def render_table(entries: list[dict[str, Any]]) -> str:
    rows = [("tool", "toolset", "risk", "operations")]
    rows += [(e["name"], e["toolset"], e["risk"], str(len(e["operation_ids"]))) for e in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    return "\n".join([*lines, f"{len(entries)} tools"])

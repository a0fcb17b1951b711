"""The tool catalog as data for people and machines (`mcp-workflows tools`)."""

from __future__ import annotations

from typing import Any

from mcp_types import Tool

from mcp_workflows.config import Settings
from mcp_workflows.server.tool_index import indexed_specs, indexed_tools, wire_form


async def advertised_tools(settings: Settings) -> list[Tool]:
    """tools/list exactly as a client would receive it for these settings."""
    from mcp_workflows.server.app import build_server

    return await build_server(settings).list_tools()


async def catalog_entries(settings: Settings) -> list[dict[str, Any]]:
    """Every active tool as advertised by tools/list, joined with its catalog row."""
    entries = []
    for tool in await advertised_tools(settings):
        spec = indexed_specs()[tool.name]
        entries.append(
            {
                "name": tool.name,
                "toolset": spec.toolset,
                "risk": spec.risk.value,
                "operation_ids": list(spec.operations),
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


async def render_table(settings: Settings) -> str:
    """A table of the active tools with risk class and token cost, and the tools/list total."""
    from mcp_workflows.reporting.tokens import count_tokens, exact_counts_available

    tools = await advertised_tools(settings)
    rows = [("tool", "toolset", "risk", "tokens")]
    for tool in tools:
        spec = indexed_specs()[tool.name]
        rows.append((tool.name, spec.toolset, spec.risk.value, str(count_tokens(wire_form(tool)))))
    total = count_tokens({"tools": [wire_form(tool) for tool in tools]})
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    how = "Mistral Tekken tokenizer" if exact_counts_available() else "estimate: install mistral-common for exact"
    lines.append(f"{len(tools)} tools, tools/list = {total} tokens ({how})")
    return "\n".join(lines)


def render_markdown() -> str:
    """The README's tool table, from the catalog and the tool index (kept in sync by a test)."""
    from mcp_workflows.server.guard.selection import DEFAULT_TOOLSETS

    index = indexed_tools()
    lines = ["| tool | toolset | risk | what it does |", "|---|---|---|---|"]
    for spec in indexed_specs().values():
        default = " (default)" if spec.toolset in DEFAULT_TOOLSETS else ""
        description = (index[spec.name].description or "").replace("|", "/")
        lines.append(f"| `{spec.name}` | {spec.toolset}{default} | {spec.risk.value} | {description} |")
    return "\n".join(lines)

"""The tool catalog as data for people and machines (`mcp-workflows tools`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp_types import Tool

from mcp_workflows.config import Settings
from mcp_workflows.server.catalog import ToolSpec
from mcp_workflows.server.tool_index import indexed_specs, indexed_tools, wire_form
from mcp_workflows.server.workflow_tools import WorkflowToolSet


@dataclass(frozen=True)
class ServedTools:
    """tools/list for some settings, the spec of each tool, and the workflow tools' reading."""

    tools: list[Tool]
    specs: dict[str, ToolSpec]
    workflow_tools: WorkflowToolSet | None  # None when none are asked for


async def served_tools(settings: Settings) -> ServedTools:
    """tools/list exactly as a client would receive it for these settings. With workflow tools, a
    client session is opened in process: the server reads the workflows from its API (or sandbox)."""
    from mcp_workflows.server.app import build_server

    server = build_server(settings)
    if not server.tools.workflow_tools.enabled:
        return ServedTools(await server.list_tools(), server.tools.specs(), None)
    from mcp import Client

    async with Client(server, mode="legacy") as client:
        tools = (await client.list_tools()).tools
    return ServedTools(tools, server.tools.specs(), server.tools.workflow_tools.current)


async def advertised_tools(settings: Settings) -> list[Tool]:
    """tools/list exactly as a client would receive it for these settings."""
    return (await served_tools(settings)).tools


def _toolset(served: ServedTools, name: str) -> str:
    workflow_tools = served.workflow_tools.tools if served.workflow_tools else {}
    return f"workflow:{workflow_tools[name].workflow}" if name in workflow_tools else served.specs[name].toolset


async def catalog_entries(settings: Settings) -> list[dict[str, Any]]:
    """Every active tool as advertised by tools/list, joined with its catalog row."""
    served = await served_tools(settings)
    entries = []
    for tool in served.tools:
        spec = served.specs[tool.name]
        entries.append(
            {
                "name": tool.name,
                "toolset": _toolset(served, tool.name),
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
    """A table of the active tools with risk class and token cost, the tools/list total, and what
    the workflow tools add to it (and which workflows were left out, and why)."""
    from mcp_workflows.reporting.tokens import count_tokens, exact_counts_available

    served = await served_tools(settings)
    rows = [("tool", "toolset", "risk", "tokens")]
    for tool in served.tools:
        spec = served.specs[tool.name]
        rows.append((tool.name, _toolset(served, tool.name), spec.risk.value, str(count_tokens(wire_form(tool)))))
    total = count_tokens({"tools": [wire_form(tool) for tool in served.tools]})
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    how = "Mistral Tekken tokenizer" if exact_counts_available() else "estimate: install mistral-common for exact"
    lines.append(f"{len(served.tools)} tools, tools/list = {total} tokens ({how})")
    if settings.workflow_tools and settings.read_only:
        lines.append("workflow tools: none in read-only mode (they start executions)")
    if served.workflow_tools is not None:
        lines.extend(_workflow_tools_report(served, total, count_tokens))
    return "\n".join(lines)


def _workflow_tools_report(served: ServedTools, total: int, count: Callable[[Any], int]) -> list[str]:
    """What the workflow tools cost against tools/list without them, and what was left out, and why."""
    assert served.workflow_tools is not None
    offered, left_out = served.workflow_tools.tools, served.workflow_tools.left_out
    baseline = count({"tools": [wire_form(tool) for tool in served.tools if tool.name not in offered]})
    lines = [
        f"workflow tools: {len(offered)} offered, +{total - baseline} tokens: tools/list is "
        f"{total / baseline:.2f}x the {baseline} tokens without them; {len(left_out)} left out"
    ]
    lines.extend(f"  left out: {entry.workflow} ({entry.name or 'no name'}): {entry.reason}" for entry in left_out)
    return lines


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

"""Committed artifacts derived from the code: the tool index and the README's generated sections.

`scripts/regenerate.py` writes them; tests fail when a committed copy differs from what the code
derives now, so they never drift. Everything here is computed from the `@tool` declarations, not
from the committed index.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mcp_types import Tool

from mcp_workflows.server.catalog import ToolSpec

_SECTION = re.compile(r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(\n<!-- /generated -->)", re.DOTALL)


def live_catalog() -> list[tuple[ToolSpec, Tool]]:
    """Every declared tool with its advertised form, built from its code now, in catalog order."""
    from mcp_workflows.server.app import advertised, build_sdk_tool
    from mcp_workflows.server.catalog import declared_tools

    return [(declared.spec, advertised(build_sdk_tool(declared))) for declared in declared_tools()]


def tool_index_text(catalog: list[tuple[ToolSpec, Tool]]) -> str:
    from mcp_workflows.server.tool_index import render_index

    return render_index([spec for spec, _ in catalog], [tool for _, tool in catalog])


def tools_table(catalog: list[tuple[ToolSpec, Tool]]) -> str:
    """The README's tool table."""
    from mcp_workflows.server.guard.selection import DEFAULT_TOOLSETS

    lines = ["| tool | toolset | risk | what it does |", "|---|---|---|---|"]
    for spec, tool in catalog:
        default = (
            " (default)"
            if spec.toolset in DEFAULT_TOOLSETS
            else " (on while others are off)"
            if spec.toolset == "core"
            else ""
        )
        description = (tool.description or "").replace("|", "/")
        lines.append(f"| `{spec.name}` | {spec.toolset}{default} | {spec.risk.value} | {description} |")
    return "\n".join(lines)


def tools_summary(catalog: list[tuple[ToolSpec, Tool]]) -> str:
    """The README's coverage and context-cost figures (Tekken tokens of tools/list)."""
    from mcp_workflows.api.operations import upstream_operations
    from mcp_workflows.reporting.tokens import count_tokens
    from mcp_workflows.server.guard.selection import ALWAYS_ON, DEFAULT_TOOLSETS, OPTIONAL_TOOLSETS
    from mcp_workflows.server.tool_index import as_served, wire_form

    def cost(selected: list[Tool]) -> int:
        return count_tokens({"tools": [wire_form(as_served(tool)) for tool in selected]})

    from mcp_workflows.server.references import References

    specs = {spec.name: spec for spec, _ in catalog}
    on = {spec.name: spec for spec, _ in catalog if spec.toolset in (*DEFAULT_TOOLSETS, ALWAYS_ON)}
    refs = References(specs, on, {name for name in specs if name not in on and specs[name].toolset != ALWAYS_ON})
    default = [refs.tool(tool) for spec, tool in catalog if spec.name in on]  # as a default session lists them
    every = {spec.name: spec for spec, _ in catalog if spec.toolset != ALWAYS_ON}
    everything = [References(specs, every, set()).tool(tool) for spec, tool in catalog if spec.name in every]
    covered = {operation for spec, _ in catalog for operation in spec.operations}
    return (
        f"All {len(upstream_operations())} operations of the Workflows API are reachable ({len(covered)} covered) "
        f"through {len(everything)} tools in {len(OPTIONAL_TOOLSETS)} toolsets. The default toolsets "
        f"(`{'`, `'.join(DEFAULT_TOOLSETS)}`, plus `{ALWAYS_ON}`'s enable_toolsets: {len(default)} tools) cost "
        f"{cost(default):,} tokens of tools/list; all toolsets cost {cost(everything):,} (Mistral's Tekken "
        "tokenizer, measured by `mcp-workflows tools [--toolsets all]`)."
    )


GENERATORS: dict[str, Callable[[list[tuple[ToolSpec, Tool]]], str]] = {
    "tools-summary": tools_summary,
    "tools-table": tools_table,
}


def regenerated_readme(readme: str, catalog: list[tuple[ToolSpec, Tool]]) -> str:
    """`readme` with every `<!-- generated:NAME -->` section rewritten from the code."""

    def replace(match: re.Match[str]) -> str:
        generate = GENERATORS[match.group("name")]
        return f"{match.group(1)}{generate(catalog)}{match.group(4)}"

    return _SECTION.sub(replace, readme)

"""Which catalog tools this process exposes: toolsets, extra tools, excluded tools, read-only mode.

Unknown names are a start-up error that lists the valid ones, so a typo in a client config is
caught at once instead of silently hiding tools. The `core` toolset (enable_toolsets) is on
whenever some toolset is still off, so an agent can turn on what a task needs from inside the
session; toolsets turned on that way pass the same exclusions and read-only rule. Stateless HTTP
replicas share no state, so a toolset one of them turned on would be missing on the next: there
the operator's selection is the whole story, and `core` stays off.
"""

from __future__ import annotations

from mcp_workflows.config import Settings
from mcp_workflows.server.catalog import TOOLSETS, Risk, ToolSpec
from mcp_workflows.server.tool_index import indexed_specs
from mcp_workflows.server.workflow_tools import PREFIX as WORKFLOW_TOOL_PREFIX

# What most chat users need: find, run, follow and steer workflows.
DEFAULT_TOOLSETS: tuple[str, ...] = ("workflows", "executions")
ALWAYS_ON = "core"  # enable_toolsets: turns the others on from inside a session
OPTIONAL_TOOLSETS: tuple[str, ...] = tuple(t for t in TOOLSETS if t != ALWAYS_ON)


class SelectionError(ValueError):
    """A toolset or tool name in the configuration does not exist."""


def _names(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _check(kind: str, given: list[str], valid: list[str]) -> None:
    unknown = [name for name in given if name not in valid]
    if unknown:
        raise SelectionError(f"unknown {kind} {', '.join(map(repr, unknown))}; valid {kind}s: {', '.join(valid)}")


def selected_toolsets(settings: Settings) -> set[str]:
    chosen: set[str] = set()
    requested = _names(settings.toolsets)
    _check("toolset", [n for n in requested if n not in ("all", "default")], list(OPTIONAL_TOOLSETS))
    for name in requested:
        if name == "all":
            chosen.update(OPTIONAL_TOOLSETS)
        elif name == "default":
            chosen.update(DEFAULT_TOOLSETS)
        else:
            chosen.add(name)
    return chosen


def select_tools(settings: Settings, also: set[str] | None = None) -> list[ToolSpec]:
    """The catalog rows to register, in catalog order (a stable tools/list helps prompt caching).

    `also` adds toolsets turned on during the session. Read-only mode wins over every other
    setting: write, destructive and execute tools are not registered at all, so no client can
    call them.
    """
    toolsets = selected_toolsets(settings) | (also or set())
    if not toolsets >= set(OPTIONAL_TOOLSETS) and not settings.stateless_http:
        toolsets.add(ALWAYS_ON)
    catalog = indexed_specs()
    all_names = list(catalog)
    extra, excluded = _names(settings.tools), _names(settings.exclude_tools)
    # A workflow tool's name is known only once the workflows are read (server/workflow_tools.py).
    workflow_tools = [name for name in excluded if settings.workflow_tools and name.startswith(WORKFLOW_TOOL_PREFIX)]
    _check("tool", extra + [name for name in excluded if name not in workflow_tools], all_names)
    return [
        spec
        for spec in catalog.values()
        if (spec.toolset in toolsets or spec.name in extra)
        and spec.name not in excluded
        and not (settings.read_only and spec.risk is not Risk.READ)
    ]

"""Every upstream operation this client can call, for coverage checks (tests and the tool catalog)."""

from __future__ import annotations

from mcp_workflows.api import deployments, events, executions, observability, runs, schedules, workflows
from mcp_workflows.api.operations import Operation


def all_operations() -> tuple[Operation, ...]:
    """The Operation constants defined by the area modules, in module order."""
    found: list[Operation] = []
    for module in (workflows, executions, runs, schedules, deployments, events, observability):
        found.extend(value for value in vars(module).values() if isinstance(value, Operation))
    return tuple(found)

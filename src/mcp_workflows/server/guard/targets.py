"""Which workflow a call is about, so allow/deny rules can apply to every kind of target.

A tool's catalog row names the argument that identifies its target and what kind of thing it
is; this module turns that into workflow names, asking the API when only an id is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mcp_workflows.api.errors import NotFound
from mcp_workflows.api.operations import is_uuid

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient


async def workflow_names(api: WorkflowsClient, kind: str, value: Any) -> list[str]:
    """Names of the workflows a target refers to. Unknown ids give none: the tool will report them."""
    values = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values:
        try:
            name = await _workflow_name(api, kind, str(item))
        except NotFound:
            continue
        if name:
            names.append(name)
    return names


async def _workflow_name(api: WorkflowsClient, kind: str, value: str) -> str | None:
    if kind == "workflow":
        return (await api.workflows.get(value)).name if is_uuid(value) else value
    if kind == "registration":
        registration = await api.workflows.get_registration(value, with_workflow=True)
        if registration.workflow is not None:
            return registration.workflow.name
        return (await api.workflows.get(registration.workflow_id)).name
    if kind == "execution":
        return (await api.executions.get(value)).workflow_name
    if kind == "schedule":
        return (await api.schedules.get(value)).workflow_name
    if kind == "run":
        return (await api.runs.get(value)).workflow_name
    raise ValueError(f"unknown target kind {kind!r}")


NAMED_TARGETS = frozenset({"workflow", "workflows", "deployment", "handler"})


def audit_targets(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The identifying arguments of a call (ids and names), never its payloads."""
    return {key: value for key, value in arguments.items() if key.endswith(("_id", "_ids")) or key in NAMED_TARGETS}

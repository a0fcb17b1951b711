"""The tool catalog as data: one row per tool.

Registration, annotations, the `tools` CLI report, README tables and the schema snapshots all
read this table, so nothing about a tool is written twice. A tool's description is its
function's docstring (in server/toolsets/), its input schema comes from the signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mcp_types import ToolAnnotations

from mcp_workflows.api import workflows as wf
from mcp_workflows.api.operations import Operation


class Risk(StrEnum):
    """What a call can do to the user's world (workflows-api.md section 2)."""

    READ = "read"
    WRITE = "write"
    DESTRUCTIVE = "destructive"
    EXECUTE = "execute"


TOOLSETS: tuple[str, ...] = (
    "workflows",
    "executions",
    "runs",
    "schedules",
    "deployments",
    "events",
    "observability",
)


@dataclass(frozen=True)
class ToolSpec:
    """Everything about a tool except its code."""

    name: str
    toolset: str
    title: str
    risk: Risk
    operations: tuple[Operation, ...]
    idempotent: bool = True
    always_preview: bool = False  # batch and bulk tools show their blast radius first, whatever the policy
    target: tuple[str, str] | None = None  # (kind, argument): what allow/deny rules check

    @property
    def operation_ids(self) -> tuple[str, ...]:
        return tuple(op.operation_id for op in self.operations)

    @property
    def annotations(self) -> ToolAnnotations:
        """Hints derived from the risk class, so they cannot drift from what the tool does."""
        return ToolAnnotations(
            title=self.title,
            read_only_hint=self.risk is Risk.READ,
            destructive_hint=self.risk is Risk.DESTRUCTIVE,
            idempotent_hint=self.idempotent,
            # Executions run user code that may reach any external system; the rest only
            # touches the Workflows API of this workspace.
            open_world_hint=self.risk is Risk.EXECUTE,
        )


WORKFLOW = ("workflow", "workflow_identifier")
REGISTRATION = ("registration", "registration_id")

CATALOG: tuple[ToolSpec, ...] = (
    # workflows: find, inspect, edit, archive and run workflows
    ToolSpec("list_workflows", "workflows", "List workflows", Risk.READ, (wf.LIST_WORKFLOWS,)),
    ToolSpec("get_workflow", "workflows", "Get a workflow and its input schema", Risk.READ, (wf.GET_WORKFLOW,),
             target=WORKFLOW),
    ToolSpec("update_workflow", "workflows", "Update workflow metadata", Risk.WRITE, (wf.UPDATE_WORKFLOW,),
             target=WORKFLOW),
    ToolSpec("archive_workflow", "workflows", "Archive a workflow", Risk.DESTRUCTIVE, (wf.ARCHIVE_WORKFLOW,),
             target=WORKFLOW),
    ToolSpec("unarchive_workflow", "workflows", "Unarchive a workflow", Risk.WRITE, (wf.UNARCHIVE_WORKFLOW,),
             target=WORKFLOW),
    ToolSpec("list_workflow_registrations", "workflows", "List workflow registrations", Risk.READ,
             (wf.LIST_REGISTRATIONS,)),
    ToolSpec("get_workflow_registration", "workflows", "Get a workflow registration", Risk.READ,
             (wf.GET_REGISTRATION,), target=REGISTRATION),
    ToolSpec("execute_workflow", "workflows", "Execute a workflow", Risk.EXECUTE, (wf.EXECUTE_WORKFLOW,),
             idempotent=False, target=WORKFLOW),
    ToolSpec("execute_workflow_registration", "workflows", "Execute a registration (deprecated)", Risk.EXECUTE,
             (wf.EXECUTE_REGISTRATION,), idempotent=False, target=REGISTRATION),
)  # fmt: skip

BY_NAME: dict[str, ToolSpec] = {spec.name: spec for spec in CATALOG}

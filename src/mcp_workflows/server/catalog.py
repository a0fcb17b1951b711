"""The tool catalog as data: one row per tool.

Registration, annotations, the `tools` CLI report, README tables and the schema snapshots all
read this table, so nothing about a tool is written twice. A tool's description is its
function's docstring (in server/toolsets/), its input schema comes from the signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mcp_types import ToolAnnotations

from mcp_workflows.api.endpoints import deployments as dep
from mcp_workflows.api.endpoints import events, runs
from mcp_workflows.api.endpoints import executions as ex
from mcp_workflows.api.endpoints import observability as obs
from mcp_workflows.api.endpoints import schedules as sch
from mcp_workflows.api.endpoints import workflows as wf
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
    # Batch and bulk calls show their blast radius first, whatever the policy: always, or when the
    # batch argument holds more than one target.
    always_preview: bool = False
    batch_argument: str | None = None
    target: tuple[str, str] | None = None  # (kind, argument): what allow/deny rules check
    listing: tuple[str, str] | None = None  # (rows, workflow-name field): the rows allow/deny rules hide

    @property
    def operation_ids(self) -> tuple[str, ...]:
        return tuple(op.operation_id for op in self.operations)

    def forces_preview(self, arguments: Mapping[str, Any]) -> bool:
        if self.always_preview:
            return True
        batch = arguments.get(self.batch_argument) if self.batch_argument else None
        return isinstance(batch, list) and len(batch) > 1

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
WORKFLOWS = ("workflow", "workflow_ids")
WORKFLOW_NAME = ("workflow", "workflow_name")
REGISTRATION = ("registration", "registration_id")
EXECUTION = ("execution", "execution_id")
EXECUTIONS = ("execution", "execution_ids")
SCHEDULE = ("schedule", "schedule_id")
RUN = ("run", "run_id")

CATALOG: tuple[ToolSpec, ...] = (
    # workflows: find, inspect, edit, archive and run workflows (incl. registrations)
    ToolSpec("list_workflows", "workflows", "List workflows", Risk.READ, (wf.LIST_WORKFLOWS,),
             listing=("workflows", "name")),
    ToolSpec("get_workflow", "workflows", "Get a workflow and its input schema", Risk.READ, (wf.GET_WORKFLOW,),
             target=WORKFLOW),
    ToolSpec("update_workflow", "workflows", "Update workflow metadata", Risk.WRITE, (wf.UPDATE_WORKFLOW,),
             target=WORKFLOW),
    ToolSpec("archive_workflow", "workflows", "Archive a workflow", Risk.DESTRUCTIVE, (wf.ARCHIVE_WORKFLOW,),
             target=WORKFLOW),
    ToolSpec("unarchive_workflow", "workflows", "Unarchive a workflow", Risk.WRITE, (wf.UNARCHIVE_WORKFLOW,),
             target=WORKFLOW),
    ToolSpec("bulk_archive_workflows", "workflows", "Archive or unarchive many workflows", Risk.DESTRUCTIVE,
             (wf.BULK_ARCHIVE, wf.BULK_UNARCHIVE), always_preview=True, target=WORKFLOWS),
    ToolSpec("list_workflow_registrations", "workflows", "List workflow registrations", Risk.READ,
             (wf.LIST_REGISTRATIONS,), listing=("registrations", "workflow_name")),
    ToolSpec("get_workflow_registration", "workflows", "Get a workflow registration", Risk.READ,
             (wf.GET_REGISTRATION,), target=REGISTRATION),
    ToolSpec("execute_workflow", "workflows", "Execute a workflow", Risk.EXECUTE, (wf.EXECUTE_WORKFLOW,),
             idempotent=False, target=WORKFLOW),
    ToolSpec("execute_workflow_registration", "workflows", "Execute a registration (deprecated)", Risk.EXECUTE,
             (wf.EXECUTE_REGISTRATION,), idempotent=False, target=REGISTRATION),
    # executions: follow and steer one execution
    ToolSpec("get_execution", "executions", "Get an execution", Risk.READ, (ex.GET_EXECUTION,), target=EXECUTION),
    ToolSpec("wait_for_execution", "executions", "Wait for an execution", Risk.READ, (ex.STREAM,),
             target=EXECUTION),
    ToolSpec("query_execution", "executions", "Query an execution", Risk.READ, (ex.QUERY,), target=EXECUTION),
    ToolSpec("signal_execution", "executions", "Signal an execution", Risk.EXECUTE, (ex.SIGNAL,),
             idempotent=False, target=EXECUTION),
    ToolSpec("update_execution", "executions", "Send an update to an execution", Risk.EXECUTE, (ex.UPDATE,),
             idempotent=False, target=EXECUTION),
    ToolSpec("cancel_execution", "executions", "Cancel or terminate executions", Risk.DESTRUCTIVE,
             (ex.CANCEL, ex.TERMINATE, ex.BATCH_CANCEL, ex.BATCH_TERMINATE), batch_argument="execution_ids",
             target=EXECUTIONS),
    ToolSpec("reset_execution", "executions", "Reset an execution", Risk.DESTRUCTIVE, (ex.RESET,),
             idempotent=False, target=EXECUTION),
    # runs: list executions, read runs and histories
    ToolSpec("list_runs", "runs", "List executions", Risk.READ, (runs.LIST_RUNS,),
             listing=("runs", "workflow_name")),
    ToolSpec("get_run", "runs", "Get a run", Risk.READ, (runs.GET_RUN,), target=RUN),
    ToolSpec("get_execution_history", "runs", "Get an execution's history", Risk.READ,
             (ex.GET_HISTORY, runs.GET_RUN_HISTORY), target=EXECUTION),
    # observability: traces, logs, metrics
    ToolSpec("get_execution_trace", "observability", "Get an execution's trace", Risk.READ,
             (obs.TRACE_SUMMARY, obs.TRACE_EVENTS, obs.TRACE_INFO, obs.TRACE_OTEL), target=EXECUTION),
    ToolSpec("get_execution_logs", "observability", "Read an execution's logs", Risk.READ,
             (obs.EXECUTION_LOGS, obs.EXECUTION_LOGS_STREAM), target=EXECUTION),
    ToolSpec("get_workflow_metrics", "observability", "Get workflow metrics", Risk.READ, (obs.WORKFLOW_METRICS,),
             target=WORKFLOW_NAME),
    # events: what happened across executions
    ToolSpec("list_events", "events", "Read workflow events", Risk.READ, (events.LIST_EVENTS, events.STREAM_EVENTS)),
    # schedules: recurring executions
    ToolSpec("list_schedules", "schedules", "List schedules", Risk.READ, (sch.LIST_SCHEDULES,),
             listing=("schedules", "workflow_name")),
    ToolSpec("get_schedule", "schedules", "Get a schedule", Risk.READ, (sch.GET_SCHEDULE,), target=SCHEDULE),
    ToolSpec("create_schedule", "schedules", "Create a schedule", Risk.EXECUTE, (sch.CREATE_SCHEDULE,),
             idempotent=False, target=WORKFLOW),
    ToolSpec("update_schedule", "schedules", "Change a schedule", Risk.WRITE, (sch.UPDATE_SCHEDULE,),
             target=SCHEDULE),
    ToolSpec("pause_schedule", "schedules", "Pause or resume a schedule", Risk.WRITE,
             (sch.PAUSE_SCHEDULE, sch.RESUME_SCHEDULE), target=SCHEDULE),
    ToolSpec("trigger_schedule", "schedules", "Run a schedule now", Risk.EXECUTE, (sch.TRIGGER_SCHEDULE,),
             idempotent=False, target=SCHEDULE),
    ToolSpec("delete_schedule", "schedules", "Delete a schedule", Risk.DESTRUCTIVE, (sch.DELETE_SCHEDULE,),
             target=SCHEDULE),
    # deployments: workers that run workflows
    ToolSpec("list_deployments", "deployments", "List deployments", Risk.READ, (dep.LIST_DEPLOYMENTS,)),
    ToolSpec("get_deployment", "deployments", "Get a deployment", Risk.READ, (dep.GET_DEPLOYMENT,)),
    ToolSpec("list_deployment_workers", "deployments", "List a deployment's workers", Risk.READ,
             (dep.LIST_WORKERS,)),
    ToolSpec("get_deployment_logs", "deployments", "Read a deployment's logs", Risk.READ,
             (dep.DEPLOYMENT_LOGS, dep.DEPLOYMENT_LOGS_STREAM)),
    ToolSpec("create_deployment", "deployments", "Create a managed deployment", Risk.EXECUTE,
             (dep.CREATE_DEPLOYMENT,), idempotent=False),
    ToolSpec("update_deployment", "deployments", "Change a managed deployment", Risk.WRITE,
             (dep.UPDATE_DEPLOYMENT,)),
    ToolSpec("manage_deployment", "deployments", "Stop, start, restart or delete a deployment", Risk.DESTRUCTIVE,
             (dep.STOP_DEPLOYMENT, dep.START_DEPLOYMENT, dep.RESTART_DEPLOYMENT, dep.DELETE_DEPLOYMENT),
             idempotent=False),
)  # fmt: skip

BY_NAME: dict[str, ToolSpec] = {spec.name: spec for spec in CATALOG}

"""Every upstream operation this client can call, for coverage checks (tests and the tool catalog).

`ALL_OPERATIONS` lists each area module's `Operation` constants once (53, one per operationId of
the upstream spec); tests check it against the spec and against the area modules.
"""

from __future__ import annotations

from mcp_workflows.api.endpoints import deployments, events, executions, observability, runs, schedules, workflows
from mcp_workflows.api.operations import Operation

AREA_MODULES = (workflows, executions, runs, schedules, deployments, events, observability)

ALL_OPERATIONS: tuple[Operation, ...] = (
    # workflows and registrations (11)
    workflows.LIST_WORKFLOWS,
    workflows.GET_WORKFLOW,
    workflows.UPDATE_WORKFLOW,
    workflows.ARCHIVE_WORKFLOW,
    workflows.UNARCHIVE_WORKFLOW,
    workflows.BULK_ARCHIVE,
    workflows.BULK_UNARCHIVE,
    workflows.LIST_REGISTRATIONS,
    workflows.GET_REGISTRATION,
    workflows.EXECUTE_WORKFLOW,
    workflows.EXECUTE_REGISTRATION,
    # executions (12)
    executions.GET_EXECUTION,
    executions.GET_HISTORY,
    executions.SIGNAL,
    executions.QUERY,
    executions.UPDATE,
    executions.CANCEL,
    executions.TERMINATE,
    executions.BATCH_CANCEL,
    executions.BATCH_TERMINATE,
    executions.RESET,
    executions.STREAM,
    # runs (3)
    runs.LIST_RUNS,
    runs.GET_RUN,
    runs.GET_RUN_HISTORY,
    # schedules (8)
    schedules.LIST_SCHEDULES,
    schedules.CREATE_SCHEDULE,
    schedules.GET_SCHEDULE,
    schedules.UPDATE_SCHEDULE,
    schedules.DELETE_SCHEDULE,
    schedules.PAUSE_SCHEDULE,
    schedules.RESUME_SCHEDULE,
    schedules.TRIGGER_SCHEDULE,
    # deployments (11)
    deployments.LIST_DEPLOYMENTS,
    deployments.GET_DEPLOYMENT,
    deployments.LIST_WORKERS,
    deployments.DEPLOYMENT_LOGS,
    deployments.DEPLOYMENT_LOGS_STREAM,
    deployments.CREATE_DEPLOYMENT,
    deployments.UPDATE_DEPLOYMENT,
    deployments.DELETE_DEPLOYMENT,
    deployments.STOP_DEPLOYMENT,
    deployments.START_DEPLOYMENT,
    deployments.RESTART_DEPLOYMENT,
    # events (2)
    events.LIST_EVENTS,
    events.STREAM_EVENTS,
    # observability: traces, execution logs, metrics (7)
    observability.TRACE_INFO,
    observability.TRACE_OTEL,
    observability.TRACE_SUMMARY,
    observability.TRACE_EVENTS,
    observability.EXECUTION_LOGS,
    observability.EXECUTION_LOGS_STREAM,
    observability.WORKFLOW_METRICS,
)

OPERATIONS_BY_ID: dict[str, Operation] = {op.operation_id: op for op in ALL_OPERATIONS}


def all_operations() -> tuple[Operation, ...]:
    """`ALL_OPERATIONS` (kept as a function for callers that use it)."""
    return ALL_OPERATIONS

"""The `runs` toolset: runs of an execution (one per attempt), histories, and resetting an execution to an
earlier point, which starts a new run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import pydantic_core
from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_workflows.api.executions import GET_HISTORY, RESET
from mcp_workflows.api.models.executions import ResetRequest
from mcp_workflows.api.operations import Risk, is_uuid
from mcp_workflows.api.runs import GET_RUN, GET_RUN_HISTORY
from mcp_workflows.server.catalog import Confirm, Target, tool
from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.tools.outcomes import ExecutionRow
from mcp_workflows.server.tools.shared import (
    Cursor,
    ExecutionId,
    PathSegment,
    RunIdFilter,
    ToolResult,
    capped,
)

RESULT_LIMIT = 20_000
RAW_LIMIT = 50_000
RunId = Annotated[
    str,
    Field(min_length=1, max_length=64, description="Run id (UUID): run_id from get_execution or list_executions."),
    PathSegment("run_id"),
]


class RunDetail(ExecutionRow):
    root_execution_id: str | None = None
    parent_execution_id: str | None = None
    deployment_name: str | None = None
    result: Any = None
    note: str | None = None


class HistoryEvent(ToolResult):
    id: Any = None
    type: str
    time: str | None = None
    detail: str | None = None


class HistoryPage(ToolResult):
    events: list[HistoryEvent] = Field(default_factory=list)
    raw: Any = None
    next_cursor: str | None = None
    note: str | None = None


@tool(Risk.READ, "Get a run", operations=(GET_RUN,), target=Target("run", "run_id"))
async def get_run(ctx: Context, run_id: RunId) -> RunDetail:
    """Get one run (one attempt of an execution; a reset starts a new one) with its result."""
    if not is_uuid(run_id):
        raise ToolInputError(
            f"run_id {run_id[:80]!r} is not a run id (a UUID). For an execution id, call get_execution; "
            "a run_id comes from get_execution or list_executions."
        )
    run = await app_state(ctx).api.runs.get(run_id)
    result, note = capped(run.result, RESULT_LIMIT, "result", "get_execution_history with run_id")
    return RunDetail(
        execution_id=run.execution_id,
        workflow_name=run.workflow_name,
        status=run.status,
        run_id=run.run_id,
        start_time=run.start_time,
        end_time=run.end_time,
        duration_ms=run.total_duration_ms,
        root_execution_id=run.root_execution_id if run.root_execution_id != run.execution_id else None,
        parent_execution_id=run.parent_execution_id,
        deployment_name=run.deployment_name,
        result=result,
        note=note,
    )


@tool(
    Risk.READ,
    "Get an execution's history",
    operations=(GET_HISTORY, GET_RUN_HISTORY),
    target=Target("execution", "execution_id"),
)
async def get_execution_history(
    ctx: Context,
    execution_id: ExecutionId,
    run_id: RunIdFilter = None,
    cursor: Cursor = None,
    limit: Annotated[int, Field(ge=1, le=200, description="Events per page.")] = 50,
    raw: Annotated[bool, Field(description="Upstream events as is (size-capped).")] = False,
) -> HistoryPage:
    """Read an execution's event history (its latest run, or run_id), summarised one line per event.
    Pass next_cursor back as cursor for more."""
    api = app_state(ctx).api
    if cursor is not None and not cursor.isdigit():
        raise ToolInputError("cursor must be the next_cursor of a previous get_execution_history call.")
    history = await (api.runs.history(str(run_id)) if run_id else api.executions.history(execution_id))
    events: list[Any] = history.get("events", []) if isinstance(history, dict) else list(history or [])
    start = int(cursor) if cursor else 0
    page = events[start : start + limit]
    next_cursor = str(start + limit) if start + limit < len(events) else None
    if raw:
        value, note = capped(page, RAW_LIMIT, "events", "a smaller limit")
        return HistoryPage(raw=value, next_cursor=next_cursor, note=note)
    return HistoryPage(events=[_history_event(e) for e in page if isinstance(e, dict)], next_cursor=next_cursor)


def _history_event(event: Mapping[str, Any]) -> HistoryEvent:
    attributes = event.get("attributes") or {}
    interesting = {k: v for k, v in attributes.items() if k in ("activityType", "signalName", "failure", "result")}
    detail = pydantic_core.to_json(interesting).decode()[:200] if interesting else None
    return HistoryEvent(
        id=event.get("eventId", event.get("event_id")),
        type=str(event.get("eventType", event.get("event_type", "?"))),
        time=event.get("eventTime"),
        detail=detail,
    )


class ResetOutcome(Guarded):
    run_id: str | None = None


async def describe_reset(state: AppState, args: Mapping[str, Any]) -> str:
    execution = await state.api.executions.get(str(args["execution_id"]))
    return (
        f"Reset execution {execution.execution_id} of {execution.workflow_name} ({execution.status}) to event "
        f"{args['event_id']}? Its current run ends and everything after that event is lost."
    )


@tool(
    Risk.DESTRUCTIVE,
    "Reset an execution",
    operations=(RESET,),
    idempotent=False,
    target=Target("execution", "execution_id"),
    confirm=Confirm(describe_reset, unbound=("reason",)),
)
async def reset_execution(
    ctx: Context,
    execution_id: ExecutionId,
    event_id: Annotated[
        int, Field(ge=1, description="WORKFLOW_TASK_COMPLETED event id (get_execution_trace view=events).")
    ],
    reason: Annotated[str | None, Field(max_length=500, description="Why, for the audit trail.")] = None,
    exclude_signals: Annotated[bool, Field(description="Do not replay signals received after the event.")] = False,
    exclude_updates: Annotated[bool, Field(description="Do not replay updates received after the event.")] = False,
) -> ResetOutcome:
    """Roll an execution back to an event and replay it with the latest code (a new run; later
    progress is lost), once the user confirms."""
    api = app_state(ctx).api.executions
    request = ResetRequest(
        event_id=event_id, reason=reason, exclude_signals=exclude_signals, exclude_updates=exclude_updates
    )
    await api.reset(execution_id, request)
    execution = await api.get(execution_id)
    return ResetOutcome(run_id=execution.run_id, message=f"Reset to event {event_id}; new run started.")

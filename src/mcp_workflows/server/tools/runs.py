"""The `runs` toolset: list executions (the API's only listing) and read one run."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pydantic_core
from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_workflows.api.executions import GET_HISTORY
from mcp_workflows.api.models.executions import ExecutionSummary
from mcp_workflows.api.runs import GET_RUN, GET_RUN_HISTORY, LIST_RUNS
from mcp_workflows.server.catalog import Listing, Risk, Target, tool
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.state import app_state
from mcp_workflows.server.tools.shared import (
    Cursor,
    ExecutionId,
    Limit,
    NextCursor,
    ToolResult,
    capped,
    iso_time,
)

RESULT_LIMIT = 20_000
RAW_LIMIT = 50_000
RunId = Annotated[uuid.UUID, Field(description="Run id (UUID), from list_runs.")]
Status = Literal[
    "RUNNING", "COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT", "RETRYING_AFTER_ERROR"
]


class RunRow(ToolResult):
    execution_id: str
    workflow_name: str
    status: str | None = None
    run_id: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    duration_ms: int | None = None

    @classmethod
    def of(cls, row: ExecutionSummary) -> RunRow:
        return cls(
            execution_id=row.execution_id,
            workflow_name=row.workflow_name,
            status=row.status,
            run_id=row.run_id,
            start_time=row.start_time,
            end_time=row.end_time,
            duration_ms=row.total_duration_ms,
        )


class RunPage(ToolResult):
    runs: list[RunRow]
    next_cursor: NextCursor = None


class RunDetail(RunRow):
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


@tool(Risk.READ, "List executions", operations=(LIST_RUNS,), listing=Listing("runs", "workflow_name"))
async def list_runs(
    ctx: Context,
    workflow_identifier: Annotated[str | None, Field(max_length=256, description="Workflow name or id.")] = None,
    status: Annotated[list[Status] | None, Field(max_length=8, description="Only these statuses.")] = None,
    root_execution_id: Annotated[str | None, Field(max_length=256, description="Root and its children.")] = None,
    search: Annotated[str | None, Field(max_length=200, description="Text to find.")] = None,
    deployment_name: Annotated[str | None, Field(max_length=128, description="Deployment.")] = None,
    start_time_after: Annotated[str | None, Field(max_length=40, description="ISO time.")] = None,
    start_time_before: Annotated[str | None, Field(max_length=40, description="ISO time.")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> RunPage:
    """List executions, newest first (execution_id, run_id, status). Pass next_cursor back as cursor
    for more."""
    page = await app_state(ctx).api.runs.list(
        workflow_identifier=workflow_identifier,
        status=list(status) if status else None,
        root_execution_id=root_execution_id,
        search=search,
        deployment_name=deployment_name,
        start_time_after=iso_time(start_time_after, "start_time_after"),
        start_time_before=iso_time(start_time_before, "start_time_before"),
        page_size=limit,
        next_page_token=cursor,
    )
    return RunPage(runs=[RunRow.of(row) for row in page.executions], next_cursor=page.next_page_token)


@tool(Risk.READ, "Get a run", operations=(GET_RUN,), target=Target("run", "run_id"))
async def get_run(ctx: Context, run_id: RunId) -> RunDetail:
    """Get one run (one attempt of an execution; a reset starts a new one) with its result."""
    run = await app_state(ctx).api.runs.get(str(run_id))
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
    run_id: Annotated[uuid.UUID | None, Field(description="One run's history (from list_runs).")] = None,
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

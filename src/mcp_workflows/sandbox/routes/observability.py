"""Observability of executions and workflows: traces, execution logs (page and stream), metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..ids import as_utc
from ..logs import log_window
from ..models import LogRecord
from ..params import paginate, parse_query
from ..runtime import sandbox_of
from ..sse import sse_response
from ..traces import otel_trace, summary_tree, trace_events
from . import streaming
from .executions import execution_of
from .paths import P


class ExecutionLogsQuery(BaseModel):
    run_id: UUID | None = None
    activity_id: str | None = Field(default=None, pattern=r"^\d+$")
    after: datetime | None = None
    before: datetime | None = None
    order: Literal["asc", "desc"] = "asc"
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=100)


class TraceEventsQuery(BaseModel):
    merge_same_id_events: bool = False
    include_internal_events: bool = False


class ExecutionLogsStreamQuery(BaseModel):
    run_id: UUID | None = None
    activity_id: str | None = Field(default=None, pattern=r"^\d+$")
    after: datetime | None = None
    last_event_id: str | None = None


class MetricsQuery(BaseModel):
    start_time: datetime | None = None
    end_time: datetime | None = None


async def trace_info(request: Request) -> Response:
    """GET /executions/{execution_id}/trace/info."""
    _, execution = execution_of(request)
    return JSONResponse({"otel_trace_id": execution.current.trace_id, "has_trace_data": True})


async def trace_otel(request: Request) -> Response:
    """GET /executions/{execution_id}/trace/otel: Tempo-shaped spans built from the run's events."""
    sandbox, execution = execution_of(request)
    run = execution.current
    body = {
        **execution.to_json(),
        "data_source": "sandbox",
        "otel_trace_id": run.trace_id,
        "otel_trace_data": otel_trace(sandbox.store, execution, run),
    }
    return JSONResponse(body)


async def trace_summary(request: Request) -> Response:
    """GET /executions/{execution_id}/trace/summary."""
    sandbox, execution = execution_of(request)
    body = {**execution.to_json(), "span_tree": summary_tree(sandbox.store, execution, execution.current)}
    return JSONResponse(body)


async def trace_events_route(request: Request) -> Response:
    """GET /executions/{execution_id}/trace/events (internal events list the valid reset points)."""
    sandbox, execution = execution_of(request)
    q = parse_query(request, TraceEventsQuery)
    events = trace_events(
        sandbox.store, execution, execution.current, q.include_internal_events, q.merge_same_id_events
    )
    return JSONResponse({**execution.to_json(), "events": events})


async def get_logs(request: Request) -> Response:
    """GET /executions/{execution_id}/logs: cursor pages; after/before/order apply to the first page."""
    sandbox, execution = execution_of(request)
    q = parse_query(request, ExecutionLogsQuery)
    records = [
        r
        for r in sandbox.store.logs
        if r.execution_id == execution.execution_id
        and (q.run_id is None or r.run_id == str(q.run_id))
        and (q.activity_id is None or r.activity_id == q.activity_id)
    ]
    records = log_window(records, q.after and as_utc(q.after), q.before and as_utc(q.before), q.order)
    page, next_cursor = paginate(records, q.cursor, q.limit)
    return JSONResponse({"results": [r.to_json() for r in page], "next_cursor": next_cursor})


async def execution_logs_stream(request: Request) -> Response:
    """GET /executions/{id}/logs/stream: `log` frames; ends once the execution is no longer running."""
    sandbox = sandbox_of(request)
    execution = sandbox.store.execution(request.path_params["execution_id"])
    q = parse_query(request, ExecutionLogsStreamQuery)
    resume = streaming.resume(request, q.last_event_id)
    after = as_utc(q.after) if q.after and resume is None else None

    def keep(r: LogRecord) -> bool:
        return (
            r.execution_id == execution.execution_id
            and (q.run_id is None or r.run_id == str(q.run_id))
            and (q.activity_id is None or r.activity_id == q.activity_id)
            and (after is None or r.timestamp > after)
        )

    def finished() -> bool:
        return not (execution.current.running or execution.resetting)

    return sse_response(
        streaming.log_frames(sandbox, resume or 0, keep, finished),
        streaming.stream_fault(sandbox, request),
        sandbox.closing,
        sandbox.stats,
    )


async def get_metrics(request: Request) -> Response:
    """GET /v1/workflows/{workflow_name}/metrics: counts and latencies of the runs in the window."""
    sandbox = sandbox_of(request)
    name = request.path_params["workflow_name"]
    workflow = sandbox.store.workflow(name)
    q = parse_query(request, MetricsQuery)
    start = as_utc(q.start_time) if q.start_time else None
    end = as_utc(q.end_time) if q.end_time else None
    executions = [
        e
        for e in sandbox.store.executions.values()
        if e.workflow_id == workflow.id
        and (start is None or e.runs[0].start_time >= start)
        and (end is None or e.runs[0].start_time <= end)
    ]
    finished = [e.current for e in executions if e.current.end_time is not None]
    latencies = [r.duration_ms() or 0 for r in finished]
    average = sum(latencies) / len(latencies) if latencies else 0
    retried = sum(1 for e in executions if len(e.runs) > 1)
    return JSONResponse(
        {
            "execution_count": {"value": len(executions)},
            "success_count": {"value": sum(1 for e in executions if e.current.status == "COMPLETED")},
            "error_count": {"value": sum(1 for e in executions if e.current.status in ("FAILED", "TIMED_OUT"))},
            "average_latency_ms": {"value": average},
            "latency_over_time": {
                "value": [[int(r.end_time.timestamp()), r.duration_ms() or 0] for r in finished if r.end_time]
            },
            "retry_rate": {"value": retried / len(executions) if executions else 0},
        }
    )


ROUTES = [
    Route(P + "/executions/{execution_id}/trace/info", trace_info, methods=["GET"]),
    Route(P + "/executions/{execution_id}/trace/otel", trace_otel, methods=["GET"]),
    Route(P + "/executions/{execution_id}/trace/summary", trace_summary, methods=["GET"]),
    Route(P + "/executions/{execution_id}/trace/events", trace_events_route, methods=["GET"]),
    Route(P + "/executions/{execution_id}/logs", get_logs, methods=["GET"]),
    Route(P + "/executions/{execution_id}/logs/stream", execution_logs_stream, methods=["GET"]),
    Route(P + "/{workflow_name}/metrics", get_metrics, methods=["GET"]),
]

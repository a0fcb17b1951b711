"""Reading and steering one execution: status, history, signals, queries, updates, stop, reset."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import ApiError
from ..ids import as_utc
from ..logs import log_window
from ..models import ExecutionRecord, RunRecord
from ..params import paginate, parse_body, parse_query
from ..runtime import Sandbox, sandbox_of
from ..traces import otel_trace, summary_tree, trace_events


class ExecutionLogsQuery(BaseModel):
    run_id: UUID | None = None
    activity_id: str | None = Field(default=None, pattern=r"^\d+$")
    after: datetime | None = None
    before: datetime | None = None
    order: Literal["asc", "desc"] = "asc"
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=100)


class InvocationBody(BaseModel):
    name: str
    input: dict[str, Any] | None = None


class BatchBody(BaseModel):
    execution_ids: list[str]


class ResetBody(BaseModel):
    event_id: int
    reason: str | None = None
    exclude_signals: bool = False
    exclude_updates: bool = False


class HistoryQuery(BaseModel):
    decode_payloads: bool = False


class TraceEventsQuery(BaseModel):
    merge_same_id_events: bool = False
    include_internal_events: bool = False


def _execution(request: Request) -> tuple[Sandbox, ExecutionRecord]:
    sandbox = sandbox_of(request)
    return sandbox, sandbox.store.execution(request.path_params["execution_id"])


async def get_execution(request: Request) -> Response:
    """GET /executions/{execution_id}: the latest run's status and result."""
    _, execution = _execution(request)
    return JSONResponse(execution.to_json())


def history_json(execution: ExecutionRecord, run: RunRecord) -> dict[str, Any]:
    """The raw (untyped upstream) history of one run, Temporal style."""
    return {
        "execution_id": execution.execution_id,
        "run_id": run.run_id,
        "workflow_name": execution.workflow_name,
        "events": run.history,
    }


async def get_history(request: Request) -> Response:
    """GET /executions/{execution_id}/history."""
    _, execution = _execution(request)
    parse_query(request, HistoryQuery)
    return JSONResponse(history_json(execution, execution.current))


async def signal(request: Request) -> Response:
    """POST /executions/{execution_id}/signals: 202 once the signal is applied."""
    sandbox, execution = _execution(request)
    body = await parse_body(request, InvocationBody)
    sandbox.engine.signal(execution, body.name, body.input)
    return JSONResponse({"message": "Signal accepted"}, status_code=202)


async def query(request: Request) -> Response:
    """POST /executions/{execution_id}/queries."""
    sandbox, execution = _execution(request)
    body = await parse_body(request, InvocationBody)
    result = sandbox.engine.query(execution, body.name, body.input)
    return JSONResponse({"query_name": body.name, "result": result})


async def update(request: Request) -> Response:
    """POST /executions/{execution_id}/updates."""
    sandbox, execution = _execution(request)
    body = await parse_body(request, InvocationBody)
    result = sandbox.engine.update(execution, body.name, body.input)
    return JSONResponse({"update_name": body.name, "result": result})


async def cancel(request: Request) -> Response:
    """POST /executions/{execution_id}/cancel: 204 once the run is CANCELED."""
    sandbox, execution = _execution(request)
    await sandbox.engine.stop(execution, "cancel")
    return Response(status_code=204)


async def terminate(request: Request) -> Response:
    """POST /executions/{execution_id}/terminate: 204 once the run is TERMINATED."""
    sandbox, execution = _execution(request)
    await sandbox.engine.stop(execution, "terminate")
    return Response(status_code=204)


async def _batch(request: Request, reason: str) -> Response:
    sandbox = sandbox_of(request)
    body = await parse_body(request, BatchBody)
    results: dict[str, dict[str, Any]] = {}
    for execution_id in body.execution_ids:
        try:
            await sandbox.engine.stop(sandbox.store.execution(execution_id), reason)
        except ApiError as exc:
            results[execution_id] = {"status": "error", "error": str(exc.body.get("detail"))}
        else:
            results[execution_id] = {"status": "success", "error": None}
    return JSONResponse({"results": results})


async def batch_cancel(request: Request) -> Response:
    """POST /executions/cancel: per-item outcome; a 200 does not mean every item succeeded."""
    return await _batch(request, "cancel")


async def batch_terminate(request: Request) -> Response:
    """POST /executions/terminate."""
    return await _batch(request, "terminate")


async def reset(request: Request) -> Response:
    """POST /executions/{execution_id}/reset: a new run starts under the same execution id."""
    sandbox, execution = _execution(request)
    body = await parse_body(request, ResetBody)
    await sandbox.engine.reset(execution, body.event_id, body.reason, body.exclude_signals, body.exclude_updates)
    return Response(status_code=204)


async def trace_info(request: Request) -> Response:
    """GET /executions/{execution_id}/trace/info."""
    _, execution = _execution(request)
    return JSONResponse({"otel_trace_id": execution.current.trace_id, "has_trace_data": True})


async def trace_otel(request: Request) -> Response:
    """GET /executions/{execution_id}/trace/otel: Tempo-shaped spans built from the run's events."""
    sandbox, execution = _execution(request)
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
    sandbox, execution = _execution(request)
    body = {**execution.to_json(), "span_tree": summary_tree(sandbox.store, execution, execution.current)}
    return JSONResponse(body)


async def trace_events_route(request: Request) -> Response:
    """GET /executions/{execution_id}/trace/events (internal events list the valid reset points)."""
    sandbox, execution = _execution(request)
    q = parse_query(request, TraceEventsQuery)
    events = trace_events(
        sandbox.store, execution, execution.current, q.include_internal_events, q.merge_same_id_events
    )
    return JSONResponse({**execution.to_json(), "events": events})


async def get_logs(request: Request) -> Response:
    """GET /executions/{execution_id}/logs: cursor pages; after/before/order apply to the first page."""
    sandbox, execution = _execution(request)
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

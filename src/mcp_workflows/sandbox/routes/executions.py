"""Reading and steering one execution: status, history, signals, queries, updates, stop, reset, its event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import ApiError
from ..models import ExecutionRecord, RunRecord
from ..params import parse_body, parse_query
from ..runtime import Sandbox, sandbox_of
from ..sse import KEEPALIVE, sse_response
from . import streaming
from .paths import P


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


def execution_of(request: Request) -> tuple[Sandbox, ExecutionRecord]:
    sandbox = sandbox_of(request)
    return sandbox, sandbox.store.execution(request.path_params["execution_id"])


class GetExecutionQuery(BaseModel):
    include_search_keys: bool = False


async def get_execution(request: Request) -> Response:
    """GET /executions/{execution_id}: the latest run's status and result (and its search keys on request)."""
    _, execution = execution_of(request)
    q = parse_query(request, GetExecutionQuery)
    body = execution.to_json()
    if q.include_search_keys:
        body["search_keys"] = execution.search_keys(execution.current)
    return JSONResponse(body)


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
    _, execution = execution_of(request)
    parse_query(request, HistoryQuery)
    return JSONResponse(history_json(execution, execution.current))


async def signal(request: Request) -> Response:
    """POST /executions/{execution_id}/signals: 202 once the signal is applied."""
    sandbox, execution = execution_of(request)
    body = await parse_body(request, InvocationBody)
    sandbox.engine.signal(execution, body.name, body.input)
    return JSONResponse({"message": "Signal accepted"}, status_code=202)


async def query(request: Request) -> Response:
    """POST /executions/{execution_id}/queries."""
    sandbox, execution = execution_of(request)
    body = await parse_body(request, InvocationBody)
    result = sandbox.engine.query(execution, body.name, body.input)
    return JSONResponse({"query_name": body.name, "result": result})


async def update(request: Request) -> Response:
    """POST /executions/{execution_id}/updates."""
    sandbox, execution = execution_of(request)
    body = await parse_body(request, InvocationBody)
    result = sandbox.engine.update(execution, body.name, body.input)
    return JSONResponse({"update_name": body.name, "result": result})


async def cancel(request: Request) -> Response:
    """POST /executions/{execution_id}/cancel: 204 once the run is CANCELED."""
    sandbox, execution = execution_of(request)
    await sandbox.engine.stop(execution, "cancel")
    return Response(status_code=204)


async def terminate(request: Request) -> Response:
    """POST /executions/{execution_id}/terminate: 204 once the run is TERMINATED."""
    sandbox, execution = execution_of(request)
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
    sandbox, execution = execution_of(request)
    body = await parse_body(request, ResetBody)
    await sandbox.engine.reset(execution, body.event_id, body.reason, body.exclude_signals, body.exclude_updates)
    return Response(status_code=204)


class ExecutionStreamQuery(BaseModel):
    event_source: Literal["DATABASE", "LIVE", "HYBRID"] | None = None
    last_event_id: str | None = None


async def execution_stream(request: Request) -> Response:
    """GET /executions/{id}/stream: stored then live events; ends once the execution is no longer running.

    `last_event_id` (or the Last-Event-ID header) is the last broker_sequence seen: the stream resumes after it.
    """
    sandbox = sandbox_of(request)
    execution = sandbox.store.execution(request.path_params["execution_id"])
    q = parse_query(request, ExecutionStreamQuery)
    last = streaming.seq(request.headers.get("last-event-id"), "last_event_id") or streaming.seq(
        q.last_event_id, "last_event_id"
    )
    cursor = last or 0
    if q.event_source == "LIVE":
        cursor = max(cursor, sandbox.store.events.last_seq)
    rule = streaming.stream_fault(sandbox, request)
    closing = sandbox.closing

    async def frames() -> AsyncIterator[bytes]:
        position = cursor
        while True:
            for event in sandbox.store.events.after(position):
                position = event.seq
                if event.execution_id == execution.execution_id:
                    yield streaming.event_frame(event)
            if q.event_source == "DATABASE":
                return
            if not (execution.current.running or execution.resetting):
                return
            if await streaming.idle(sandbox):
                yield KEEPALIVE
            if closing.is_set():
                return

    return sse_response(frames(), rule, closing, sandbox.stats)


ROUTES = [
    Route(P + "/executions/cancel", batch_cancel, methods=["POST"]),
    Route(P + "/executions/terminate", batch_terminate, methods=["POST"]),
    Route(P + "/executions/{execution_id}", get_execution, methods=["GET"]),
    Route(P + "/executions/{execution_id}/history", get_history, methods=["GET"]),
    Route(P + "/executions/{execution_id}/signals", signal, methods=["POST"]),
    Route(P + "/executions/{execution_id}/queries", query, methods=["POST"]),
    Route(P + "/executions/{execution_id}/updates", update, methods=["POST"]),
    Route(P + "/executions/{execution_id}/cancel", cancel, methods=["POST"]),
    Route(P + "/executions/{execution_id}/terminate", terminate, methods=["POST"]),
    Route(P + "/executions/{execution_id}/reset", reset, methods=["POST"]),
    Route(P + "/executions/{execution_id}/stream", execution_stream, methods=["GET"]),
]

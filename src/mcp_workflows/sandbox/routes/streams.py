"""The four SSE endpoints: execution events, all events, execution logs, deployment logs."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from ..config import FaultRule
from ..errors import one_validation_error
from ..ids import as_utc
from ..models import LogRecord, StreamEvent
from ..params import parse_query
from ..runtime import Sandbox, sandbox_of
from ..sse import KEEPALIVE, KEEPALIVE_S, frame, sse_response

STREAM_FAULTS = ("stall_stream", "end_stream_early")
EventType = Literal[
    "WORKFLOW_EXECUTION_STARTED",
    "WORKFLOW_EXECUTION_COMPLETED",
    "WORKFLOW_EXECUTION_FAILED",
    "WORKFLOW_EXECUTION_CANCELED",
    "WORKFLOW_EXECUTION_CONTINUED_AS_NEW",
    "WORKFLOW_TASK_TIMED_OUT",
    "WORKFLOW_TASK_FAILED",
    "CUSTOM_TASK_STARTED",
    "CUSTOM_TASK_IN_PROGRESS",
    "CUSTOM_TASK_COMPLETED",
    "CUSTOM_TASK_FAILED",
    "CUSTOM_TASK_TIMED_OUT",
    "CUSTOM_TASK_CANCELED",
    "ACTIVITY_TASK_STARTED",
    "ACTIVITY_TASK_COMPLETED",
    "ACTIVITY_TASK_RETRYING",
    "ACTIVITY_TASK_FAILED",
]


class ExecutionStreamQuery(BaseModel):
    event_source: Literal["DATABASE", "LIVE", "HYBRID"] | None = None
    last_event_id: str | None = None


class EventsStreamQuery(BaseModel):
    scope: Literal["activity", "workflow", "*"] = "*"
    activity_name: str = "*"
    activity_id: str = "*"
    workflow_name: str = "*"
    workflow_exec_id: str = "*"
    root_workflow_exec_id: str = "*"
    parent_workflow_exec_id: str = "*"
    stream: str = "*"
    start_seq: int = Field(default=0, ge=0)
    metadata_filters: str | None = None
    workflow_event_types: list[EventType] | None = None


class ExecutionLogsStreamQuery(BaseModel):
    run_id: UUID | None = None
    activity_id: str | None = Field(default=None, pattern=r"^\d+$")
    after: datetime | None = None
    last_event_id: str | None = None


class DeploymentLogsStreamQuery(BaseModel):
    worker_name: str | None = None
    workflow_name: str | None = None
    after: datetime | None = None
    last_event_id: str | None = None


def _seq(raw: str | None, name: str) -> int | None:
    """A resume position (a broker_sequence or log cursor we issued); 422 otherwise."""
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise one_validation_error(["query", name], "Input should be a valid integer", "int_parsing", raw) from exc
    return value


def _stream_fault(sandbox: Sandbox, request: Request) -> FaultRule | None:
    return sandbox.faults.take(request.method, request.url.path, STREAM_FAULTS)


def _event_frame(event: StreamEvent) -> bytes:
    return frame(event.to_payload(), event=event.event_type, id=str(event.seq))


async def execution_stream(request: Request) -> Response:
    """GET /executions/{id}/stream: stored then live events; ends once the execution is no longer running.

    `last_event_id` (or the Last-Event-ID header) is the last broker_sequence seen: the stream resumes after it.
    """
    sandbox = sandbox_of(request)
    execution = sandbox.store.execution(request.path_params["execution_id"])
    q = parse_query(request, ExecutionStreamQuery)
    last = _seq(request.headers.get("last-event-id"), "last_event_id") or _seq(q.last_event_id, "last_event_id")
    cursor = last or 0
    if q.event_source == "LIVE":
        cursor = max(cursor, len(sandbox.store.events))
    rule = _stream_fault(sandbox, request)
    closing = sandbox.closing

    async def frames() -> AsyncIterator[bytes]:
        position = cursor
        while True:
            for event in sandbox.store.events[position:]:
                position = event.seq
                if event.execution_id == execution.execution_id:
                    yield _event_frame(event)
            if q.event_source == "DATABASE":
                return
            if not (execution.current.running or execution.resetting):
                return
            if await _idle(sandbox):
                yield KEEPALIVE
            if closing.is_set():
                return

    return sse_response(frames(), rule, closing, sandbox.stats)


async def _idle(sandbox: Sandbox) -> bool:
    """Wait for the next change; True when the keep-alive period passed without one."""
    before = (len(sandbox.store.events), len(sandbox.store.logs))
    await sandbox.store.wait_change(KEEPALIVE_S)
    return (len(sandbox.store.events), len(sandbox.store.logs)) == before


def _like(pattern: str, value: str | None) -> bool:
    return pattern == "*" or fnmatch.fnmatchcase(value or "", pattern)


def _events_filter(q: EventsStreamQuery, metadata: dict[str, Any]) -> Callable[[StreamEvent], bool]:
    def keep(e: StreamEvent) -> bool:
        is_workflow = e.event_type.startswith("WORKFLOW_")
        return (
            (q.scope == "*" or (q.scope == "workflow") == is_workflow)
            and _like(q.activity_name, e.activity_name)
            and _like(q.activity_id, e.activity_id)
            and _like(q.workflow_name, e.workflow_name)
            and _like(q.workflow_exec_id, e.execution_id)
            and _like(q.root_workflow_exec_id, e.data["root_workflow_exec_id"])
            and _like(q.parent_workflow_exec_id, e.parent_execution_id)
            and _like(q.stream, e.stream)
            and (not q.workflow_event_types or e.event_type in q.workflow_event_types)
            and all(e.metadata.get(k) == v for k, v in metadata.items())
        )

    return keep


async def events_stream(request: Request) -> Response:
    """GET /events/stream: every matching event from `start_seq` (inclusive), then live; never ends by itself.

    The `last-event-id` header (a broker_sequence already seen) wins over start_seq and resumes after it.
    """
    sandbox = sandbox_of(request)
    q = parse_query(request, EventsStreamQuery)
    metadata: dict[str, Any] = {}
    if q.metadata_filters:
        try:
            metadata = json.loads(q.metadata_filters)
        except ValueError:
            metadata = None  # type: ignore[assignment]
        if not isinstance(metadata, dict):
            raise one_validation_error(
                ["query", "metadata_filters"], "Input should be a JSON object", "dict_type", q.metadata_filters
            )
    header = _seq(request.headers.get("last-event-id"), "last-event-id")
    start = header + 1 if header is not None else q.start_seq
    keep = _events_filter(q, metadata)
    rule = _stream_fault(sandbox, request)
    closing = sandbox.closing

    async def frames() -> AsyncIterator[bytes]:
        position = max(0, start - 1)
        while True:
            for event in sandbox.store.events[position:]:
                position = event.seq
                if keep(event):
                    yield _event_frame(event)
            if await _idle(sandbox):
                yield KEEPALIVE
            if closing.is_set():
                return

    return sse_response(frames(), rule, closing, sandbox.stats)


def _log_frames(
    sandbox: Sandbox, start: int, keep: Callable[[LogRecord], bool], finished: Callable[[], bool]
) -> AsyncIterator[bytes]:
    closing = sandbox.closing

    async def frames() -> AsyncIterator[bytes]:
        position = start
        while True:
            for record in sandbox.store.logs[position:]:
                position = record.seq
                if keep(record):
                    yield frame(record.to_json(), event="log", id=str(record.seq))
            if finished():
                return
            if await _idle(sandbox):
                yield KEEPALIVE
            if closing.is_set():
                return

    return frames()


def _resume(request: Request, query_value: str | None) -> int | None:
    header = request.headers.get("last-event-id")
    return _seq(header, "Last-Event-ID") if header else _seq(query_value, "last_event_id")


async def execution_logs_stream(request: Request) -> Response:
    """GET /executions/{id}/logs/stream: `log` frames; ends once the execution is no longer running."""
    sandbox = sandbox_of(request)
    execution = sandbox.store.execution(request.path_params["execution_id"])
    q = parse_query(request, ExecutionLogsStreamQuery)
    resume = _resume(request, q.last_event_id)
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
        _log_frames(sandbox, resume or 0, keep, finished),
        _stream_fault(sandbox, request),
        sandbox.closing,
        sandbox.stats,
    )


async def deployment_logs_stream(request: Request) -> Response:
    """GET /deployments/{name}/logs/stream: `log` frames of the deployment; tails until the client leaves."""
    sandbox = sandbox_of(request)
    deployment = sandbox.store.deployment(request.path_params["name"])
    q = parse_query(request, DeploymentLogsStreamQuery)
    resume = _resume(request, q.last_event_id)
    after = as_utc(q.after) if q.after and resume is None else None

    def keep(r: LogRecord) -> bool:
        return (
            r.deployment_name == deployment.name
            and (q.worker_name is None or r.worker_name == q.worker_name)
            and (q.workflow_name is None or r.workflow_name == q.workflow_name)
            and (after is None or r.timestamp > after)
        )

    return sse_response(
        _log_frames(sandbox, resume or 0, keep, lambda: False),
        _stream_fault(sandbox, request),
        sandbox.closing,
        sandbox.stats,
    )

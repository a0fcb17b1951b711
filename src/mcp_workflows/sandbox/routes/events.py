"""Workflow events: a page of typed events (`/events/list`), oldest first, and the live stream (`/events/stream`)."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import one_validation_error
from ..models import StreamEvent
from ..params import paginate, parse_query
from ..runtime import sandbox_of
from ..sse import KEEPALIVE, sse_response
from . import streaming
from .paths import P


class ListEventsQuery(BaseModel):
    root_workflow_exec_id: str | None = None
    workflow_exec_id: str | None = None
    workflow_run_id: str | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = None


async def list_events(request: Request) -> Response:
    """Events filtered by execution, root or run; `next_cursor` pages."""
    sandbox = sandbox_of(request)
    q = parse_query(request, ListEventsQuery)
    events = [
        e
        for e in sandbox.store.events
        if (q.root_workflow_exec_id is None or e.data["root_workflow_exec_id"] == q.root_workflow_exec_id)
        and (q.workflow_exec_id is None or e.execution_id == q.workflow_exec_id)
        and (q.workflow_run_id is None or e.run_id == q.workflow_run_id)
    ]
    page, next_cursor = paginate(events, q.cursor, q.limit)
    return JSONResponse({"events": [e.data for e in page], "next_cursor": next_cursor})


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


def _like(pattern: str, value: str | None) -> bool:
    return pattern == "*" or fnmatch.fnmatchcase(value or "", pattern)


def _same(value: Any, wanted: Any) -> bool:
    """A metadata value against a filter: JSON filters compare as JSON, query-string ones as text."""
    return value == wanted or (isinstance(wanted, str) and not isinstance(value, str) and json.dumps(value) == wanted)


def _metadata_filters(request: Request, q: EventsStreamQuery) -> dict[str, Any]:
    """`metadata_filters`, in either form clients send it.

    The official SDK serialises the object form-exploded (`?deployment_name=x`: every query key that is not a
    declared parameter); the docs show it as JSON (`?metadata_filters={"deployment_name":"x"}`). Both count.
    """
    declared = {info.alias or name for name, info in EventsStreamQuery.model_fields.items()}
    filters: dict[str, Any] = {k: v for k, v in request.query_params.items() if k not in declared}
    if q.metadata_filters:
        try:
            parsed = json.loads(q.metadata_filters)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise one_validation_error(
                ["query", "metadata_filters"], "Input should be a JSON object", "dict_type", q.metadata_filters
            )
        filters.update(parsed)
    return filters


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
            and all(k in e.metadata and _same(e.metadata[k], v) for k, v in metadata.items())
        )

    return keep


async def events_stream(request: Request) -> Response:
    """GET /events/stream: every matching event from `start_seq` (inclusive), then live; never ends by itself.

    The `last-event-id` header (a broker_sequence already seen) wins over start_seq and resumes after it.
    """
    sandbox = sandbox_of(request)
    q = parse_query(request, EventsStreamQuery)
    metadata = _metadata_filters(request, q)
    header = streaming.seq(request.headers.get("last-event-id"), "last-event-id")
    start = header + 1 if header is not None else q.start_seq
    keep = _events_filter(q, metadata)
    rule = streaming.stream_fault(sandbox, request)
    closing = sandbox.closing

    async def frames() -> AsyncIterator[bytes]:
        position = max(0, start - 1)
        while True:
            for event in sandbox.store.events.after(position):
                position = event.seq
                if keep(event):
                    yield streaming.event_frame(event)
            if await streaming.idle(sandbox):
                yield KEEPALIVE
            if closing.is_set():
                return

    return sse_response(frames(), rule, closing, sandbox.stats)


ROUTES = [
    Route(P + "/events/stream", events_stream, methods=["GET"]),
    Route(P + "/events/list", list_events, methods=["GET"]),
]

"""Server-sent events from the Workflows API: typed errors, resumption, and reads that always end.

    async with api.executions.stream(execution_id, after=cursor) as frames:   # 4xx/5xx raise here
        read = await read_bounded(frames, max_events=50, max_seconds=20)
    read.frames, read.cursor, read.next_start_seq, read.ended, read.timed_out, read.error

- Frames are parsed by httpx2's own reader (`httpx2.EventSource`, derived from httpx-sse, the one
  the `mcp` SDK uses), which bounds every event's size; comments (heartbeats) never surface.
- `open_stream` sends one GET over the shared client; a non-2xx answer raises the same typed
  errors as `ApiHttp.call`, a connection failure `TransportFailure`. Streams are not retried:
  the caller resumes from its cursor.
- An `event: error` frame, or a bare `{error, reason}` payload, raises `StreamFailed`.
- Leaving the `async with` (normally, by exception, or by cancelling the task, which is what an
  MCP call cancellation does) closes the upstream response at once.
- Tools never hold a stream open without a bound: `read_bounded` stops after N frames or T
  seconds, whichever comes first, and returns what it saw plus the cursor to resume from.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import httpx2
from httpx2 import EventSource, ServerSentEvent
from pydantic import BaseModel, ValidationError

from mcp_workflows.api.errors import UpstreamUnavailable, WorkflowsAPIError
from mcp_workflows.api.http import ApiHttp, QueryValue, Target, error_from_response, transport_failure
from mcp_workflows.api.models.events import StreamEvent
from mcp_workflows.api.operations import Operation

M = TypeVar("M", bound=BaseModel)

STREAM_CONNECT_TIMEOUT_S = 10.0
MAX_EVENT_BYTES = 1024 * 1024
_ERROR_KEYS = frozenset({"error", "reason", "code", "detail"})

Frames = AsyncIterator[ServerSentEvent]


class StreamFailed(UpstreamUnavailable):
    """The stream reported an error after it had started (an `event: error` frame)."""


def frame_json(frame: ServerSentEvent) -> Any:
    """The frame's data decoded as JSON, or the raw text when it is not JSON (None when empty)."""
    try:
        return json.loads(frame.data) if frame.data else None
    except ValueError:
        return frame.data


def parse_frame(frame: ServerSentEvent, model: type[M]) -> M | None:
    """The frame's data as `model`, or None when it does not fit (e.g. a frame of another kind)."""
    try:
        return model.model_validate(frame_json(frame))
    except ValidationError:
        return None


def stream_event(frame: ServerSentEvent) -> StreamEvent | None:
    """The frame's data as a `StreamEvent` (execution and events streams)."""
    return parse_frame(frame, StreamEvent)


@asynccontextmanager
async def open_stream(
    http: ApiHttp,
    operation: Operation,
    *,
    path_params: Mapping[str, str] | None = None,
    params: Mapping[str, QueryValue] | None = None,
    headers: Mapping[str, str | None] | None = None,
    target: Target | None = None,
) -> AsyncIterator[Frames]:
    """Open one stream; failures before the first frame raise the same typed errors as calls.

    Query values and headers that are None are not sent.
    """
    url = operation.url_path(**(path_params or {}))
    query = {k: v for k, v in (params or {}).items() if v is not None and v != []}
    request_headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
    request_headers.update({k: v for k, v in (headers or {}).items() if v is not None})
    try:
        async with http.client.stream(
            operation.method,
            url,
            params=query,
            headers=request_headers,
            timeout=httpx2.Timeout(None, connect=STREAM_CONNECT_TIMEOUT_S),
        ) as response:
            if not response.is_success:
                await response.aread()
                raise error_from_response(response, operation, target)
            source = EventSource(response, max_event_size=MAX_EVENT_BYTES)
            async with aclosing(_checked(source.__aiter__(), operation, target)) as frames:
                yield frames
    except httpx2.TransportError as exc:  # SSEError (bad content type, oversized event) included
        raise transport_failure(exc, operation, target) from None


def stream_error(frame: ServerSentEvent) -> str | None:
    """The reason of an error frame (`event: error`, or a bare `{error, reason}` payload), else None."""
    payload = frame_json(frame)
    is_error_payload = isinstance(payload, dict) and "error" in payload and set(payload) <= _ERROR_KEYS
    if frame.event != "error" and not is_error_payload:
        return None
    if isinstance(payload, dict):
        return str(payload.get("reason") or payload.get("error") or payload.get("detail") or "unknown error")
    return str(payload or "unknown error")


async def _checked(frames: Frames, operation: Operation, target: Target | None) -> AsyncGenerator[ServerSentEvent]:
    async for frame in frames:
        reason = stream_error(frame)
        if reason is not None:
            payload = frame_json(frame)
            raise StreamFailed(
                detail=f"the stream failed: {reason}"[:2000],
                code=str(payload["error"]) if isinstance(payload, dict) and payload.get("error") else None,
                operation=operation.operation_id,
                resource=target.resource if target else None,
                identifier=target.identifier if target else None,
                body=payload if isinstance(payload, dict) else {},
            )
        yield frame


@dataclass
class BoundedRead:
    """What a bounded read saw, and how to continue.

    Resume with `cursor` (the last SSE id: `after=` / `resume=` on the api methods) or, for the
    events stream, with `next_start_seq` (last broker_sequence + 1, since start_seq is inclusive).
    """

    frames: list[ServerSentEvent] = field(default_factory=lambda: [])
    last_id: str | None = None
    last_sequence: int | None = None  # broker_sequence of the last StreamEvent seen
    ended: bool = False  # the server closed the stream (nothing more will come)
    timed_out: bool = False
    error: WorkflowsAPIError | None = None

    @property
    def cursor(self) -> str | None:
        return self.last_id

    @property
    def next_start_seq(self) -> int | None:
        return None if self.last_sequence is None else self.last_sequence + 1

    def events(self) -> list[StreamEvent]:
        """The frames that are stream events, typed (other frames are left out)."""
        return [event for frame in self.frames if (event := stream_event(frame)) is not None]


async def read_bounded(frames: Frames, *, max_events: int, max_seconds: float, after: str | None = None) -> BoundedRead:
    """Collect at most `max_events` frames for at most `max_seconds`; never raises a stream error
    (it is returned in `error`). `after` seeds the cursor, so a read that sees nothing still
    returns where to resume.

    After `max_events` the same `frames` can be read again; after a timeout or an error the
    iterator is finished: leave the `async with` and reopen the stream from the cursor."""
    read = BoundedRead(last_id=after)
    if max_events <= 0:
        return read
    with anyio.move_on_after(max(0.0, max_seconds)) as scope:
        try:
            async for frame in frames:
                read.frames.append(frame)
                read.last_id = frame.id or read.last_id
                payload = frame_json(frame)
                if isinstance(payload, dict) and isinstance(payload.get("broker_sequence"), int):
                    read.last_sequence = payload["broker_sequence"]
                if len(read.frames) >= max_events:
                    break
            else:
                read.ended = True
        except WorkflowsAPIError as exc:
            read.error = exc
    read.timed_out = scope.cancelled_caught
    return read

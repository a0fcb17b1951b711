"""Server-sent events from the Workflows API: parsing, resumption, and reads that always end.

    async with api.executions.stream(execution_id, after=cursor) as frames:   # 4xx/5xx raise here
        read = await read_bounded(frames, max_events=50, max_seconds=20)
    read.frames, read.cursor, read.next_start_seq, read.ended, read.timed_out, read.error

- `open_stream` sends one GET over the shared client (`ApiHttp.client.stream`); a non-2xx answer
  raises the same typed errors as `ApiHttp.call` (404 `NotFound`, 503 `UpstreamUnavailable`...),
  a connection failure raises `TransportFailure`. Streams are not retried: the caller resumes.
- Inside the `async with`, `frames` is an async iterator of `SSEFrame`s (event, id, retry,
  multi-line data joined with newlines, JSON-decoded on demand); comments (heartbeats) are
  skipped. An `event: error` frame, or a `{error, reason}` payload, raises `StreamFailed`.
- Leaving the `async with` (normally, by exception, or by cancelling the task, which is what an
  MCP call cancellation does) closes the upstream response at once.
- Tools never hold a stream open without a bound: `read_bounded` stops after N frames or T seconds,
  whichever comes first, and returns what it saw plus the cursor to resume from.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import httpx2
from pydantic import BaseModel, ValidationError

from mcp_workflows.api.errors import UpstreamUnavailable, WorkflowsAPIError
from mcp_workflows.api.http import ApiHttp, QueryValue, Target, error_from_response, transport_failure
from mcp_workflows.api.models.events import StreamEvent
from mcp_workflows.api.operations import Operation

M = TypeVar("M", bound=BaseModel)

STREAM_CONNECT_TIMEOUT_S = 10.0
_ERROR_KEYS = frozenset({"error", "reason", "code", "detail"})


@dataclass(frozen=True)
class SSEFrame:
    """One server-sent event."""

    event: str | None
    id: str | None
    data: str
    retry: int | None = None

    def json(self) -> Any:
        """The data decoded as JSON, or the raw text when it is not JSON."""
        try:
            return json.loads(self.data) if self.data else None
        except ValueError:
            return self.data

    @property
    def payload(self) -> Any:
        return self.json()

    def parse(self, model: type[M]) -> M | None:
        """The data as `model`, or None when it does not fit (e.g. a frame of another kind)."""
        try:
            return model.model_validate(self.json())
        except ValidationError:
            return None

    def stream_event(self) -> StreamEvent | None:
        """The data as a `StreamEvent` (execution and events streams)."""
        return self.parse(StreamEvent)


class StreamFailed(UpstreamUnavailable):
    """The stream reported an error after it had started (an `event: error` frame)."""


async def parse_frames(lines: AsyncIterator[str]) -> AsyncGenerator[SSEFrame]:
    """SSE wire format: fields until a blank line; `:` lines are comments (heartbeats).

    The last `id` persists across frames, as the SSE spec says, so every frame carries the
    cursor to resume from.
    """
    event: str | None = None
    event_id: str | None = None
    retry: int | None = None
    data: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data or event is not None:
                yield SSEFrame(event=event, id=event_id, data="\n".join(data), retry=retry)
            event, retry, data = None, None, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id" and "\0" not in value:
            event_id = value
        elif name == "retry" and value.isdigit():
            retry = int(value)
    if data:
        yield SSEFrame(event=event, id=event_id, data="\n".join(data), retry=retry)


@asynccontextmanager
async def open_stream(
    http: ApiHttp,
    operation: Operation,
    *,
    path_params: Mapping[str, str] | None = None,
    params: Mapping[str, QueryValue] | None = None,
    headers: Mapping[str, str | None] | None = None,
    target: Target | None = None,
) -> AsyncIterator[AsyncGenerator[SSEFrame]]:
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
            async with aclosing(_checked(parse_frames(response.aiter_lines()), operation, target)) as frames:
                yield frames
    except httpx2.TransportError as exc:
        raise transport_failure(exc, operation, target) from None


def stream_error(frame: SSEFrame) -> str | None:
    """The reason of an error frame (`event: error`, or a bare `{error, reason}` payload), else None."""
    payload = frame.json()
    is_error_payload = isinstance(payload, dict) and "error" in payload and set(payload) <= _ERROR_KEYS
    if frame.event != "error" and not is_error_payload:
        return None
    if isinstance(payload, dict):
        return str(payload.get("reason") or payload.get("error") or payload.get("detail") or "unknown error")
    return str(payload or "unknown error")


async def _checked(
    frames: AsyncGenerator[SSEFrame], operation: Operation, target: Target | None
) -> AsyncGenerator[SSEFrame]:
    async with aclosing(frames):
        async for frame in frames:
            reason = stream_error(frame)
            if reason is not None:
                payload = frame.json()
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

    frames: list[SSEFrame] = field(default_factory=lambda: [])
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
        return [event for frame in self.frames if (event := frame.stream_event()) is not None]


async def read_bounded(
    frames: AsyncIterator[SSEFrame], *, max_events: int, max_seconds: float, after: str | None = None
) -> BoundedRead:
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
                payload = frame.json()
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

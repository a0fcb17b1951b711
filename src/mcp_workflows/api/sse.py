"""Server-sent events from the Workflows API: parsing, resumption, and reads that always end.

Tools never hold a stream open without a bound: `read_bounded` stops after N frames or T seconds
(whichever comes first) and returns what it saw plus the cursor to resume from. Leaving the
`async with` (or cancelling the task) closes the upstream response at once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2

from mcp_workflows.api.errors import UpstreamUnavailable, WorkflowsAPIError
from mcp_workflows.api.http import ApiHttp, QueryValue, Target, error_from_response, transport_failure
from mcp_workflows.api.operations import Operation


@dataclass(frozen=True)
class SSEFrame:
    """One server-sent event."""

    event: str | None
    id: str | None
    data: str
    retry: int | None = None

    def json(self) -> Any:
        try:
            return json.loads(self.data) if self.data else None
        except ValueError:
            return self.data


class StreamFailed(UpstreamUnavailable):
    """The stream reported an error after it had started (an `event: error` frame)."""


async def parse_frames(lines: AsyncIterator[str]) -> AsyncGenerator[SSEFrame]:
    """SSE wire format: fields until a blank line; `:` lines are comments (heartbeats)."""
    event: str | None = None
    event_id: str | None = None
    retry: int | None = None
    data: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r")
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
        elif name == "id":
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
    headers: Mapping[str, str] | None = None,
    target: Target | None = None,
) -> AsyncIterator[AsyncGenerator[SSEFrame]]:
    """Open one stream; failures before the first frame raise the same typed errors as calls."""
    url = operation.url_path(**(path_params or {}))
    query = {k: v for k, v in (params or {}).items() if v is not None and v != []}
    request_headers = {"Accept": "text/event-stream", **(headers or {})}
    try:
        async with http.client.stream(
            operation.method, url, params=query, headers=request_headers, timeout=httpx2.Timeout(None, connect=10.0)
        ) as response:
            if not response.is_success:
                await response.aread()
                raise error_from_response(response, operation, target)
            yield _checked(parse_frames(response.aiter_lines()), operation)
    except httpx2.TransportError as exc:
        raise transport_failure(exc, operation, target) from None


async def _checked(frames: AsyncGenerator[SSEFrame], operation: Operation) -> AsyncGenerator[SSEFrame]:
    async for frame in frames:
        payload = frame.json()
        if frame.event == "error" or (isinstance(payload, dict) and "error" in payload and len(payload) <= 3):
            reason = payload.get("reason") or payload.get("error") if isinstance(payload, dict) else frame.data
            raise StreamFailed(detail=f"the stream failed: {reason}", operation=operation.operation_id)
        yield frame


@dataclass
class BoundedRead:
    """What a bounded read saw, and how to continue."""

    frames: list[SSEFrame] = field(default_factory=lambda: [])
    last_id: str | None = None
    ended: bool = False  # the server closed the stream (nothing more will come)
    timed_out: bool = False
    error: WorkflowsAPIError | None = None


async def read_bounded(frames: AsyncGenerator[SSEFrame], *, max_events: int, max_seconds: float) -> BoundedRead:
    """Collect at most `max_events` frames for at most `max_seconds`; never raises a stream error."""
    read = BoundedRead()
    with anyio.move_on_after(max(0.0, max_seconds)) as scope:
        try:
            async with aclosing(frames):
                async for frame in frames:
                    read.frames.append(frame)
                    read.last_id = frame.id or read.last_id
                    if len(read.frames) >= max_events:
                        break
                else:
                    read.ended = True
        except WorkflowsAPIError as exc:
            read.error = exc
    read.timed_out = scope.cancelled_caught
    return read

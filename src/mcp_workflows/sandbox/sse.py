"""Server-sent-event framing and the stream faults (stall, end early) applied to every SSE route."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import StreamingResponse

from .config import FaultRule
from .faults import Stats

KEEPALIVE_S = 15.0


def frame(data: Any, *, event: str | None = None, id: str | None = None) -> bytes:
    """One SSE frame; `data` is JSON on a single line."""
    lines = []
    if event is not None:
        lines.append(f"event: {event}")
    if id is not None:
        lines.append(f"id: {id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


KEEPALIVE = b": keep-alive\n\n"


async def _with_fault(
    frames: AsyncIterator[bytes], rule: FaultRule | None, closing: asyncio.Event, stats: Stats
) -> AsyncIterator[bytes]:
    """Apply a stall_stream / end_stream_early rule after `after_events` real frames; stop when closing.

    Counts the stream as open until the client leaves, so tests can see that nobody leaks one.
    """
    sent = 0
    stats.open_streams += 1
    try:
        async for chunk in frames:
            if closing.is_set():
                return
            if rule is not None and sent >= rule.after_events and not chunk.startswith(b":"):
                if rule.kind == "stall_stream":
                    await closing.wait()  # silent until the client goes away or the sandbox shuts down
                return
            yield chunk
            if not chunk.startswith(b":"):
                sent += 1
    finally:
        stats.open_streams -= 1


def sse_response(
    frames: AsyncIterator[bytes], rule: FaultRule | None, closing: asyncio.Event, stats: Stats
) -> StreamingResponse:
    """A text/event-stream response that is never buffered or cached."""
    return StreamingResponse(
        _with_fault(frames, rule, closing, stats),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )

"""What the SSE routes of every area share: resume positions, stream faults, waiting for news, log frames."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from starlette.requests import Request

from ..config import FaultRule
from ..errors import one_validation_error
from ..models import LogRecord, StreamEvent
from ..runtime import Sandbox
from ..sse import KEEPALIVE, KEEPALIVE_S, frame

STREAM_FAULTS = ("stall_stream", "end_stream_early")


def seq(raw: str | None, name: str) -> int | None:
    """A resume position (a broker_sequence or log cursor we issued); 422 otherwise."""
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise one_validation_error(["query", name], "Input should be a valid integer", "int_parsing", raw) from exc
    return value


def stream_fault(sandbox: Sandbox, request: Request) -> FaultRule | None:
    return sandbox.faults.take(request.method, request.url.path, STREAM_FAULTS)


def event_frame(event: StreamEvent) -> bytes:
    return frame(event.to_payload(), event=event.event_type, id=str(event.seq))


async def idle(sandbox: Sandbox) -> bool:
    """Wait for the next change; True when the keep-alive period passed without one."""
    before = (sandbox.store.events.last_seq, sandbox.store.logs.last_seq)
    await sandbox.store.wait_change(KEEPALIVE_S)
    return (sandbox.store.events.last_seq, sandbox.store.logs.last_seq) == before


def log_frames(
    sandbox: Sandbox, start: int, keep: Callable[[LogRecord], bool], finished: Callable[[], bool]
) -> AsyncIterator[bytes]:
    closing = sandbox.closing

    async def frames() -> AsyncIterator[bytes]:
        position = start
        while True:
            for record in sandbox.store.logs.after(position):
                position = record.seq
                if keep(record):
                    yield frame(record.to_json(), event="log", id=str(record.seq))
            if finished():
                return
            if await idle(sandbox):
                yield KEEPALIVE
            if closing.is_set():
                return

    return frames()


def resume(request: Request, query_value: str | None) -> int | None:
    header = request.headers.get("last-event-id")
    return seq(header, "Last-Event-ID") if header else seq(query_value, "last_event_id")

"""The SSE reader: wire format, error frames, resumption headers, bounded reads that always end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.errors import NotFound, UpstreamUnavailable
from mcp_workflows.api.sse import StreamFailed, parse_frames, read_bounded

pytestmark = pytest.mark.anyio


async def lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


async def test_parses_multiline_data_ids_events_and_skips_comments() -> None:
    raw = [": heartbeat", "event: log", "id: 7", 'data: {"a":', "data: 1}", "", "retry: 500", "data: x", ""]
    frames = [frame async for frame in parse_frames(lines(*raw))]
    assert [(f.event, f.id, f.data) for f in frames] == [("log", "7", '{"a":\n1}'), (None, "7", "x")]
    assert frames[0].json() == {"a": 1}
    assert frames[1].retry == 500


def streaming_client(body: list[bytes], seen: list[httpx2.Request], status: int = 200) -> WorkflowsClient:
    class Body(httpx2.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for chunk in body:
                yield chunk

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(status, stream=Body(), headers={"content-type": "text/event-stream"})

    return WorkflowsClient(base_url="http://api.test", api_key="k", transport=httpx2.MockTransport(handle))


def frame(seq: int, event_type: str = "ACTIVITY_TASK_STARTED") -> bytes:
    return f'event: {event_type}\nid: {seq}\ndata: {{"broker_sequence": {seq}}}\n\n'.encode()


async def test_bounded_read_stops_at_max_events_and_reports_the_cursor() -> None:
    seen: list[httpx2.Request] = []
    client = streaming_client([frame(i) for i in range(1, 10)], seen)
    async with client.executions.stream("e1", after="0") as frames:
        read = await read_bounded(frames, max_events=3, max_seconds=5)
    assert [f.id for f in read.frames] == ["1", "2", "3"]
    assert read.last_id == "3"
    assert not read.ended
    assert seen[0].url.params["last_event_id"] == "0"


async def test_bounded_read_reports_a_stream_that_ended() -> None:
    client = streaming_client([frame(1), frame(2, "WORKFLOW_EXECUTION_COMPLETED")], [])
    async with client.executions.stream("e1") as frames:
        read = await read_bounded(frames, max_events=10, max_seconds=5)
    assert read.ended
    assert len(read.frames) == 2


async def test_error_frame_becomes_a_typed_error_not_an_exception() -> None:
    body = [frame(1), b'event: error\ndata: {"error": "boom", "reason": "event store down"}\n\n', frame(2)]
    client = streaming_client(body, [])
    async with client.executions.stream("e1") as frames:
        read = await read_bounded(frames, max_events=10, max_seconds=5)
    assert isinstance(read.error, StreamFailed)
    assert "event store down" in read.error.detail
    assert [f.id for f in read.frames] == ["1"]


async def test_stall_is_bounded_by_time() -> None:
    class Stalling(httpx2.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield frame(1)
            import anyio

            await anyio.sleep(60)
            yield frame(2)

    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, stream=Stalling()))
    client = WorkflowsClient(base_url="http://api.test", api_key="k", transport=transport)
    async with client.executions.stream("e1") as frames:
        read = await read_bounded(frames, max_events=10, max_seconds=0.2)
    assert read.timed_out
    assert [f.id for f in read.frames] == ["1"]


@pytest.mark.parametrize(("status", "error_type"), [(404, NotFound), (503, UpstreamUnavailable)])
async def test_errors_before_the_stream_starts_are_typed(status: int, error_type: type[Exception]) -> None:
    client = streaming_client([b'{"detail": "no logs"}'], [], status=status)
    with pytest.raises(error_type):
        async with client.observability.execution_logs_stream("e1", resume="cursor-9") as frames:
            await read_bounded(frames, max_events=1, max_seconds=1)


async def test_log_stream_resumes_with_last_event_id_header() -> None:
    seen: list[httpx2.Request] = []
    client = streaming_client([b'event: log\nid: c2\ndata: {"body": "hi"}\n\n'], seen)
    async with client.deployments.logs_stream("dep", resume="c1") as frames:
        read = await read_bounded(frames, max_events=5, max_seconds=5)
    assert seen[0].headers["last-event-id"] == "c1"
    assert read.last_id == "c2"

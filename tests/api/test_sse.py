"""Streams: what we rely on from httpx2's SSE reader, error frames, resumption, bounded reads, closing.

Streams are served by an httpx2 mock transport whose body is an async byte stream; the body
records when it is closed, so tests can check that leaving a stream closes the upstream response.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
import httpx2
import pytest
from httpx2 import ServerSentEvent

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.errors import NotFound, TransportFailure, Unauthorized, UpstreamUnavailable, WorkflowsAPIError
from mcp_workflows.api.models.events import StreamEvent
from mcp_workflows.api.models.observability import LogRecord
from mcp_workflows.api.streams import StreamFailed, frame_json, parse_frame, read_bounded, stream_error
from mcp_workflows.api.streams import stream_event as typed_event

from .conftest import BASE_URL, SPEC_OPERATIONS, schema_errors

pytestmark = pytest.mark.anyio

EXECUTION_STREAM = "stream_v1_workflows_executions__execution_id__stream_get"
EVENTS_STREAM = "get_stream_events_v1_workflows_events_stream_get"
EXECUTION_LOGS_STREAM = "stream_workflow_execution_logs"
DEPLOYMENT_LOGS_STREAM = "stream_deployment_logs"


class Body(httpx2.AsyncByteStream):
    """A streaming response body: the given chunks, then optionally a stall; records aclose()."""

    def __init__(self, chunks: Iterable[bytes], *, stall: bool = False) -> None:
        self.chunks = list(chunks)
        self.stall = stall
        self.sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.sent += 1
            yield chunk
        if self.stall:
            await anyio.sleep_forever()

    async def aclose(self) -> None:
        self.closed = True


class Server:
    """Serves one `Body` per request and records the requests."""

    def __init__(self, body: Body, status: int = 200, content_type: str = "text/event-stream") -> None:
        self.body = body
        self.status = status
        self.content_type = content_type
        self.requests: list[httpx2.Request] = []

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return httpx2.Response(self.status, stream=self.body, headers={"content-type": self.content_type})

    def client(self) -> WorkflowsClient:
        return WorkflowsClient(base_url=BASE_URL, api_key="k", transport=httpx2.MockTransport(self.handle))


def stream_event(seq: int, event_type: str = "ACTIVITY_TASK_STARTED", exec_id: str = "e1") -> dict[str, Any]:
    return {
        "stream": "workflow",
        "broker_sequence": seq,
        "timestamp": "2026-01-01T00:00:00Z",
        "workflow_context": {"namespace": "ns", "workflow_name": "greeting", "workflow_exec_id": exec_id},
        "metadata": {},
        "data": {
            "event_type": event_type,
            "event_id": f"ev{seq}",
            "event_timestamp": 1_767_225_600_000_000_000 + seq,
            "workflow_exec_id": exec_id,
            "workflow_run_id": "r1",
            "workflow_name": "greeting",
            "attributes": {"activity_name": "greet", "task_id": str(seq)},
        },
    }


async def drain(stream: AbstractAsyncContextManager[AsyncIterator[ServerSentEvent]]) -> list[ServerSentEvent]:
    """Open a stream and read it to the end."""
    async with stream as frames:
        return [f async for f in frames]


def frame(seq: int, event_type: str = "ACTIVITY_TASK_STARTED") -> bytes:
    return f"event: {event_type}\nid: {seq}\ndata: {json.dumps(stream_event(seq, event_type))}\n\n".encode()


# --- wire format -------------------------------------------------------------------------------


async def read_all(*chunks: bytes) -> list[ServerSentEvent]:
    async with Server(Body(chunks)).client().executions.stream("e1") as frames:
        return [f async for f in frames]


async def test_multiline_data_ids_events_and_comments() -> None:
    raw = b': heartbeat\nevent: log\nid: 7\ndata: {"a":\ndata: 1}\n\nretry: 500\ndata: x\n\n'
    frames = await read_all(raw)
    assert [(f.event, f.id, f.data) for f in frames] == [("log", "7", '{"a":\n1}'), ("message", "7", "x")]
    assert frame_json(frames[0]) == {"a": 1}
    assert frame_json(frames[1]) == "x", "data that is not JSON stays text"
    assert frames[1].retry == 500


async def test_a_partial_frame_at_the_end_of_the_stream_is_not_emitted() -> None:
    frames = await read_all(b"data: whole\n\n", b"event: x\ndata: cut-off")
    assert [f.data for f in frames] == ["whole"]


async def test_an_oversized_event_is_a_transport_failure() -> None:
    with pytest.raises(TransportFailure):
        await read_all(b"data: " + b"x" * (1024 * 1024 + 10) + b"\n\n")


async def test_a_body_that_is_not_an_event_stream_is_refused() -> None:
    server = Server(Body([b"{}"]), content_type="application/json")
    with pytest.raises(TransportFailure):
        await drain(server.client().executions.stream("e1"))


async def test_a_stream_of_heartbeats_ends_without_frames() -> None:
    server = Server(Body([b": keep-alive\n\n", b": keep-alive\n\n"]))
    async with server.client().executions.stream("e1") as frames:
        read = await read_bounded(frames, max_events=5, max_seconds=5)
    assert read.frames == []
    assert read.ended
    assert read.error is None


async def test_frames_split_across_chunks_are_reassembled() -> None:
    whole = frame(1) + frame(2)
    server = Server(Body([whole[:7], whole[7:40], whole[40:]]))
    async with server.client().executions.stream("e1") as frames:
        read = await read_bounded(frames, max_events=5, max_seconds=5)
    assert [f.id for f in read.frames] == ["1", "2"]


# --- typed frames ------------------------------------------------------------------------------


def test_stream_event_frames_are_typed() -> None:
    payload = stream_event(41, "WORKFLOW_EXECUTION_COMPLETED")
    payload["data"] |= {
        "root_workflow_exec_id": "e1",
        "parent_workflow_exec_id": None,
        "continued_run_id": None,
        "first_execution_run_id": "r1",
        "schedule_id": None,
        "attributes": {"task_id": "41", "result": {"type": "json", "value": {"text": "hi"}}},
    }
    assert schema_errors(EXECUTION_STREAM, "response_schema", {"event": "x", "id": "41", "data": payload}) == []
    parsed = typed_event(ServerSentEvent(event="x", id="41", data=json.dumps(payload)))
    assert isinstance(parsed, StreamEvent)
    assert parsed.broker_sequence == 41
    assert parsed.workflow_context.workflow_exec_id == "e1"
    assert parsed.data.event_type == "WORKFLOW_EXECUTION_COMPLETED"
    assert parsed.data.event_timestamp == 1_767_225_600_000_000_041
    assert parsed.data.attributes["result"]["value"] == {"text": "hi"}


def test_frames_of_another_kind_are_not_forced_into_a_model() -> None:
    log: dict[str, Any] = {"timestamp": "2026-01-01T00:00:00Z", "trace_id": "t", "span_id": "s"}
    log |= {"severity_text": "INFO", "body": "hi", "log_attributes": {}}
    assert schema_errors(EXECUTION_LOGS_STREAM, "response_schema", {"event": "log", "id": "c1", "data": log}) == []
    log_frame = ServerSentEvent(event="log", id="c1", data=json.dumps(log))
    assert typed_event(log_frame) is None
    record = parse_frame(log_frame, LogRecord)
    assert record is not None
    assert record.body == "hi"


def test_error_frames_are_recognised() -> None:
    assert stream_error(ServerSentEvent(event="error", data='{"error": "E", "reason": "down"}')) == "down"
    assert stream_error(ServerSentEvent(data='{"error": "E", "reason": "gone"}')) == "gone"
    assert stream_error(ServerSentEvent(event="error", data="plain text")) == "plain text"
    assert stream_error(ServerSentEvent(event="log", data='{"body": "an error happened"}')) is None
    assert stream_error(ServerSentEvent(data=json.dumps(stream_event(1)))) is None


# --- bounded reads -----------------------------------------------------------------------------


async def test_bounded_read_stops_at_max_events_and_reports_the_cursor() -> None:
    body = Body([frame(i) for i in range(1, 10)], stall=True)
    server = Server(body)
    async with server.client().executions.stream("e1", after="0") as frames:
        read = await read_bounded(frames, max_events=3, max_seconds=30)
    assert [f.id for f in read.frames] == ["1", "2", "3"]
    assert read.cursor == read.last_id == "3"
    assert read.last_sequence == 3
    assert read.next_start_seq == 4
    assert [e.data.event_id for e in read.events()] == ["ev1", "ev2", "ev3"]
    assert not read.ended
    assert not read.timed_out
    assert read.error is None
    assert body.closed


async def test_bounded_read_reports_a_stream_that_ended() -> None:
    server = Server(Body([frame(1), frame(2, "WORKFLOW_EXECUTION_COMPLETED")]))
    async with server.client().executions.stream("e1") as frames:
        read = await read_bounded(frames, max_events=10, max_seconds=30)
    assert read.ended
    assert not read.timed_out
    assert len(read.frames) == 2


async def test_a_stalled_stream_is_bounded_by_time_and_keeps_the_cursor() -> None:
    body = Body([frame(5)], stall=True)
    server = Server(body)
    async with server.client().executions.stream("e1", after="4") as frames:
        read = await read_bounded(frames, max_events=10, max_seconds=0.05, after="4")
    assert read.timed_out
    assert not read.ended
    assert [f.id for f in read.frames] == ["5"]
    assert read.cursor == "5"
    assert body.closed


async def test_a_read_that_sees_nothing_returns_the_cursor_it_started_from() -> None:
    server = Server(Body([], stall=True))
    async with server.client().executions.stream("e1", after="17") as frames:
        read = await read_bounded(frames, max_events=10, max_seconds=0.01, after="17")
    assert read.timed_out
    assert read.frames == []
    assert read.cursor == "17"
    assert read.next_start_seq is None


async def test_zero_max_events_reads_nothing() -> None:
    body = Body([frame(1)])
    async with Server(body).client().executions.stream("e1") as frames:
        read = await read_bounded(frames, max_events=0, max_seconds=5)
    assert read.frames == []
    assert not read.ended
    assert not read.timed_out
    assert body.sent == 0


async def test_two_bounded_reads_continue_on_the_same_stream() -> None:
    async with Server(Body([frame(i) for i in range(1, 6)])).client().executions.stream("e1") as frames:
        first = await read_bounded(frames, max_events=2, max_seconds=5)
        second = await read_bounded(frames, max_events=10, max_seconds=5)
    assert [f.id for f in first.frames] == ["1", "2"]
    assert [f.id for f in second.frames] == ["3", "4", "5"]
    assert second.ended


# --- errors ------------------------------------------------------------------------------------


async def test_error_frame_becomes_a_typed_error_in_the_read() -> None:
    body = [frame(1), b'event: error\ndata: {"error": "WF_1400", "reason": "event store down"}\n\n', frame(2)]
    async with Server(Body(body)).client().executions.stream("e1") as frames:
        read = await read_bounded(frames, max_events=10, max_seconds=5)
    assert isinstance(read.error, StreamFailed)
    assert "event store down" in read.error.detail
    assert read.error.code == "WF_1400"
    assert read.error.operation == EXECUTION_STREAM
    assert read.error.identifier == "e1"
    assert [f.id for f in read.frames] == ["1"]
    assert read.cursor == "1"


async def test_error_payload_without_error_event_raises_when_iterating() -> None:
    body = [b'data: {"error": "boom", "reason": "backend unavailable"}\n\n']
    with pytest.raises(StreamFailed, match="backend unavailable"):
        await drain(Server(Body(body)).client().events.stream())


@pytest.mark.parametrize(("status", "error_type"), [(404, NotFound), (503, UpstreamUnavailable)])
@pytest.mark.parametrize("which", ["execution logs", "deployment logs"])
async def test_errors_before_the_log_streams_start_are_typed(
    status: int, error_type: type[WorkflowsAPIError], which: str
) -> None:
    operation = EXECUTION_LOGS_STREAM if which == "execution logs" else DEPLOYMENT_LOGS_STREAM
    assert status in SPEC_OPERATIONS[operation]["error_statuses"]
    body = Body([json.dumps({"detail": "no such thing", "code": "WF_1100"}).encode()])
    server = Server(body, status=status, content_type="application/json")
    client = server.client()
    stream = (
        client.observability.execution_logs_stream("e1")
        if which == "execution logs"
        else client.deployments.logs_stream("dep")
    )
    with pytest.raises(error_type) as caught:
        async with stream:
            pytest.fail("the body must not run when the stream failed to open")
    error = caught.value
    assert isinstance(error, error_type)
    assert error.status == status
    assert error.operation == operation
    assert error.detail == "no such thing"
    assert error.code == "WF_1100"
    assert body.closed
    assert len(server.requests) == 1, "streams are not retried: the caller resumes"


async def test_unauthorized_before_the_execution_stream_starts() -> None:
    server = Server(Body([b'{"detail": "bad key"}']), status=401, content_type="application/json")
    with pytest.raises(Unauthorized):
        async with server.client().executions.stream("e1"):
            pytest.fail("unreachable")


async def test_connection_failure_is_a_transport_failure() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    client = WorkflowsClient(base_url=BASE_URL, api_key="k", transport=httpx2.MockTransport(refuse))
    with pytest.raises(TransportFailure) as caught:
        async with client.events.stream(start_seq=1):
            pytest.fail("unreachable")
    assert caught.value.operation == EVENTS_STREAM
    assert "k" not in caught.value.detail.split()


async def test_a_connection_dropped_mid_stream_is_a_transport_failure() -> None:
    class Dropping(Body):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield frame(1)
            raise httpx2.ReadError("connection reset")

    with pytest.raises(TransportFailure):
        await drain(Server(Dropping([])).client().executions.stream("e1"))


# --- closing -----------------------------------------------------------------------------------


async def test_leaving_the_stream_early_closes_the_response_at_once() -> None:
    body = Body([frame(i) for i in range(1, 100)], stall=True)
    async with Server(body).client().executions.stream("e1") as frames:
        async for _ in frames:
            break
        assert not body.closed
    assert body.closed
    assert body.sent < 100


async def test_an_exception_in_the_caller_closes_the_response() -> None:
    body = Body([frame(1)], stall=True)

    async def give_up() -> None:
        async with Server(body).client().executions.stream("e1") as frames:
            async for _ in frames:
                raise RuntimeError("caller gave up")

    with pytest.raises(RuntimeError):
        await give_up()
    assert body.closed


async def test_cancelling_the_reading_task_closes_the_response() -> None:
    body = Body([frame(1)], stall=True)
    seen: list[ServerSentEvent] = []
    first = anyio.Event()

    async def follow() -> None:
        async with Server(body).client().executions.stream("e1") as frames:
            async for f in frames:
                seen.append(f)
                first.set()

    async with anyio.create_task_group() as group:
        group.start_soon(follow)
        await first.wait()
        assert not body.closed
        group.cancel_scope.cancel()
    assert [f.id for f in seen] == ["1"]
    assert body.closed


# --- resumption and request shape ------------------------------------------------------------


def request_query(request: httpx2.Request) -> dict[str, list[str]]:
    return {key: request.url.params.get_list(key) for key in request.url.params}


async def test_execution_stream_request_resumes_with_last_event_id() -> None:
    server = Server(Body([]))
    async with server.client().executions.stream("e 1", after="42", event_source="HYBRID") as frames:
        await read_bounded(frames, max_events=1, max_seconds=5)
    request = server.requests[0]
    assert request.method == "GET"
    assert request.url.raw_path.decode().split("?")[0] == "/v1/workflows/executions/e%201/stream"
    assert request_query(request) == {"last_event_id": ["42"], "event_source": ["HYBRID"]}
    assert request.headers["accept"] == "text/event-stream"
    assert request.headers["authorization"] == "Bearer k"


async def test_events_stream_sends_filters_start_seq_and_the_resume_header() -> None:
    server = Server(Body([frame(8)]))
    async with server.client().events.stream(
        start_seq=8,
        workflow_name="greeting",
        workflow_exec_id="e1",
        root_workflow_exec_id="e0",
        parent_workflow_exec_id="e0",
        scope="activity",
        activity_name="greet",
        activity_id="3",
        stream="progress",
        workflow_event_types=["ACTIVITY_TASK_STARTED", "ACTIVITY_TASK_COMPLETED"],
        metadata_filters={"tenant": "acme"},
        resume="7",
    ) as frames:
        read = await read_bounded(frames, max_events=5, max_seconds=5)
    request = server.requests[0]
    assert request.url.path == "/v1/workflows/events/stream"
    assert request_query(request) == {
        "start_seq": ["8"],
        "workflow_name": ["greeting"],
        "workflow_exec_id": ["e1"],
        "root_workflow_exec_id": ["e0"],
        "parent_workflow_exec_id": ["e0"],
        "scope": ["activity"],
        "activity_name": ["greet"],
        "activity_id": ["3"],
        "stream": ["progress"],
        "workflow_event_types": ["ACTIVITY_TASK_STARTED", "ACTIVITY_TASK_COMPLETED"],
        "tenant": ["acme"],  # metadata_filters form-exploded, as the official client sends it
    }
    assert request.headers["last-event-id"] == "7"
    declared = {p["name"].lower() for p in SPEC_OPERATIONS[EVENTS_STREAM]["parameters"]}
    assert set(request_query(request)) - {"tenant"} <= declared
    assert "last-event-id" in declared
    assert read.next_start_seq == 9


async def test_events_stream_without_filters_sends_nothing_extra() -> None:
    server = Server(Body([]))
    async with server.client().events.stream() as frames:
        await read_bounded(frames, max_events=1, max_seconds=5)
    assert request_query(server.requests[0]) == {}
    assert "last-event-id" not in server.requests[0].headers


async def test_execution_log_stream_resumes_with_the_last_event_id_parameter() -> None:
    server = Server(Body([b'event: log\nid: c2\ndata: {"body": "hi", "timestamp": "2026-01-01T00:00:00Z"}\n\n']))
    async with server.client().observability.execution_logs_stream(
        "e1", run_id="r1", activity_id="4", after="2026-01-01T00:00:00Z", resume="c1"
    ) as frames:
        read = await read_bounded(frames, max_events=5, max_seconds=5)
    request = server.requests[0]
    assert request.url.path == "/v1/workflows/executions/e1/logs/stream"
    assert "last-event-id" not in request.headers
    assert request_query(request) == {
        "run_id": ["r1"],
        "activity_id": ["4"],
        "after": ["2026-01-01T00:00:00Z"],
        "last_event_id": ["c1"],
    }
    assert read.cursor == "c2"
    record = parse_frame(read.frames[0], LogRecord)
    assert record is not None
    assert record.body == "hi"


async def test_deployment_log_stream_resumes_with_the_last_event_id_parameter() -> None:
    server = Server(Body([b'event: log\nid: c9\ndata: {"body": "up", "timestamp": "2026-01-01T00:00:00Z"}\n\n']))
    async with server.client().deployments.logs_stream(
        "dep", worker_name="w1", workflow_name="greeting", resume="c8"
    ) as frames:
        read = await read_bounded(frames, max_events=5, max_seconds=5)
    request = server.requests[0]
    assert request.url.path == "/v1/workflows/deployments/dep/logs/stream"
    assert request_query(request) == {"worker_name": ["w1"], "workflow_name": ["greeting"], "last_event_id": ["c8"]}
    assert read.cursor == "c9"
    assert read.ended

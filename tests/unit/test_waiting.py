"""wait_for_end against upstream behaviour the sandbox does not show on demand: a stream that stays
open after the terminal event, a stream that is unavailable for a long wait.

The API is an httpx2 mock transport; where the schedule of checks is the point, time is virtual:
it passes only when every task waits, so a 50-second wait runs in milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx2
import pytest

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.server import waiting
from mcp_workflows.server.waiting import wait_for_end

pytestmark = pytest.mark.anyio

EXECUTION_PATH = "/v1/workflows/executions/e1"
STREAM_PATH = "/v1/workflows/executions/e1/stream"


def record(status: str, **extra: Any) -> dict[str, Any]:
    ended = status != "RUNNING"
    return {
        "workflow_name": "greeting",
        "execution_id": "e1",
        "root_execution_id": "e1",
        "status": status,
        "start_time": "2026-01-01T00:00:00Z",
        "end_time": "2026-01-01T00:00:05Z" if ended else None,
        "result": {"text": "hi"} if status == "COMPLETED" else None,
        **extra,
    }


def frame(seq: int, event_type: str, **attributes: Any) -> bytes:
    payload = {
        "stream": "workflow",
        "broker_sequence": seq,
        "data": {
            "event_type": event_type,
            "workflow_exec_id": "e1",
            "workflow_name": "greeting",
            "attributes": attributes,
        },
    }
    return f"id: {seq}\ndata: {json.dumps(payload)}\n\n".encode()


def api(handle: Callable[[httpx2.Request], httpx2.Response]) -> WorkflowsClient:
    return WorkflowsClient(base_url="http://upstream.test", api_key="k", transport=httpx2.MockTransport(handle))


async def test_the_wait_stops_reading_at_the_terminal_event_even_if_the_stream_stays_open() -> None:
    """Some proxies keep a stream open after its last event: the wait must end on the terminal
    event itself, and hand back that event's position."""
    pulled_past_the_end = anyio.Event()
    done = {"ended": False}

    async def body() -> AsyncIterator[bytes]:
        yield frame(1, "WORKFLOW_EXECUTION_STARTED")
        yield frame(2, "ACTIVITY_TASK_STARTED", activity_name="greet")
        done["ended"] = True
        yield frame(3, "WORKFLOW_EXECUTION_COMPLETED")
        pulled_past_the_end.set()
        yield frame(4, "ACTIVITY_TASK_STARTED", activity_name="late")
        await anyio.sleep_forever()

    def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == STREAM_PATH:
            return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body())
        return httpx2.Response(200, json=record("COMPLETED" if done["ended"] else "RUNNING"))

    client = api(handle)
    try:
        waited = await wait_for_end(client, "e1", budget_s=0.5)
    finally:
        await client.http.aclose()
    assert waited.execution.status == "COMPLETED"
    assert waited.cursor == "3", "the terminal event's position, to resume from"
    assert not pulled_past_the_end.is_set(), "nothing was read after the terminal event"


class VirtualTime:
    """`time` and `anyio` as waiting.py sees them: the clock moves only when every task waits.

    Once nothing can run, the clock jumps to the earliest wake-up of a sleep or a `move_on_after`
    deadline. A stream body places its frames in time by sleeping on the clock too. So a 50-second
    wait runs in milliseconds, and the check of a quiet stream runs exactly when the stream would
    have been quiet that long.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []  # the sleeps that ran to their end
        self._wakes: list[float] = []
        self._deadlines: list[tuple[float, anyio.CancelScope]] = []

    def monotonic(self) -> float:
        return self.now

    @contextmanager
    def move_on_after(self, seconds: float) -> Iterator[anyio.CancelScope]:
        deadline = (self.now + seconds, anyio.CancelScope())
        self._deadlines.append(deadline)
        try:
            with deadline[1] as scope:
                yield scope
        finally:
            self._deadlines.remove(deadline)

    async def sleep(self, seconds: float) -> None:
        wake = self.now + seconds
        self._wakes.append(wake)
        try:
            while self.now < wake:
                await anyio.wait_all_tasks_blocked()
                self.now = max(self.now, min([*self._wakes, *(at for at, _ in self._deadlines)]))
                for at, scope in self._deadlines:
                    if at <= self.now:
                        scope.cancel()
        finally:
            self._wakes.remove(wake)
        self.sleeps.append(seconds)
        await anyio.lowlevel.checkpoint()

    def __getattr__(self, name: str) -> Any:
        return getattr(anyio, name)


def virtual_time(monkeypatch: pytest.MonkeyPatch) -> VirtualTime:
    clock = VirtualTime()
    monkeypatch.setattr(waiting, "time", clock)
    monkeypatch.setattr(waiting, "anyio", clock)
    return clock


async def test_polling_backs_off_but_checks_at_least_every_five_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the stream unavailable, a long wait polls the record: quickly at first, then every
    5 s at most, so an execution that ends late in the wait is seen soon after it ends."""
    clock = virtual_time(monkeypatch)
    ends_at = 41.0
    gets: list[float] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == STREAM_PATH:
            return httpx2.Response(503, json={"detail": "streams are down"})
        gets.append(clock.now)
        return httpx2.Response(200, json=record("COMPLETED" if clock.now >= ends_at else "RUNNING"))

    client = api(handle)
    try:
        waited = await wait_for_end(client, "e1", budget_s=50)
    finally:
        await client.http.aclose()
    assert waited.execution.status == "COMPLETED"
    assert any("polled instead" in note for note in waited.notes)
    assert clock.sleeps[:4] == [0.2, 0.4, 0.8, 1.6], "quick checks first"
    assert max(clock.sleeps) == 5.0, "then every 5 s"
    assert clock.now - ends_at <= 5.0, "the end is seen within one poll interval"
    assert gets[-1] >= ends_at


class Progress:
    """The one Context method a wait uses: progress notifications, recorded."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    async def report_progress(self, progress: float, total: float | None, message: str | None) -> None:
        self.messages.append(message or "")


async def test_a_wait_whose_budget_runs_out_checks_once_more_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last check lands on the deadline itself; each change of status is reported once."""
    clock = virtual_time(monkeypatch)
    gets: list[float] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == STREAM_PATH:
            return httpx2.Response(503, json={"detail": "streams are down"})
        gets.append(clock.now)
        status = "RUNNING" if clock.now < 1 else "RETRYING_AFTER_ERROR"
        return httpx2.Response(200, json=record(status))

    progress = Progress()
    client = api(handle)
    try:
        # polls at 0.2, 0.6, 1.4, 3.0, 6.2, 11.2, 16.2: 0.8 s are left for the last one
        waited = await wait_for_end(client, "e1", budget_s=17, ctx=progress)  # type: ignore[arg-type]
    finally:
        await client.http.aclose()
    assert waited.execution.status == "RETRYING_AFTER_ERROR"
    assert clock.now == pytest.approx(17), "the whole budget, and no more"
    assert gets[-1] == pytest.approx(17)
    assert progress.messages == ["status RETRYING_AFTER_ERROR"], "one per change, none while nothing changes"


def events_upstream(events: list[dict[str, Any]]) -> Callable[[httpx2.Request], httpx2.Response]:
    """GET /v1/workflows/events/list as upstream serves it: one execution's events, oldest first,
    `limit` per page (50 when not given), resumed with the cursor of the page before."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.path != "/v1/workflows/events/list":
            return httpx2.Response(200, json=record("FAILED"))
        params = request.url.params
        mine = [e for e in events if e["workflow_exec_id"] == params.get("workflow_exec_id")]
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 50)
        page = mine[start : start + limit]
        more = start + limit < len(mine)
        return httpx2.Response(200, json={"events": page, "next_cursor": str(start + limit) if more else None})

    return handle


def event(event_type: str, execution_id: str = "e1", **attributes: Any) -> dict[str, Any]:
    return {"event_type": event_type, "workflow_exec_id": execution_id, "attributes": attributes}


@pytest.mark.parametrize("position", ["first", "last"])
async def test_the_failure_message_is_found_among_many_events_of_this_execution(position: str) -> None:
    failed = event("WORKFLOW_EXECUTION_FAILED", failure={"message": "the disk is full"})
    others = [event("ACTIVITY_TASK_COMPLETED") for _ in range(1200)]
    noise = [event("WORKFLOW_EXECUTION_FAILED", "other", failure={"message": "not this one"})]
    events = noise + ([failed, *others] if position == "first" else [*others, failed])
    client = api(events_upstream(events))
    try:
        waited = await wait_for_end(client, "e1", budget_s=0)
    finally:
        await client.http.aclose()
    assert waited.failure == "the disk is full"


@pytest.mark.parametrize(
    ("attributes", "failure"),
    [
        ({"failure": {"message": "the disk is full"}}, "the disk is full"),
        ({"failure": {"message": "x" * 5000}}, "x" * 2000),
        ({"failure": {"message": ""}}, None),
        ({"failure": "not an object"}, None),
        ({}, None),
    ],
)
async def test_a_failed_execution_reports_its_failure_message_when_there_is_one(
    attributes: dict[str, Any], failure: str | None
) -> None:
    """The message lives in the failure event, which may lack one: the wait reports what there is."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/v1/workflows/events/list":
            event = {"event_type": "WORKFLOW_EXECUTION_FAILED", "workflow_exec_id": "e1", "attributes": attributes}
            return httpx2.Response(200, json={"events": [event], "next_cursor": None})
        return httpx2.Response(200, json=record("FAILED"))

    client = api(handle)
    try:
        waited = await wait_for_end(client, "e1", budget_s=0)
    finally:
        await client.http.aclose()
    assert waited.execution.status == "FAILED"
    assert waited.failure == failure

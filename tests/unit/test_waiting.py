"""wait_for_end against upstream behaviour the sandbox does not show on demand: a stream that stays
open after the terminal event or goes quiet, a stream that is unavailable for a long wait, a
workflow that asks a person, a wait resumed from its cursor; and what each costs in requests.

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
from mcp_workflows.api.models.executions import Execution
from mcp_workflows.server import waiting
from mcp_workflows.server.registrations import Registrations
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
        self.numbers: list[float] = []
        self.messages: list[str] = []

    async def report_progress(self, progress: float, total: float | None, message: str | None) -> None:
        self.numbers.append(progress)
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


Body = Callable[[int], AsyncIterator[bytes]]


class Upstream:
    """The API as execution e1 of `greeting`, a workflow that waits for people, shows it; every
    request is recorded as "METHOD path". `stream(after)` serves the frames after `last_event_id`
    (None: the stream is unavailable); `pending()` is the task ids of the forms it waits on;
    `events` its stored events."""

    def __init__(
        self,
        stream: Body | None,
        status: Callable[[], str] = lambda: "RUNNING",
        pending: Callable[[], list[str]] = lambda: [],
        events: list[dict[str, Any]] | None = None,
    ) -> None:
        self.stream, self.status, self.pending, self.events = stream, status, pending, events or []
        self.requests: list[str] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        path = request.url.path
        self.requests.append(f"{request.method} {path}")
        if path == STREAM_PATH:
            if self.stream is None:
                return httpx2.Response(503, json={"detail": "streams are down"})
            after = int(request.url.params.get("last_event_id") or 0)
            return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=self.stream(after))
        if path == EXECUTION_PATH:
            return httpx2.Response(200, json=record(self.status()))
        if path == REGISTRATIONS_PATH:
            return httpx2.Response(200, json={"workflow_registrations": [INTERACTIVE_REGISTRATION]})
        if path == QUERIES_PATH:
            rows = [{"task_id": task_id, "label": "Pick a plan", "input_schema": {}} for task_id in self.pending()]
            return httpx2.Response(200, json={"query_name": "__get_pending_inputs", "result": {"pending_inputs": rows}})
        if path == EVENTS_PATH:
            return httpx2.Response(200, json={"events": self.events, "next_cursor": None})
        return httpx2.Response(404, json={"detail": f"no route {path}"})


REGISTRATIONS_PATH = "/v1/workflows/registrations"
QUERIES_PATH = EXECUTION_PATH + "/queries"
EVENTS_PATH = "/v1/workflows/events/list"
INTERACTIVE_REGISTRATION = {
    "id": "r1",
    "workflow_id": "w1",
    "definition": {"input_schema": {}, "updates": [{"name": "__submit_input"}]},
    "workflow": {"id": "w1", "name": "greeting", "display_name": "Greeting"},
}
GET_RECORD = f"GET {EXECUTION_PATH}"
OPEN_STREAM = f"GET {STREAM_PATH}"
ASK_PENDING = f"POST {QUERIES_PATH}"


def custom_task(task_type: str, task_id: str, value: Any) -> dict[str, Any]:
    return {"custom_task_type": task_type, "custom_task_id": task_id, "payload": {"type": "json", "value": value}}


def said(text: str) -> dict[str, Any]:
    """An `assistant_message` custom task: the workflow talking to the person."""
    return custom_task("assistant_message", "m1", {"contentChunks": [{"type": "text", "text": text}]})


async def test_a_wait_ends_when_the_workflow_asks_a_person_with_what_it_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """The form is a `wait_for_input` custom task: the wait ends on it at once, with the form and
    the message sent just before, and reads nothing after it. What the execution waits for is asked
    only when it may wait (at the start, at the form): other events, custom tasks included, cost
    no request."""
    clock = virtual_time(monkeypatch)
    asked = {"yes": False}
    pulled_past_the_form = anyio.Event()

    async def body(after: int) -> AsyncIterator[bytes]:
        yield frame(1, "WORKFLOW_EXECUTION_STARTED")
        yield frame(2, "CUSTOM_TASK_STARTED", **said("Which plan?"))
        yield frame(3, "CUSTOM_TASK_COMPLETED", **said("Which plan?"))
        yield frame(4, "CUSTOM_TASK_STARTED", **custom_task("progress", "p1", {"percent": 50}))
        asked["yes"] = True
        yield frame(5, "CUSTOM_TASK_STARTED", **custom_task("wait_for_input", "t1", {"label": "Pick a plan"}))
        pulled_past_the_form.set()
        yield frame(6, "ACTIVITY_TASK_STARTED", activity_name="late")
        await anyio.sleep_forever()

    upstream = Upstream(body, pending=lambda: ["t1"] if asked["yes"] else [])
    client = api(upstream)
    try:
        waited = await wait_for_end(client, "e1", budget_s=30, registrations=Registrations(client))
    finally:
        await client.http.aclose()
    assert [p.task_id for p in waited.pending] == ["t1"]
    assert waited.assistant_message == "Which plan?"
    assert waited.execution.status == "RUNNING"
    assert not pulled_past_the_form.is_set(), "nothing was read after the form"
    assert clock.now == 0, "the person is asked at once, not when the budget or a quiet check ends the wait"
    assert upstream.requests == [
        GET_RECORD,
        f"GET {REGISTRATIONS_PATH}",
        ASK_PENDING,
        OPEN_STREAM,
        ASK_PENDING,
        GET_RECORD,
    ]


async def test_a_chain_followed_to_its_failure_costs_only_the_stream_and_the_final_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Started by the caller, who has the record: a chain that continues as new twice, then fails,
    is followed on one stream. Each continue-as-new is counted and the latest run named, a frame
    that is no event is skipped, the failure message comes from the stream's failure event, and
    the wait ends on that event though the stream stays open."""
    clock = virtual_time(monkeypatch)
    ended = {"yes": False}

    async def body(after: int) -> AsyncIterator[bytes]:
        yield frame(1, "WORKFLOW_EXECUTION_STARTED")
        yield b'id: 2\ndata: {"kind": "keep-alive"}\n\n'
        yield frame(3, "WORKFLOW_EXECUTION_CONTINUED_AS_NEW", new_execution_run_id="run-2")
        yield frame(4, "WORKFLOW_EXECUTION_STARTED")
        yield frame(5, "WORKFLOW_EXECUTION_CONTINUED_AS_NEW", new_execution_run_id="run-3")
        yield frame(6, "WORKFLOW_EXECUTION_STARTED")
        ended["yes"] = True
        yield frame(7, "WORKFLOW_EXECUTION_FAILED", failure={"message": "the disk is full"})
        await anyio.sleep_forever()

    upstream = Upstream(body, status=lambda: "FAILED" if ended["yes"] else "RUNNING")
    client = api(upstream)
    try:
        known = Execution.model_validate(record("RUNNING"))
        waited = await wait_for_end(client, "e1", budget_s=30, known=known)
    finally:
        await client.http.aclose()
    assert waited.execution.status == "FAILED"
    assert waited.failure == "the disk is full"
    assert (waited.continued, waited.continued_run_id) == (2, "run-3")
    assert waited.cursor == "7"
    assert waited.notes == [], "ended by its terminal event, not by a check of a quiet stream"
    assert clock.now == 0
    assert upstream.requests == [OPEN_STREAM, GET_RECORD]


async def test_a_quiet_stream_is_checked_once_quiet_s_after_its_last_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream can go quiet without closing (a stalled proxy, a lost terminal event): the record
    is read quiet_s after the last frame, not after the stream opened, and the wait ends when the
    execution has."""
    clock = virtual_time(monkeypatch)
    reads: list[float] = []

    async def body(after: int) -> AsyncIterator[bytes]:
        yield frame(1, "WORKFLOW_EXECUTION_STARTED")
        await clock.sleep(0.5)
        yield frame(2, "ACTIVITY_TASK_STARTED", activity_name="greet")
        await anyio.sleep_forever()

    def status() -> str:
        reads.append(clock.now)
        return "COMPLETED" if clock.now >= 5 else "RUNNING"

    client = api(Upstream(body, status=status))
    try:
        waited = await wait_for_end(client, "e1", budget_s=30, quiet_s=10)
    finally:
        await client.http.aclose()
    assert waited.execution.status == "COMPLETED"
    assert reads == [0, 10.5, 10.5], "at the start, once 10 s after the last frame, and the final read"
    assert any("went quiet" in note for note in waited.notes)


async def test_a_resumed_wait_reports_only_the_events_after_its_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wait resumed from the previous one's cursor goes straight to the stream from there: each
    new event is one progress notification, numbered from 1 and kept short. When the budget runs
    out on the open stream, the caller gets the record and the new cursor, on time."""
    clock = virtual_time(monkeypatch)
    long_name = "x" * 300

    async def body(after: int) -> AsyncIterator[bytes]:
        for seq, activity in [(1, "greet"), (2, "fetch"), (3, long_name), (4, "store")]:
            if seq > after:
                yield frame(seq, "ACTIVITY_TASK_STARTED", activity_name=activity)
        await anyio.sleep_forever()

    progress = Progress()
    upstream = Upstream(body)
    client = api(upstream)
    try:
        waited = await wait_for_end(client, "e1", budget_s=0.5, ctx=progress, after="2")  # type: ignore[arg-type]
    finally:
        await client.http.aclose()
    assert progress.messages == [f"ACTIVITY_TASK_STARTED {long_name}"[:200], "ACTIVITY_TASK_STARTED store"]
    assert progress.numbers == [1, 2]
    assert waited.cursor == "4"
    assert waited.execution.status == "RUNNING"
    assert clock.now == 0.5, "the whole budget, and no more"
    assert upstream.requests == [OPEN_STREAM, GET_RECORD]


async def test_a_resumed_wait_without_budget_returns_the_current_record() -> None:
    upstream = Upstream(None)
    client = api(upstream)
    try:
        waited = await wait_for_end(client, "e1", budget_s=0, after="4")
    finally:
        await client.http.aclose()
    assert (waited.execution.workflow_name, waited.execution.status) == ("greeting", "RUNNING")
    assert waited.cursor == "4"
    assert upstream.requests == [GET_RECORD]


@pytest.mark.parametrize("after", [None, "3"], ids=["new", "resumed"])
async def test_polling_notices_when_the_workflow_asks_a_person(
    monkeypatch: pytest.MonkeyPatch, after: str | None
) -> None:
    """With the stream unavailable, each poll of an interactive workflow also asks what it waits for
    (its registrations looked up once): the wait ends at the first poll after the form appears,
    with what the workflow said before it. A resumed wait, which knows no record yet, does the same."""
    clock = virtual_time(monkeypatch)
    stored = [event(kind, **said("Which plan?")) for kind in ("CUSTOM_TASK_STARTED", "CUSTOM_TASK_COMPLETED")]
    upstream = Upstream(None, pending=lambda: ["t1"] if clock.now >= 1 else [], events=stored)
    client = api(upstream)
    try:
        waited = await wait_for_end(client, "e1", budget_s=50, after=after, registrations=Registrations(client))
    finally:
        await client.http.aclose()
    assert [p.task_id for p in waited.pending] == ["t1"]
    assert waited.assistant_message == "Which plan?"
    assert clock.now == pytest.approx(1.4), "polls at 0.2, 0.6, 1.4: the first after the form appeared"
    assert upstream.requests.count(f"GET {REGISTRATIONS_PATH}") == 1


async def test_a_wait_on_an_execution_that_already_ended_reads_only_its_record() -> None:
    """Nothing is left to follow: no stream is opened, and the budget is not spent."""
    upstream = Upstream(None, status=lambda: "COMPLETED")
    client = api(upstream)
    try:
        waited = await wait_for_end(client, "e1", budget_s=30)
    finally:
        await client.http.aclose()
    assert waited.execution.status == "COMPLETED"
    assert upstream.requests == [GET_RECORD]

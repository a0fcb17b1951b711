"""Wait for an execution to end within a time budget: follow its event stream, poll as a fallback.

- One GET, then the execution's event stream until a terminal event, then one GET for the final
  record: three upstream requests whatever the execution's duration, and the result arrives as
  soon as the terminal event does. When the stream is unavailable (or breaks), polling with
  capped backoff takes over for the rest of the budget.
- Every event seen becomes an MCP progress notification when the client asked for progress.
- Cancelling the MCP call cancels only the wait (the stream closes at once), never the execution.
- When the budget runs out the caller gets the current record and a cursor to resume the stream.
- A workflow that waits for a person ends the wait as soon as it asks (a `wait_for_input` custom
  task starts, or it already waits when the wait begins): burning the budget would only delay the
  person. `__get_pending_inputs` confirms what it waits for (server/interactive.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio

from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.api.models.events import StreamEvent, WorkflowEvent
from mcp_workflows.api.models.executions import Execution
from mcp_workflows.api.streams import stream_event
from mcp_workflows.server.concurrency import first_failure
from mcp_workflows.server.interactive import (
    ASSISTANT_MESSAGE,
    WAIT_FOR_INPUT,
    PendingInput,
    assistant_text,
    is_interactive,
    pending_inputs,
)
from mcp_workflows.server.progress import TaskProgress, event_summary

if TYPE_CHECKING:
    from collections.abc import Callable

    from mcp.server.mcpserver import Context

    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.server.registrations import Registrations
    from mcp_workflows.server.state import AppState

logger = logging.getLogger("mcp_workflows.server")

# A run that continues as new is not the end: the chain goes on under the same execution id, and the
# wait follows it (the stream carries the next run's events).
TERMINAL_EVENTS = frozenset(
    {
        "WORKFLOW_EXECUTION_COMPLETED",
        "WORKFLOW_EXECUTION_FAILED",
        "WORKFLOW_EXECUTION_CANCELED",
    }
)
QUIET_CHECK_S = 10.0
FIRST_POLL_S = 0.2
MAX_POLL_S = 5.0


@dataclass
class Waited:
    """The execution as last seen, plus what the wait learnt on the way."""

    execution: Execution
    cursor: str | None = None  # last stream position seen: pass back to resume
    failure: str | None = None  # the failure message, from the WORKFLOW_EXECUTION_FAILED event
    continued_run_id: str | None = None  # the latest run the chain continued as
    continued: int = 0  # continue-as-new steps followed during the wait
    progress: dict[str, Any] = field(default_factory=lambda: {})  # custom task id -> current state
    pending: list[PendingInput] = field(default_factory=lambda: [])  # what it waits for a person to answer
    assistant_message: str | None = None  # the workflow's latest message to the person
    notes: list[str] = field(default_factory=lambda: [])


async def wait_for_end(
    api: WorkflowsClient,
    execution_id: str,
    budget_s: float,
    ctx: Context[Any, Any] | None = None,
    *,
    after: str | None = None,
    known: Execution | None = None,
    quiet_s: float = QUIET_CHECK_S,
    registrations: Registrations | None = None,
) -> Waited:
    """Return once the execution is terminal, waits for a person, or when the budget runs out.

    `registrations` tells which workflows wait for people; without it, pending inputs are not looked for.
    """
    deadline = time.monotonic() + budget_s
    if known is None and (after is None or budget_s <= 0):
        known = await api.executions.get(execution_id)
    # A resumed wait goes straight to the stream: it ends at once if the execution already has.
    waited = Waited(execution=known or Execution(workflow_name="", execution_id=execution_id), cursor=after)
    inputs = _Inputs(api, registrations, waited)
    if known is not None and not known.is_terminal and await inputs.waiting(known.workflow_name):
        return waited
    if (known is not None and waited.execution.is_terminal) or budget_s <= 0:
        return await _finish(api, waited)
    progress = _Progress(ctx, waited)
    try:
        await _follow_stream(api, waited, deadline, progress, quiet_s, inputs)
    except WorkflowsAPIError as exc:
        waited.notes.append(f"event stream unavailable ({exc.detail}); polled instead")
    if not waited.execution.is_terminal and not waited.pending:
        await _poll(api, waited, deadline, progress, inputs)
    return await _finish(api, waited)


class _Inputs:
    """Whether the execution waits for a person: asked only of workflows that can (cached per name)."""

    def __init__(self, api: WorkflowsClient, registrations: Registrations | None, waited: Waited) -> None:
        self._api = api
        self._registrations = registrations
        self._waited = waited
        self._interactive: dict[str, bool] = {}

    async def waiting(self, workflow_name: str | None) -> bool:
        """Read the pending inputs into the wait; True when there are any."""
        if self._registrations is None or not workflow_name:
            return False
        if workflow_name not in self._interactive:
            candidates = await self._registrations.candidates(workflow_name)
            mine = [r for r in candidates if r.workflow is None or r.workflow.name == workflow_name]
            self._interactive[workflow_name] = any(is_interactive(r.definition) for r in mine)
        if not self._interactive[workflow_name]:
            return False
        execution_id = self._waited.execution.execution_id
        try:
            self._waited.pending = await pending_inputs(self._api, execution_id)
        except WorkflowsAPIError:  # it ended in between: the record will say so
            self._waited.pending = []
        if self._waited.pending and self._waited.assistant_message is None:
            await self._read_last_message(execution_id)
        return bool(self._waited.pending)

    async def _read_last_message(self, execution_id: str) -> None:
        """The workflow's latest message to the person, when the wait began after it was sent."""
        event = await _last_event(
            self._api,
            execution_id,
            lambda e: (
                e.attributes.get("custom_task_type") == ASSISTANT_MESSAGE and e.event_type == "CUSTOM_TASK_STARTED"
            ),
        )
        if event is not None:
            self._waited.assistant_message = assistant_text(event.attributes.get("payload"))

    def observe(self, event: StreamEvent) -> bool:
        """Keep the latest assistant message; True when the event asks a person for input."""
        if _is_assistant_message(event.data):
            message = assistant_text(event.data.attributes.get("payload"))
            self._waited.assistant_message = message or self._waited.assistant_message
        return _custom_task_started(event.data, WAIT_FOR_INPUT)


def _custom_task_started(event: WorkflowEvent, kind: str) -> bool:
    return event.event_type == "CUSTOM_TASK_STARTED" and event.attributes.get("custom_task_type") == kind


def _is_assistant_message(event: WorkflowEvent) -> bool:
    return _custom_task_started(event, ASSISTANT_MESSAGE)


async def wait_in_call(
    state: AppState,
    execution_id: str,
    budget_s: float,
    ctx: Context[Any, Any] | None = None,
    *,
    after: str | None = None,
    known: Execution | None = None,
) -> Waited:
    """`wait_for_end` as every call waits: the process's client, the operator's quiet period, and
    pending inputs looked for (a call that forgot them would wait past a person being asked)."""
    return await wait_for_end(
        state.api,
        execution_id,
        budget_s,
        ctx,
        after=after,
        known=known,
        quiet_s=state.settings.stream_quiet_s,
        registrations=state.registrations,
    )


async def _follow_stream(
    api: WorkflowsClient, waited: Waited, deadline: float, progress: _Progress, quiet_s: float, inputs: _Inputs
) -> None:
    """Read events until a terminal one, the end of the stream, or the deadline.

    A stream can go quiet without closing (a stalled proxy, a lost terminal event): after
    `quiet_s` without a frame, one GET checks the record, and the wait ends if the execution
    has. Streams that keep talking cost no extra request.
    """
    execution_id = waited.execution.execution_id
    last_frame = time.monotonic()

    async def read(scope: anyio.CancelScope) -> None:
        nonlocal last_frame
        async with api.executions.stream(execution_id, after=waited.cursor) as frames:
            async for frame in frames:
                last_frame = time.monotonic()
                waited.cursor = frame.id or waited.cursor
                event = stream_event(frame)
                if event is None:
                    continue
                await progress.report(event)
                if event.data.event_type == "WORKFLOW_EXECUTION_FAILED":
                    waited.failure = _failure_message(event.data.attributes)
                if event.data.event_type == "WORKFLOW_EXECUTION_CONTINUED_AS_NEW":
                    waited.continued_run_id = event.data.attributes.get("new_execution_run_id") or None
                    waited.continued += 1
                if event.data.event_type in TERMINAL_EVENTS:
                    break
                if inputs.observe(event) and await inputs.waiting(event.data.workflow_name):
                    break
        scope.cancel()

    async def check_when_quiet(scope: anyio.CancelScope) -> None:
        nonlocal last_frame
        while True:
            await anyio.sleep(max(0.0, last_frame + quiet_s - time.monotonic()))
            if time.monotonic() - last_frame < quiet_s:
                continue
            waited.execution = await api.executions.get(execution_id)
            if waited.execution.is_terminal:
                waited.notes.append("the event stream went quiet; the execution record says it ended")
                scope.cancel()
                return
            last_frame = time.monotonic()

    with anyio.move_on_after(max(0.0, deadline - time.monotonic())):
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(check_when_quiet, group.cancel_scope)
                await read(group.cancel_scope)
        except BaseExceptionGroup as failures:  # surface the API error itself, not the group
            raise first_failure(failures) from None
    # The stream ends without an event for TERMINATED and TIMED_OUT: the record tells.
    waited.execution = await api.executions.get(execution_id)


async def _poll(api: WorkflowsClient, waited: Waited, deadline: float, progress: _Progress, inputs: _Inputs) -> None:
    delay = FIRST_POLL_S
    while not waited.execution.is_terminal and not await inputs.waiting(waited.execution.workflow_name):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        await anyio.sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_POLL_S)
        before = waited.execution.status
        waited.execution = await api.executions.get(waited.execution.execution_id)
        if waited.execution.status != before:
            await progress.say(f"status {waited.execution.status}")


async def _finish(api: WorkflowsClient, waited: Waited) -> Waited:
    """A FAILED execution's message lives in its failure event, not in the record: fetch it."""
    if waited.execution.status == "FAILED" and waited.failure is None:
        event = await _last_event(
            api, waited.execution.execution_id, lambda e: e.event_type == "WORKFLOW_EXECUTION_FAILED"
        )
        if event is not None:
            waited.failure = _failure_message(event.attributes)
    return waited


EVENT_PAGE = 1000  # the upstream's largest page
EVENT_PAGES = 5  # the newest of an execution's first 5,000 stored events at most


async def _last_event(
    api: WorkflowsClient, execution_id: str, wanted: Callable[[WorkflowEvent], bool]
) -> WorkflowEvent | None:
    """The latest stored event of an execution that `wanted` accepts. Events are listed oldest
    first, so this pages to the end (one request for most executions, a bounded few for long ones)."""
    found: WorkflowEvent | None = None
    cursor: str | None = None
    for _ in range(EVENT_PAGES):
        page = await api.events.list(workflow_exec_id=execution_id, cursor=cursor, limit=EVENT_PAGE)
        found = next((event for event in reversed(page.events) if wanted(event)), found)
        cursor = page.next_cursor
        if not cursor:
            break
    return found


def _failure_message(attributes: dict[str, Any]) -> str | None:
    failure = attributes.get("failure")
    if isinstance(failure, dict) and failure.get("message"):
        return str(failure["message"])[:2000]
    return None


class _Progress:
    """MCP progress notifications: one per event, numbered, when the client asked for them.

    Custom-task progress is applied (server/progress.py), so a notification shows the task's
    state after the event, not a raw patch.
    """

    def __init__(self, ctx: Context[Any, Any] | None, waited: Waited) -> None:
        self._ctx = ctx
        self._count = 0
        self._tasks = TaskProgress()
        self._tasks.states = waited.progress

    async def report(self, event: StreamEvent) -> None:
        await self.say(event_summary(self._tasks, event.data))

    async def say(self, message: str) -> None:
        if self._ctx is None:
            return
        self._count += 1
        try:
            await self._ctx.report_progress(self._count, None, message[:200])
        except Exception:  # a client that went away must not fail the wait
            logger.debug("progress notification failed; no more will be sent", exc_info=True)
            self._ctx = None

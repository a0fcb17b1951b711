"""What a task shows: its execution, read afresh on every `tasks/get` (no task store).

| execution | task status | with |
|---|---|---|
| RUNNING, RETRYING_AFTER_ERROR, CONTINUED_AS_NEW | `working` | `statusMessage`: the latest event |
| RUNNING, waiting on forms MCP can carry | `input_required` | `inputRequests`: a form per pending input, by task_id |
| RUNNING, waiting only on forms MCP cannot carry or declined | `working` | `statusMessage`: use submit_input |
| COMPLETED | `completed` | `result`: what execute_workflow returns inline for it |
| FAILED, TIMED_OUT | `completed` | the same, with `isError: true` |
| CANCELED, TERMINATED | `cancelled` | |

Never `failed`: the spec keeps it for JSON-RPC errors, and an execution that cannot be read is an
error on the poll itself (the execution may be fine). Reads per poll: the execution; for workflows
that wait for people, their pending forms (and the workflow's last message when one is pending);
the event list while it simply runs; the failure event when it failed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mcp_types.methods import serialize_server_result

from mcp_workflows.api.models.events import WorkflowEvent
from mcp_workflows.redaction import redact
from mcp_workflows.server.forms import to_form
from mcp_workflows.server.interactive import PendingInput, question
from mcp_workflows.server.progress import TaskProgress, event_summary
from mcp_workflows.server.tasks.ids import TaskRef
from mcp_workflows.server.tools.outcomes import outcome_of
from mcp_workflows.server.waiting import Waited, wait_in_call

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.server.guard.spent import ConfirmationStore
    from mcp_workflows.server.state import AppState
    from mcp_workflows.server.tasks.extension import Frame

WITH_RESULT = frozenset({"COMPLETED", "FAILED", "TIMED_OUT"})
STOPPED = frozenset({"CANCELED", "TERMINATED"})
ENDED = WITH_RESULT | STOPPED  # CONTINUED_AS_NEW is not an end: the chain goes on under the same id
DETAIL_ONLY = ("inputRequests", "result")  # in tasks/get answers, not in the handle tools/call returns
EVENT_PAGE = 1000
MAX_EVENT_PAGES = 5  # beyond 5 000 events the status message says only the status
STATUS_MESSAGE_CHARS = 1000
# How long a person's decline (and the question asked) is remembered: longer than any form waits.
INPUT_MEMORY_S = 7 * 24 * 3600.0


async def read_task(state: AppState, task_id: str, ref: TaskRef, frame: Frame, version: str) -> dict[str, Any]:
    """The task as `tasks/get` returns it (without `resultType`); `frame` makes a tool result of an outcome."""
    api = state.api
    waited = await wait_in_call(state, ref.execution_id, 0)
    execution = waited.execution
    created = _iso(execution.start_time)
    task: dict[str, Any] = {
        "taskId": task_id,
        "createdAt": created,
        # The record has no update time; events could tell, at the cost of listing them on every poll.
        "lastUpdatedAt": _iso(execution.end_time) if execution.end_time else created,
        "ttlMs": None,  # the task lives as long as the Workflows API keeps the execution
        "pollIntervalMs": round(state.settings.task_poll_s * 1000),
    }
    status = execution.status or "RUNNING"
    if status in WITH_RESULT:
        return task | {"status": "completed", "result": final_result(waited, ref, frame, version)}
    if status in STOPPED:
        return task | {"status": "cancelled", "statusMessage": f"The execution was {status.lower()}."}
    asks: dict[str, Any] = {}
    waits: list[str] = []
    for pending in waited.pending:
        form = to_form(pending.input_schema)
        declined = await state.store.recall(declined_key(ref.execution_id, pending.task_id)) is not None
        if form is not None and not declined:
            asked = await _question(state.store, ref.execution_id, pending, waited.assistant_message)
            asks[pending.task_id] = {
                "method": "elicitation/create",
                "params": {"mode": "form", "message": asked, "requestedSchema": form.requested_schema},
            }
        else:
            why = "the person declined its form" if declined else "its form cannot be shown as an MCP form"
            what = f'the input "{pending.label}"' if pending.label else "an input"
            waits.append(
                f"{what} ({why}): answer it with submit_input(execution_id="
                f"'{ref.execution_id}', task_id='{pending.task_id}', input={{...}}); get_execution shows the form"
            )
    elsewhere = f" Also waiting for {'; '.join(waits)}." if waits else ""
    if asks:
        labels = ", ".join(p.label or "an answer" for p in waited.pending if p.task_id in asks)
        return task | {
            "status": "input_required",
            "statusMessage": _capped(f"Waiting for a person: {labels}.{elsewhere}"),
            "inputRequests": asks,
        }
    if waits:
        return task | {"status": "working", "statusMessage": _capped(f"Waiting for {'; '.join(waits)}.")}
    return task | {"status": "working", "statusMessage": _capped(await _activity(api, ref.execution_id, status))}


def final_result(waited: Waited, ref: TaskRef, frame: Frame, version: str) -> dict[str, Any]:
    """The CallToolResult execute_workflow returns inline for this ended execution, as on the wire."""
    outcome = outcome_of(waited)
    if ref.confirmed_by is not None:
        outcome = outcome.model_copy(update={"confirmed_by": ref.confirmed_by})
    result = frame(outcome.model_dump(mode="json", by_alias=True, exclude_none=True))
    wire = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    # The wire form of this protocol version, which sets `resultType: "complete"`: clients decode a
    # task's result as a tools/call result (ext-tasks rejects one without resultType).
    return serialize_server_result("tools/call", version, wire)


def declined_key(execution_id: str, input_task_id: str) -> str:
    """Where a declined form is remembered: the key it had may never be asked again (SEP-2663)."""
    return f"task-declined|{execution_id}|{input_task_id}"


async def _question(store: ConfirmationStore, execution_id: str, pending: PendingInput, said: str | None) -> str:
    """The form's message, remembered the first time it is asked: a client treats the same key with
    another request as a protocol error, and the workflow may speak again while the form waits."""
    key = f"task-question|{execution_id}|{pending.task_id}"
    if (known := await store.recall(key)) is not None:
        return known
    asked = redact(question(said, pending))  # stored on disk: never a secret
    await store.remember(key, asked, time.time() + INPUT_MEMORY_S)
    return asked


async def _activity(api: WorkflowsClient, execution_id: str, status: str) -> str:
    """What a running execution does now: its latest event, as progress notifications say it."""
    prefix = {"RETRYING_AFTER_ERROR": "Retrying after an error", "CONTINUED_AS_NEW": "Continued as new"}.get(
        status, "Running"
    )
    events: list[WorkflowEvent] = []
    cursor = None
    for _ in range(MAX_EVENT_PAGES):
        page = await api.events.list(workflow_exec_id=execution_id, cursor=cursor, limit=EVENT_PAGE)
        events.extend(page.events)
        cursor = page.next_cursor
        if not cursor:
            progress = TaskProgress()
            latest = [event_summary(progress, event) for event in events][-1:]
            return f"{prefix}: {latest[0]}" if latest else f"{prefix}."
    return f"{prefix}."  # too many events to find the latest one on every poll


def _capped(text: str) -> str:
    return text if len(text) <= STATUS_MESSAGE_CHARS else text[: STATUS_MESSAGE_CHARS - 1] + "…"


def _iso(value: str | int | None) -> str:
    """ISO 8601 in UTC with a Z: from the API's ISO strings or integer nanoseconds."""
    if value is None:
        moment = datetime.now(UTC)
    elif isinstance(value, int):
        moment = datetime.fromtimestamp(value / 1e9, UTC)
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

"""How an execution is shown to the model, the same way by every tool that returns one."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from mcp_workflows.api.models.executions import ExecutionSummary
from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.interactive import compact_form
from mcp_workflows.server.tools.shared import ToolResult, capped
from mcp_workflows.server.waiting import Waited

RESULT_LIMIT_CHARS = 20_000
PROGRESS_LIMIT_CHARS = 4_000


class ExecutionRow(ToolResult):
    """One execution in a listing."""

    execution_id: str
    workflow_name: str
    status: str | None = None
    run_id: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    duration_ms: int | None = None

    @classmethod
    def of(cls, row: ExecutionSummary) -> ExecutionRow:
        return cls(
            execution_id=row.execution_id,
            workflow_name=row.workflow_name,
            status=row.status,
            run_id=row.run_id,
            start_time=row.start_time,
            end_time=row.end_time,
            duration_ms=row.total_duration_ms,
        )


class PendingInputView(ToolResult):
    """A form the execution waits on a person to fill in."""

    task_id: str
    label: str | None = None
    form: dict[str, Any] = Field(description="JSON Schema of the answer submit_input takes.")


class ExecutionOutcome(Guarded):
    """An execution; `outcome` is not `done` only when a confirmation stopped it from starting.

    A tool that runs or waits for an execution reports a failed run as an error result (`isError`,
    with the outcome still structured), inline and as an MCP task alike.
    """

    failed_run_is_error: ClassVar[bool] = True

    outcome: Literal["done", "confirmation_required", "declined", "cancelled", "timed_out"] | None = None
    execution_id: str | None = None
    workflow_name: str | None = None
    status: str | None = None
    result: Any = None
    failure: str | None = None
    progress: dict[str, Any] | None = Field(default=None, description="Each progress task's current state.")
    pending_inputs: list[PendingInputView] | None = None
    message: str | None = Field(default=None, description="The workflow's latest message to the person.")
    cursor: str | None = None
    next_step: str | None = None
    note: str | None = None


def outcome_of(waited: Waited, *, resume_tool: str = "wait_for_execution") -> ExecutionOutcome:
    """The model-facing view of an execution after a wait (or a plain read)."""
    execution = waited.execution
    result, note = capped(execution.result, RESULT_LIMIT_CHARS, "result", "get_execution_history")
    progress, progress_note = (None, None)
    if waited.progress and not execution.is_terminal:
        progress, progress_note = capped(waited.progress, PROGRESS_LIMIT_CHARS, "progress", "wait_for_execution")
    chain = (
        f"continued as new {waited.continued} time(s), now run {waited.continued_run_id}" if waited.continued else None
    )
    encoded = _is_encoded(execution.result)
    return ExecutionOutcome(
        execution_id=execution.execution_id,
        workflow_name=execution.workflow_name,
        status=execution.status,
        result=result,
        failure=waited.failure,
        progress=progress if isinstance(progress, dict) else None,
        pending_inputs=[
            PendingInputView(task_id=p.task_id, label=p.label, form=compact_form(p.input_schema))
            for p in waited.pending
        ]
        or None,
        message=waited.assistant_message if waited.pending else None,
        cursor=waited.cursor if not execution.is_terminal else None,
        next_step=_next_step(waited, resume_tool, encoded),
        note="; ".join(n for n in [*waited.notes, chain, note, progress_note] if n) or None,
    )


def _next_step(waited: Waited, resume_tool: str, encoded: bool) -> str | None:
    execution = waited.execution
    status = execution.status
    if waited.pending and not execution.is_terminal:
        first = waited.pending[0]
        which = f", task_id='{first.task_id}'" if len(waited.pending) > 1 else ""
        return (
            f"It waits for a person: {first.label or 'an answer'}. Ask the user for the fields of its form, then "
            f"call submit_input(execution_id='{execution.execution_id}'{which}, input={{...}})."
        )
    if not execution.is_terminal:
        cursor = f", after='{waited.cursor}'" if waited.cursor else ""
        return (
            f"Still {status}. Call {resume_tool}(execution_id='{execution.execution_id}'{cursor}) to keep waiting; "
            "cancel_execution stops it."
        )
    if status == "FAILED":
        return "It failed (see failure). list_events or get_execution_logs show what led to it."
    if status == "CONTINUED_AS_NEW":
        where = f" as run {waited.continued_run_id}" if waited.continued_run_id else ""
        return f"It continued as new{where} under the same execution_id: call wait_for_execution again to follow it."
    if status in ("CANCELED", "TERMINATED", "TIMED_OUT"):
        return f"It ended {status} without a result."
    if encoded:
        return "The result is encoded (encryption or payload offloading): decode it with the Mistral SDK's keys."
    return None


def _is_encoded(value: Any) -> bool:
    return isinstance(value, dict) and ("b64payload" in value or bool(value.get("encoding_options")))

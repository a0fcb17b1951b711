"""How an execution is shown to the model, the same way by every tool that returns one."""

from __future__ import annotations

from typing import Any, Literal

from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.tools.shared import capped
from mcp_workflows.server.waiting import Waited

RESULT_LIMIT_CHARS = 20_000


class ExecutionOutcome(Guarded):
    """An execution; `outcome` is not `done` only when a confirmation stopped it from starting."""

    outcome: Literal["done", "confirmation_required", "declined", "cancelled", "timed_out"] | None = None
    execution_id: str | None = None
    workflow_name: str | None = None
    status: str | None = None
    result: Any = None
    failure: str | None = None
    cursor: str | None = None
    next_step: str | None = None
    note: str | None = None


def outcome_of(waited: Waited, *, resume_tool: str = "wait_for_execution") -> ExecutionOutcome:
    """The model-facing view of an execution after a wait (or a plain read)."""
    execution = waited.execution
    result, note = capped(execution.result, RESULT_LIMIT_CHARS, "result", "get_execution_history")
    encoded = _is_encoded(execution.result)
    return ExecutionOutcome(
        execution_id=execution.execution_id,
        workflow_name=execution.workflow_name,
        status=execution.status,
        result=result,
        failure=waited.failure,
        cursor=waited.cursor if not execution.is_terminal else None,
        next_step=_next_step(waited, resume_tool, encoded),
        note="; ".join([*waited.notes, *([note] if note else [])]) or None,
    )


def _next_step(waited: Waited, resume_tool: str, encoded: bool) -> str | None:
    execution = waited.execution
    status = execution.status
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

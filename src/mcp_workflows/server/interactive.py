"""Workflows that wait for a person: what an execution is waiting for, and answering it.

An execution of Mistral's `InteractiveWorkflow` stays RUNNING while it waits for input; the reserved
query `__get_pending_inputs` is the source of truth for what it waits for, and the reserved update
`__submit_input {task_id, input}` answers one form. A workflow is interactive when its registration
declares that update. A rejected answer leaves the input pending, so after any failure the pending
inputs are read again and the problem is told to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.api.models.executions import HandlerCall
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.schema_check import check_against_schema

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.api.models.workflows import WorkflowCodeDefinition

SUBMIT_INPUT = "__submit_input"
GET_PENDING_INPUTS = "__get_pending_inputs"
WAITING_SEARCH_KEY = "internal.execution.state:waiting_for_input"
WAIT_FOR_INPUT = "wait_for_input"
ASSISTANT_MESSAGE = "assistant_message"
RESERVED_HANDLERS = frozenset({SUBMIT_INPUT, GET_PENDING_INPUTS})


@dataclass(frozen=True)
class PendingInput:
    """One form an execution waits on."""

    task_id: str
    label: str | None
    input_schema: dict[str, Any]


def is_interactive(definition: WorkflowCodeDefinition | None) -> bool:
    """Whether this code waits for people (it declares the reserved `__submit_input` update)."""
    return definition is not None and any(h.name == SUBMIT_INPUT for h in definition.updates)


async def pending_inputs(api: WorkflowsClient, execution_id: str) -> list[PendingInput]:
    """What the execution waits for now (none once it ended or answered everything)."""
    reply = await api.executions.query(execution_id, HandlerCall(name=GET_PENDING_INPUTS))
    rows = reply.result.get("pending_inputs") if isinstance(reply.result, dict) else None
    return [
        PendingInput(task_id=str(row["task_id"]), label=row.get("label"), input_schema=row.get("input_schema") or {})
        for row in rows or []
        if isinstance(row, dict) and row.get("task_id")
    ]


def choose(pending: list[PendingInput], task_id: str | None, execution_id: str) -> PendingInput:
    """The input an answer is for: the given task id, or the only one pending."""
    listed = ", ".join(f"{p.task_id} ({p.label or 'no label'})" for p in pending)
    if task_id is not None:
        for candidate in pending:
            if candidate.task_id == task_id:
                return candidate
        now = f"it waits for: {listed}" if pending else "it waits for no input now"
        raise ToolInputError(
            f"execution {execution_id} has no pending input {task_id!r} (answered already, timed out, or never "
            f"asked); {now}. get_execution shows what it waits for."
        )
    if not pending:
        raise ToolInputError(
            f"execution {execution_id} waits for no input now (it may have been answered, or it ended); "
            "get_execution shows its state."
        )
    if len(pending) > 1:
        raise ToolInputError(f"execution {execution_id} waits for several inputs; pass task_id, one of: {listed}.")
    return pending[0]


def check_answer(pending: PendingInput, value: Any) -> None:
    """Refuse an answer the form would reject, naming each bad field, before anything is sent."""
    where = f"the form {pending.label!r}" if pending.label else "the form"
    check_against_schema(value, pending.input_schema, what="input", schema_source=f"get_execution shows {where}.")


async def submit(api: WorkflowsClient, execution_id: str, pending: PendingInput, value: Any) -> None:
    """Send the answer. When the workflow refuses it, say why and whether it still waits."""
    call = HandlerCall(name=SUBMIT_INPUT, input={"task_id": pending.task_id, "input": value})
    try:
        await api.executions.update(execution_id, call)
    except WorkflowsAPIError as exc:
        still = await pending_inputs(api, execution_id)
        if any(p.task_id == pending.task_id for p in still):
            raise ToolInputError(
                f"the workflow rejected the answer ({exc.detail[:500]}); the input {pending.task_id} is still "
                "pending: fix the answer and submit it again."
            ) from exc
        raise


def compact_form(schema: dict[str, Any]) -> dict[str, Any]:
    """The form as a model reads it: no titles, references inlined, everything that constrains kept."""
    definitions = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/$defs/"):
                return walk(definitions.get(node["$ref"].removeprefix("#/$defs/"), {}))
            return {k: walk(v) for k, v in node.items() if k not in ("title", "$defs")}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    compact: dict[str, Any] = walk(schema)
    return compact


def assistant_text(payload: Any) -> str | None:
    """The text of an `assistant_message` custom task's payload (the workflow talking to the person)."""
    value = payload.get("value") if isinstance(payload, dict) else None
    chunks = value.get("contentChunks") if isinstance(value, dict) else None
    texts = [str(c["text"]) for c in chunks or [] if isinstance(c, dict) and isinstance(c.get("text"), str)]
    return " ".join(texts)[:1000] or None


def question(said: str | None, pending: PendingInput) -> str:
    """A form's message to the person: what the workflow last said, then the form's label."""
    label = pending.label or "The workflow needs your answer."
    return f"{said}\n\n{label}" if said else label

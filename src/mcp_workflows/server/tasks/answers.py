"""`tasks/update`: a person's answers to the forms a task asked, given to the workflow.

An accepted form is mapped back to the workflow's own shape (`forms.py`), checked against its
schema, and only then submitted through `__submit_input`, so several answers are all checked
before any is sent. A declined (or dismissed) form leaves the input pending, as in the workflow;
the decline is remembered because its key may never be asked again, and the task then says how
to answer it some other way (`view.py`). Keys that are not outstanding are ignored (SEP-2663).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.server.forms import to_form
from mcp_workflows.server.interactive import PendingInput, check_answer, pending_inputs, submit
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.tasks.view import ENDED, INPUT_MEMORY_S, declined_key

if TYPE_CHECKING:
    from mcp_workflows.server.state import AppState


async def answer_inputs(state: AppState, execution_id: str, responses: dict[str, dict[str, Any]]) -> str | None:
    """Submit the accepted answers and remember the declined ones. What happened, for the audit
    line (`done`, `declined`), or None when no response was for an outstanding form.

    ToolInputError when an answer does not fit its form (nothing is sent then).
    """
    api = state.api
    if (await api.executions.get(execution_id)).status in ENDED:
        return None  # nothing waits any more: the answers are moot
    outstanding = {p.task_id: p for p in await pending_inputs(api, execution_id)}
    accepted: list[tuple[PendingInput, dict[str, Any]]] = []
    declined: list[PendingInput] = []
    for key, response in responses.items():
        pending = outstanding.get(key)
        form = to_form(pending.input_schema) if pending is not None else None
        if pending is None or form is None or await state.store.recall(declined_key(execution_id, key)) is not None:
            continue  # never asked as a form, or no longer outstanding
        action, content = response.get("action"), response.get("content")
        if action in ("decline", "cancel"):
            declined.append(pending)
            continue
        if action != "accept" or not isinstance(content, dict | None):
            raise ToolInputError(
                f"inputResponses[{key!r}] is not an elicitation answer: give action accept (with content, the "
                "form's fields), decline or cancel."
            )
        value = form.answer(content)
        check_answer(pending, value)
        accepted.append((pending, value))
    for pending, value in accepted:
        await _submit(state, execution_id, pending, value)
    for pending in declined:
        key = declined_key(execution_id, pending.task_id)
        await state.store.remember(key, "declined", time.time() + INPUT_MEMORY_S)
    if accepted:
        return "done"
    return "declined" if declined else None


async def _submit(state: AppState, execution_id: str, pending: PendingInput, value: dict[str, Any]) -> None:
    """Send one answer. When upstream refuses it because nothing waits for it any more (answered
    elsewhere, timed out, ended), the answer is moot: the next poll shows what happened."""
    api = state.api
    try:
        await submit(api, execution_id, pending, value)
    except WorkflowsAPIError:
        if (await api.executions.get(execution_id)).status in ENDED:
            return
        if any(p.task_id == pending.task_id for p in await pending_inputs(api, execution_id)):
            raise

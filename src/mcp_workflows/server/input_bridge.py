"""The person answers the workflow's form directly, when their client can show forms.

When a waiting tool (execute_workflow, wait_for_execution, submit_input) returns an execution that
waits for a person, and the client declared form elicitation, the server shows the workflow's form
to the user, submits their answer and keeps waiting: one tool call goes from "run the expense
approval" to the result with the person's decision.

- Handshake-era clients get a mid-call `elicitation/create`, bounded in time like confirmations.
- 2026-07-28 clients get an input-required round trip: the call answers with the form; the client's
  retry carries the answer (and our request state, sealed by the SDK), and this module submits it and
  waits again, without running the tool a second time (which would start a second execution).
- Forms a flat MCP form cannot carry (server/forms.py), a decline, a cancel or no answer in time
  submit nothing: the result goes back to the agent with the pending input and says so.
- `MCP_WORKFLOWS_INPUT_BRIDGE=false` turns it off: the agent then relays through submit_input.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import anyio
from mcp_types import CallToolResult, ElicitRequest, ElicitRequestFormParams, ElicitResult, InputRequiredResult

from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.server.chat_output import chat_result
from mcp_workflows.server.forms import Form, to_form
from mcp_workflows.server.guard.audit import audit
from mcp_workflows.server.guard.confirmation import client_can_elicit
from mcp_workflows.server.interactive import PendingInput, check_answer, pending_inputs, question, submit
from mcp_workflows.server.results import ToolInputError, describe_api_error, error_result, success_result
from mcp_workflows.server.tasks import task_requested

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

    from mcp_workflows.server.catalog import ToolSpec
    from mcp_workflows.server.state import AppState

STATE_KEY = "mcp_workflows.input"  # marks our request state among the SDK's own
MAX_FORMS_PER_CALL = 10  # a workflow asking again and again still ends the call


class InputBridge:
    """Shows pending forms to the person and feeds their answers back to the execution."""

    async def resume(
        self, spec: ToolSpec, arguments: dict[str, Any], ctx: Context[Any, Any], state: AppState
    ) -> CallToolResult | InputRequiredResult | None:
        """A 2026-07-28 retry carrying the answer to our form: submit it and wait again (None otherwise)."""
        if not spec.bridges_input or not ctx.input_responses or not ctx.request_state:
            return None
        try:
            saved = json.loads(ctx.request_state).get(STATE_KEY)
        except (ValueError, AttributeError):
            return None
        if not isinstance(saved, dict):
            return None
        execution_id, task_id = str(saved["execution_id"]), str(saved["task_id"])
        response = ctx.input_responses.get(task_id)
        answer = response if isinstance(response, ElicitResult) else None
        note = await self._answer(spec, state, execution_id, task_id, answer)
        result = await self._wait(state, execution_id, arguments, ctx, note)
        if note is not None:  # nothing was submitted: the agent decides what next, the form is not shown again
            return result
        return await self.after(spec, arguments, result, ctx, state, rounds=int(saved.get("rounds", 0)) + 1)

    async def after(
        self,
        spec: ToolSpec,
        arguments: dict[str, Any],
        result: CallToolResult,
        ctx: Context[Any, Any],
        state: AppState,
        rounds: int = 0,
    ) -> CallToolResult | InputRequiredResult:
        """The tool's result, or the form the person must answer first (and then the new result)."""
        while rounds < MAX_FORMS_PER_CALL:
            asked = await self._asks(spec, result, ctx, state)
            if asked is None:
                return result
            execution_id, pending, form = asked
            message = self._message(result, pending)
            if ctx.protocol_version and ctx.protocol_version >= "2026-07-28":
                saved = {STATE_KEY: {"execution_id": execution_id, "task_id": pending.task_id, "rounds": rounds}}
                request = ElicitRequest(
                    params=ElicitRequestFormParams(message=message, requested_schema=form.requested_schema)
                )
                return InputRequiredResult(input_requests={pending.task_id: request}, request_state=json.dumps(saved))
            answer = await self._elicit(ctx, state, message, form)
            note = await self._answer(spec, state, execution_id, pending.task_id, answer, pending, form)
            result = await self._wait(state, execution_id, arguments, ctx, note)
            if note is not None:
                return result
            rounds += 1
        return result

    async def _asks(
        self, spec: ToolSpec, result: CallToolResult, ctx: Context[Any, Any], state: AppState
    ) -> tuple[str, PendingInput, Form] | None:
        """The form to show now, when the tool, the result, the settings and the client all allow it."""
        structured = result.structured_content or {}
        if result.is_error or not spec.bridges_input or not structured.get("pending_inputs"):
            return None
        if not state.settings.input_bridge or not client_can_elicit(ctx) or task_requested(ctx.request_context):
            return None  # a call that becomes a task asks its forms from the task (server/tasks)
        execution_id = str(structured["execution_id"])
        try:
            pending = await pending_inputs(state.api, execution_id)
        except WorkflowsAPIError:
            return None
        forms = [(p, form) for p in pending if (form := to_form(p.input_schema)) is not None]
        if not forms:
            return None  # nothing a flat form can carry: the agent relays it with submit_input
        return execution_id, forms[0][0], forms[0][1]

    @staticmethod
    def _message(result: CallToolResult, pending: PendingInput) -> str:
        return question((result.structured_content or {}).get("message"), pending)

    @staticmethod
    async def _elicit(ctx: Context[Any, Any], state: AppState, message: str, form: Form) -> ElicitResult | None:
        """A mid-call form (handshake era), never waiting past the elicitation timeout."""
        with anyio.move_on_after(state.settings.elicitation_timeout_s):
            answer: ElicitResult = await ctx.session.elicit_form(
                message, form.requested_schema, related_request_id=ctx.request_id
            )
            return answer
        return None

    async def _answer(
        self,
        spec: ToolSpec,
        state: AppState,
        execution_id: str,
        task_id: str,
        answer: ElicitResult | None,
        pending: PendingInput | None = None,
        form: Form | None = None,
    ) -> str | None:
        """Submit an accepted answer; a note on what happened otherwise (None when submitted)."""
        targets = {"execution_id": execution_id, "task_id": task_id}
        if answer is None or answer.action != "accept":
            what = "no answer came in time" if answer is None else f"the user chose {answer.action}"
            audit(tool=spec.name, risk="execute", targets=targets, outcome="input_not_given", confirmation=None)
            return f"The form was shown but {what}: nothing was submitted. It still waits; submit_input answers it."
        if pending is None or form is None:
            still = {p.task_id: p for p in await pending_inputs(state.api, execution_id)}
            pending = still.get(task_id)
            form = to_form(pending.input_schema) if pending else None
            if pending is None or form is None:
                return f"The answer came after input {task_id} stopped waiting (answered or timed out): not sent."
        value = form.answer(answer.content if isinstance(answer.content, dict) else None)
        try:
            check_answer(pending, value)
            await submit(state.api, execution_id, pending, value)
        except ToolInputError as exc:
            return f"The answer was not accepted: {exc}"
        except WorkflowsAPIError as exc:
            return f"The answer could not be sent: {describe_api_error(exc, base_url=state.settings.base_url)}"
        audit(tool=spec.name, risk="execute", targets=targets, outcome="input_submitted", confirmation="elicitation")
        return None

    @staticmethod
    async def _wait(
        state: AppState, execution_id: str, arguments: dict[str, Any], ctx: Context[Any, Any], note: str | None
    ) -> CallToolResult:
        """The execution after the form, waited for like wait_for_execution."""
        from mcp_workflows.server.tools.outcomes import outcome_of
        from mcp_workflows.server.waiting import wait_in_call

        budget = float(arguments.get("wait_seconds", 25)) if note is None else 0.0
        try:
            waited = await wait_in_call(state, execution_id, budget, ctx)
        except WorkflowsAPIError as exc:
            return error_result(describe_api_error(exc, base_url=state.settings.base_url))
        outcome = outcome_of(waited)
        if note is not None:
            outcome = outcome.model_copy(update={"note": "; ".join(n for n in (note, outcome.note) if n)})
        structured = outcome.model_dump(mode="json", by_alias=True, exclude_none=True)
        return chat_result(structured) or success_result(structured)

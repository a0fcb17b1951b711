"""The Tasks extension on the MCP server: task handles from `tools/call`, and the `tasks/*` methods.

- `tools/call`: the tool starts the execution (its confirmation step, if any, done first, as the
  spec asks of input exchanges before a task), then a running execution becomes a task handle.
  Nothing started (a preview, a refusal, an error) or already ended: the ordinary result.
- `tasks/get`, `tasks/update`, `tasks/cancel`: 2026-07-28 only (older wires had another Tasks
  protocol: -32601 there), from clients that declared the extension on the request (-32021
  otherwise), on ids this server signed (-32602 "Task not found" for anything else, whatever the
  reason). Each follows the operator's rules for the tool that does the same thing
  (get_execution, submit_input, cancel_execution): workflow allow/deny rules, caps and the audit
  line; in read-only mode update and cancel are refused.
- Confirmation: `tasks/update` and `tasks/cancel` come from the client application (a person
  filling a form, pressing stop), never from the model's tool calls, on a task this server issued
  to that client: they are not confirmed again. An operator who wants every stop confirmed sets
  `MCP_WORKFLOWS_TASK_CANCEL=refuse`: tasks/cancel is then refused with an error pointing to
  cancel_execution, whose confirmation applies (a refusal is an error, not a silent ack, because a
  client may forget a task once it asked to cancel it). Cancelling is graceful (cancel, never
  terminate), and the execution may still end otherwise if it finishes first.
Everything sent passes the redaction of `redaction.py`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import require_client_extension
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, CallToolRequestParams, CallToolResult
from mcp_types import RequestParams as MCPRequestParams
from pydantic import Field

from mcp_workflows.api.errors import Conflict, NotFound, WorkflowsAPIError
from mcp_workflows.redaction import redact
from mcp_workflows.server.catalog import ToolSpec
from mcp_workflows.server.guard.caller import caller_subject
from mcp_workflows.server.results import ToolInputError, describe_api_error
from mcp_workflows.server.shared_state import SharedStateUnavailable
from mcp_workflows.server.state import AppState
from mcp_workflows.server.tasks import TASK_VERSIONS, TASKS, task_requested
from mcp_workflows.server.tasks.ids import MAX_TASK_ID_CHARS, TaskIds, TaskRef
from mcp_workflows.server.tool_index import indexed_specs

logger = logging.getLogger("mcp_workflows.server")

NOT_FOUND = "Failed to retrieve task: Task not found"
ACK: dict[str, Any] = {"resultType": "complete"}
# Each method follows the operator's rules for the tool that does the same thing.
Frame = Callable[[dict[str, Any]], CallToolResult]  # a tool's structured result as call_tool frames it
RULES_OF = {"tasks/get": "get_execution", "tasks/update": "submit_input", "tasks/cancel": "cancel_execution"}


class TaskParams(MCPRequestParams):
    task_id: str = Field(alias="taskId", min_length=1, max_length=MAX_TASK_ID_CHARS)


class TaskUpdateParams(TaskParams):
    input_responses: dict[str, dict[str, Any]] = Field(alias="inputResponses")


class WorkflowTasks(Extension):
    """`io.modelcontextprotocol/tasks` for executions. Its settings stay `{}`: clients accept no other."""

    identifier = TASKS

    def __init__(self, secret: bytes, frame: Frame) -> None:
        self._ids = TaskIds(secret)
        self._frame = frame

    def methods(self) -> Sequence[MethodBinding]:
        return [
            MethodBinding("tasks/get", TaskParams, self.get, TASK_VERSIONS),
            MethodBinding("tasks/update", TaskUpdateParams, self.update, TASK_VERSIONS),
            MethodBinding("tasks/cancel", TaskParams, self.cancel, TASK_VERSIONS),
        ]

    async def intercept_tool_call(
        self, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        result = await call_next(ctx)
        if not task_requested(ctx) or not isinstance(result, CallToolResult) or result.is_error:
            return result
        from mcp_workflows.server.tasks.view import DETAIL_ONLY, ENDED, read_task  # first use: start-up stays light

        structured = result.structured_content or {}
        execution_id, status = structured.get("execution_id"), structured.get("status")
        if not isinstance(execution_id, str) or status is None or status in ENDED:
            return result
        ref = TaskRef(execution_id, structured.get("confirmed_by"))
        task_id = self._ids.issue(ref, caller_subject())
        try:
            # Read back as tasks/get will: the handle goes out only once a poll resolves (SEP-2663).
            task = await read_task(_state(ctx), task_id, ref, self._frame, ctx.protocol_version)
        except (WorkflowsAPIError, SharedStateUnavailable) as exc:
            logger.warning("execution %s started, but reading it back failed (%s): answering inline", execution_id, exc)
            return result  # the inline result names the execution and how to follow it
        handle = {key: value for key, value in task.items() if key not in DETAIL_ONLY}
        return _redacted(handle | {"resultType": "task"})

    async def get(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> HandlerResult:
        from mcp_workflows.server.tasks.view import read_task

        ref, state = self._open(ctx, params.task_id)
        async with _upstream(state):
            await _allowed(state, "tasks/get", ref.execution_id)
            task = await read_task(state, params.task_id, ref, self._frame, ctx.protocol_version)
        return _redacted(task | ACK)

    async def update(self, ctx: ServerRequestContext[Any, Any], params: TaskUpdateParams) -> HandlerResult:
        from mcp_workflows.server.tasks.answers import answer_inputs

        ref, state = self._open(ctx, params.task_id)
        _writable(state, "tasks/update", "submit_input")
        async with _upstream(state):
            spec, arguments = await _allowed(state, "tasks/update", ref.execution_id)
            try:
                outcome = await answer_inputs(state, ref.execution_id, params.input_responses)
            except ToolInputError as exc:
                raise MCPError(INVALID_PARAMS, redact(str(exc))) from None
        if outcome is not None:
            await _account(state, spec, arguments, outcome)
        return ACK

    async def cancel(self, ctx: ServerRequestContext[Any, Any], params: TaskParams) -> HandlerResult:
        from mcp_workflows.server.tasks.view import ENDED

        ref, state = self._open(ctx, params.task_id)
        _writable(state, "tasks/cancel", "cancel_execution")
        if state.settings.task_cancel == "refuse":
            raise MCPError(
                INVALID_REQUEST,
                "tasks/cancel refused: the operator wants every stop confirmed (MCP_WORKFLOWS_TASK_CANCEL=refuse). "
                f"The execution keeps running; cancel_execution(execution_ids=['{ref.execution_id}']) stops it once "
                "the user confirms.",
            )
        api = state.api
        async with _upstream(state):
            spec, arguments = await _allowed(state, "tasks/cancel", ref.execution_id)
            if (await api.executions.get(ref.execution_id)).status in ENDED:
                return ACK  # it ended first: nothing to stop, and the task shows how it ended
            try:
                await api.executions.cancel(ref.execution_id)
            except Conflict:
                return ACK  # it ended between the read and the cancel
        await _account(state, spec, arguments, "done")
        return ACK

    def _open(self, ctx: ServerRequestContext[Any, Any], task_id: str) -> tuple[TaskRef, AppState]:
        """The checks every tasks/* request passes first: the client's declaration, then the id."""
        require_client_extension(ctx, TASKS)
        ref = self._ids.verify(task_id, caller_subject())
        if ref is None:
            raise MCPError(INVALID_PARAMS, NOT_FOUND)
        return ref, _state(ctx)


def _state(ctx: ServerRequestContext[Any, Any]) -> AppState:
    state = ctx.lifespan_context
    assert isinstance(state, AppState)
    return state


def _writable(state: AppState, method: str, tool: str) -> None:
    if state.settings.read_only:
        raise MCPError(
            INVALID_REQUEST, f"{method} refused: this server is read-only (it does not offer {tool} either)."
        )


async def _allowed(state: AppState, method: str, execution_id: str) -> tuple[ToolSpec, dict[str, Any]]:
    """The rules of the equivalent tool (allow/deny, caps), applied under the method's name."""
    spec = replace(indexed_specs()[RULES_OF[method]], name=method)
    assert spec.target is not None
    arguments: dict[str, Any] = {spec.target.argument: [execution_id] if spec.batch_argument else execution_id}
    refusal = await state.gate.refusal(spec, arguments, state.api)
    if refusal is not None:
        await _account(state, spec, arguments, "refused")
        raise MCPError(INVALID_REQUEST, redact(refusal))
    return spec, arguments


async def _account(state: AppState, spec: ToolSpec, arguments: dict[str, Any], outcome: str) -> None:
    """Caps and the audit line, as for the tool: confirmed by the client's own request."""
    result = CallToolResult(content=[], structured_content={"outcome": outcome, "confirmed_by": "task_request"})
    await state.gate.account(spec, arguments, result, refused=outcome == "refused")


@asynccontextmanager
async def _upstream(state: AppState) -> AsyncIterator[None]:
    """API (and shared store) failures as JSON-RPC errors: an execution that is gone is an unknown task."""
    try:
        yield
    except NotFound:
        raise MCPError(INVALID_PARAMS, NOT_FOUND) from None
    except WorkflowsAPIError as exc:
        raise MCPError(INTERNAL_ERROR, redact(describe_api_error(exc, base_url=state.settings.base_url))) from None
    except SharedStateUnavailable as exc:
        raise MCPError(INTERNAL_ERROR, redact(str(exc))) from None


def _redacted(payload: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(payload)
    if not redact.needed(text):
        return payload
    redacted: dict[str, Any] = json.loads(redact(text))
    return redacted

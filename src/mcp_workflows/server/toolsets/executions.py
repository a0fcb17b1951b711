"""The `executions` toolset: follow one execution, steer it (signal, query, update), stop or reset it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pydantic_core
from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_workflows.api.errors import NotFound
from mcp_workflows.api.models.executions import Execution, HandlerCall, ResetRequest
from mcp_workflows.api.models.workflows import HandlerDefinition, WorkflowCodeDefinition
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.toolsets.common import (
    Confirmation,
    ConfirmationToken,
    ExecutionId,
    Guarded,
    ToolResult,
    capped,
    confirm,
)
from mcp_workflows.server.toolsets.outcomes import ExecutionOutcome, outcome_of
from mcp_workflows.server.validation import check_against_schema
from mcp_workflows.server.waiting import wait_for_end

HandlerName = Annotated[str, Field(min_length=1, max_length=200, description="Handler name, from get_execution.")]
HandlerInput = Annotated[dict[str, Any] | None, Field(description="Input matching the handler's input_schema.")]
WaitSeconds = Annotated[float, Field(ge=0, le=50, description="Seconds to wait (max 50).")]
HandlerKind = Literal["signal", "query", "update"]


class ExecutionDetail(ExecutionOutcome):
    handlers: list[str] = Field(default_factory=list)


class QueryAnswer(ToolResult):
    query: str
    result: Any = None
    note: str | None = None


class SignalOutcome(Guarded):
    signal: str | None = None


class UpdateOutcome(Guarded):
    update: str | None = None
    result: Any = None


class StopOutcome(Guarded):
    stopped: list[str] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list)


class ResetOutcome(Guarded):
    run_id: str | None = None


# ---------------------------------------------------------------- reads


async def get_execution(ctx: Context, execution_id: ExecutionId) -> ExecutionDetail:
    """Get an execution's status, result (or failure message) and the signal, query and update
    handlers it accepts."""
    state = app_state(ctx)
    waited = await wait_for_end(state.api, execution_id, 0)
    definition = await _definition(state, waited.execution)
    detail = outcome_of(waited).model_dump()
    handlers = [f"{kind} {h.name}" for kind, h in _handlers(definition)] if definition else []
    return ExecutionDetail(**detail, handlers=handlers)


async def wait_for_execution(
    ctx: Context,
    execution_id: ExecutionId,
    wait_seconds: WaitSeconds = 25,
    after: Annotated[str | None, Field(max_length=64, description="cursor from the previous wait.")] = None,
) -> ExecutionOutcome:
    """Wait for an execution to end, up to wait_seconds, reporting progress; returns the result
    or the status and a cursor to wait again. Cancelling this call leaves the execution running."""
    state = app_state(ctx)
    waited = await wait_for_end(
        state.api, execution_id, wait_seconds, ctx, after=after, quiet_s=state.settings.stream_quiet_s
    )
    return outcome_of(waited)


async def query_execution(
    ctx: Context, execution_id: ExecutionId, name: HandlerName, input: HandlerInput = None
) -> QueryAnswer:
    """Read a running execution's state with a query handler (get_execution lists them)."""
    state = app_state(ctx)
    await _checked_handler(state, execution_id, "query", name, input)
    reply = await state.api.executions.query(execution_id, HandlerCall(name=name, input=input))
    result, note = capped(reply.result, 20_000, "result", "a narrower query")
    return QueryAnswer(query=reply.query_name, result=result, note=note)


# ---------------------------------------------------------------- steering


async def signal_execution(
    ctx: Context,
    execution_id: ExecutionId,
    name: HandlerName,
    answer: Confirmation,
    input: HandlerInput = None,
    confirmation_token: ConfirmationToken = None,
) -> SignalOutcome:
    """Send a signal (an asynchronous message, e.g. an approval) to a running execution; input
    is checked against the handler's schema. Never retried."""
    state = app_state(ctx)
    await _checked_handler(state, execution_id, "signal", name, input)
    args = {"execution_id": execution_id, "name": name, "input": input}
    refused, path = await confirm(ctx, "signal_execution", args, answer, confirmation_token, SignalOutcome)
    if refused is not None:
        return refused
    accepted = await state.api.executions.signal(execution_id, HandlerCall(name=name, input=input))
    return SignalOutcome(signal=name, message=accepted.message, confirmed_by=path)


async def update_execution(
    ctx: Context,
    execution_id: ExecutionId,
    name: HandlerName,
    answer: Confirmation,
    input: HandlerInput = None,
    confirmation_token: ConfirmationToken = None,
) -> UpdateOutcome:
    """Send an update (a synchronous change that returns a value) to a running execution; its
    input is checked against the handler's schema first."""
    state = app_state(ctx)
    await _checked_handler(state, execution_id, "update", name, input)
    args = {"execution_id": execution_id, "name": name, "input": input}
    refused, path = await confirm(ctx, "update_execution", args, answer, confirmation_token, UpdateOutcome)
    if refused is not None:
        return refused
    reply = await state.api.executions.update(execution_id, HandlerCall(name=name, input=input))
    result, note = capped(reply.result, 20_000, "result", "get_execution")
    return UpdateOutcome(update=reply.update_name, result=result, message=note, confirmed_by=path)


async def cancel_execution(
    ctx: Context,
    execution_ids: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=256)]],
        Field(min_length=1, max_length=100, description="Execution ids, from list_runs."),
    ],
    answer: Confirmation,
    mode: Annotated[
        Literal["cancel", "terminate"], Field(description="cancel: graceful; terminate: forced, immediate.")
    ] = "cancel",
    confirmation_token: ConfirmationToken = None,
) -> StopOutcome:
    """Stop executions: cancel (graceful) or terminate (forced), once the user confirms; several
    ids always preview what stops and what is skipped."""
    state = app_state(ctx)
    ids = list(dict.fromkeys(execution_ids))
    args = {"execution_ids": ids, "mode": mode}
    refused, path = await confirm(ctx, "cancel_execution", args, answer, confirmation_token, StopOutcome)
    if refused is not None:
        return refused
    if len(ids) == 1:
        await state.api.executions.stop(ids[0], mode)
        return StopOutcome(stopped=ids, message=f"{mode} requested for {ids[0]}.", confirmed_by=path)
    batch = await state.api.executions.stop_many(ids, mode)
    failed = [f"{i}: {r.error or r.status}" for i, r in batch.results.items() if r.error]
    stopped = [i for i, r in batch.results.items() if not r.error]
    return StopOutcome(
        stopped=stopped, failed=failed, message=f"{mode}: {len(stopped)} ok, {len(failed)} failed.", confirmed_by=path
    )


async def reset_execution(
    ctx: Context,
    execution_id: ExecutionId,
    event_id: Annotated[
        int, Field(ge=1, description="WORKFLOW_TASK_COMPLETED event id (get_execution_trace view=events).")
    ],
    answer: Confirmation,
    reason: Annotated[str | None, Field(max_length=500, description="Why, for the audit trail.")] = None,
    exclude_signals: bool = False,
    exclude_updates: bool = False,
    confirmation_token: ConfirmationToken = None,
) -> ResetOutcome:
    """Roll an execution back to an event and replay it with the latest code (a new run; later
    progress is lost), once the user confirms."""
    state = app_state(ctx)
    args = {
        "execution_id": execution_id,
        "event_id": event_id,
        "exclude_signals": exclude_signals,
        "exclude_updates": exclude_updates,
    }
    refused, path = await confirm(ctx, "reset_execution", args, answer, confirmation_token, ResetOutcome)
    if refused is not None:
        return refused
    request = ResetRequest(
        event_id=event_id, reason=reason, exclude_signals=exclude_signals, exclude_updates=exclude_updates
    )
    await state.api.executions.reset(execution_id, request)
    execution = await state.api.executions.get(execution_id)
    return ResetOutcome(
        run_id=execution.run_id, message=f"Reset to event {event_id}; new run started.", confirmed_by=path
    )


# ---------------------------------------------------------------- handlers


async def _definition(state: AppState, execution: Execution) -> WorkflowCodeDefinition | None:
    registrations = await state.definitions.candidates(execution.workflow_name)
    mine = [r for r in registrations if r.workflow and r.workflow.name == execution.workflow_name]
    exact = [r for r in mine if r.deployment_name == execution.deployment_name] or mine
    return exact[0].definition if exact else None


def _handlers(definition: WorkflowCodeDefinition) -> list[tuple[HandlerKind, HandlerDefinition]]:
    kinds: list[tuple[HandlerKind, list[HandlerDefinition]]] = [
        ("signal", definition.signals),
        ("query", definition.queries),
        ("update", definition.updates),
    ]
    return [(kind, handler) for kind, handlers in kinds for handler in handlers]


async def _checked_handler(
    state: AppState, execution_id: str, kind: HandlerKind, name: str, value: dict[str, Any] | None
) -> None:
    """Refuse an unknown handler or an input that does not match its schema, before sending."""
    execution = await state.api.executions.get(execution_id)
    definition = await _definition(state, execution)
    if definition is None:
        return  # no definition to check against: upstream validates
    handlers = {h.name: h for k, h in _handlers(definition) if k == kind}
    if name not in handlers:
        valid = ", ".join(handlers) or "none"
        raise ToolInputError(
            f"workflow '{execution.workflow_name}' has no {kind} handler '{name}'; its {kind} handlers: {valid}. "
            "get_execution lists every handler."
        )
    check_against_schema(
        value or {}, handlers[name].input_schema, what="input", schema_source="get_workflow shows handler schemas."
    )


async def _describe_stop(state: AppState, args: Mapping[str, Any]) -> str:
    """Blast radius: how many executions stop, a sample, and which are skipped (not running)."""
    mode = str(args.get("mode", "cancel"))
    running: list[str] = []
    skipped: list[str] = []
    for execution_id in list(args["execution_ids"])[:100]:
        try:
            execution = await state.api.executions.get(str(execution_id))
        except NotFound:
            skipped.append(f"{execution_id} (not found)")
            continue
        if execution.status in ("RUNNING", "RETRYING_AFTER_ERROR"):
            running.append(f"{execution_id} ({execution.workflow_name})")
        else:
            skipped.append(f"{execution_id} ({execution.status})")
    verb = "Cancel (graceful stop)" if mode == "cancel" else "Terminate (forced stop)"
    text = f"{verb} {len(running)} execution(s): {', '.join(running[:5]) or 'none'}"
    text += f" and {len(running) - 5} more." if len(running) > 5 else "."
    if skipped:
        text += f" Skipped, not running: {', '.join(skipped[:10])}."
    return text


async def _describe_reset(state: AppState, args: Mapping[str, Any]) -> str:
    execution = await state.api.executions.get(str(args["execution_id"]))
    return (
        f"Reset execution {execution.execution_id} of {execution.workflow_name} ({execution.status}) to event "
        f"{args['event_id']}? Its current run ends and everything after that event is lost."
    )


async def _describe_handler(state: AppState, args: Mapping[str, Any]) -> str:
    execution = await state.api.executions.get(str(args["execution_id"]))
    payload = pydantic_core.to_json(args.get("input") or {}).decode()[:300]
    return f"Send '{args['name']}' to execution {execution.execution_id} of {execution.workflow_name} with {payload}?"


DESCRIBE = {
    "cancel_execution": _describe_stop,
    "reset_execution": _describe_reset,
    "signal_execution": _describe_handler,
    "update_execution": _describe_handler,
}

TOOLS = {
    fn.__name__: fn
    for fn in (
        get_execution,
        wait_for_execution,
        query_execution,
        signal_execution,
        update_execution,
        cancel_execution,
        reset_execution,
    )
}

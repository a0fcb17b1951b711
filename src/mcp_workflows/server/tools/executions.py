"""The `executions` toolset: find executions, follow one, steer it (signal, query, update), stop or reset it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

import pydantic_core
from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field

from mcp_workflows.api.errors import NotFound
from mcp_workflows.api.executions import (
    BATCH_CANCEL,
    BATCH_TERMINATE,
    CANCEL,
    GET_EXECUTION,
    QUERY,
    SIGNAL,
    STREAM,
    TERMINATE,
    UPDATE,
)
from mcp_workflows.api.models.executions import Execution, HandlerCall
from mcp_workflows.api.models.workflows import HandlerKind
from mcp_workflows.api.operations import Risk
from mcp_workflows.api.runs import LIST_RUNS
from mcp_workflows.server.catalog import Confirm, Listing, Target, tool
from mcp_workflows.server.concurrency import gather
from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.interactive import (
    RESERVED_HANDLERS,
    WAITING_SEARCH_KEY,
    PendingInput,
    check_answer,
    choose,
    pending_inputs,
    submit,
)
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.schema_check import check_against_schema
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.tools.outcomes import ExecutionOutcome, ExecutionRow, outcome_of
from mcp_workflows.server.tools.shared import (
    Cursor,
    DeploymentFilter,
    ExecutionId,
    Handler,
    Limit,
    NextCursor,
    PathSegment,
    Since,
    ToolResult,
    Until,
    WaitSeconds,
    WorkflowFilter,
    capped,
    iso,
)
from mcp_workflows.server.waiting import wait_in_call

Status = Literal[
    "RUNNING", "COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT", "RETRYING_AFTER_ERROR"
]
HandlerInput = Annotated[dict[str, Any] | None, Field(description="Input matching the handler's input_schema.")]
ExecutionIds = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=256), PathSegment("execution_id")]],
    Field(min_length=1, max_length=100, description="Execution ids, from list_executions."),
    AfterValidator(lambda ids: list(dict.fromkeys(ids))),  # the same id twice is one execution
]
EXECUTION = Target("execution", "execution_id")


class ExecutionDetail(ExecutionOutcome):
    failed_run_is_error: ClassVar[bool] = False  # reading a failed execution is a successful read
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


# ---------------------------------------------------------------- reads


class ExecutionPage(ToolResult):
    executions: list[ExecutionRow]
    next_cursor: NextCursor = None


@tool(Risk.READ, "List executions", operations=(LIST_RUNS,), listing=Listing("executions", "workflow_name"))
async def list_executions(
    ctx: Context,
    workflow: WorkflowFilter = None,
    status: Annotated[list[Status] | None, Field(max_length=8, description="Only these statuses.")] = None,
    execution_id: Annotated[
        str | None, Field(max_length=256, description="This execution and its child executions.")
    ] = None,
    search: Annotated[str | None, Field(max_length=200, description="Text to find in ids and names.")] = None,
    deployment: DeploymentFilter = None,
    waiting_for_input: Annotated[
        bool, Field(description="Only executions waiting for a person's answer (submit_input answers).")
    ] = False,
    since: Since = None,
    until: Until = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> ExecutionPage:
    """List executions, newest first (execution_id, run_id, status): find a past or running one, or
    what waits for someone's approval. since/until bound their start time. Pass next_cursor back as
    cursor for more."""
    if waiting_for_input:
        status = ["RUNNING"]  # a run closed while waiting keeps its search key
    page = await app_state(ctx).api.runs.list(
        workflow_identifier=workflow,
        search_key=[WAITING_SEARCH_KEY] if waiting_for_input else None,
        status=list(status) if status else None,
        root_execution_id=execution_id,
        search=search,
        deployment_name=deployment,
        start_time_after=iso(since),
        start_time_before=iso(until),
        page_size=limit,
        next_page_token=cursor,
    )
    return ExecutionPage(executions=[ExecutionRow.of(row) for row in page.executions], next_cursor=page.next_page_token)


@tool(Risk.READ, "Get an execution", operations=(GET_EXECUTION,), target=EXECUTION)
async def get_execution(ctx: Context, execution_id: ExecutionId) -> ExecutionDetail:
    """Get an execution's status, result (or failure message) and the signal, query and update
    handlers it accepts."""
    state = app_state(ctx)
    waited = await wait_in_call(state, execution_id, 0)
    registration = await state.registrations.of_execution(waited.execution)
    detail = outcome_of(waited).model_dump()
    handlers = [
        f"{kind} {h.name}"
        for kind, h in (registration.definition.handlers() if registration else [])
        if h.name not in RESERVED_HANDLERS
    ]
    return ExecutionDetail(**detail, handlers=handlers)


@tool(Risk.READ, "Wait for an execution", operations=(STREAM,), target=EXECUTION, bridges_input=True)
async def wait_for_execution(
    ctx: Context,
    execution_id: ExecutionId,
    wait_seconds: WaitSeconds = 25,
    after: Annotated[str | None, Field(max_length=64, description="cursor from the previous wait.")] = None,
) -> ExecutionOutcome:
    """Wait for an execution to end, up to wait_seconds, reporting progress; returns the result
    or the status and a cursor to wait again. Cancelling this call leaves the execution running."""
    state = app_state(ctx)
    waited = await wait_in_call(state, execution_id, wait_seconds, ctx, after=after)
    return outcome_of(waited)


@tool(Risk.READ, "Query an execution", operations=(QUERY,), target=EXECUTION)
async def query_execution(
    ctx: Context, execution_id: ExecutionId, handler: Handler, input: HandlerInput = None
) -> QueryAnswer:
    """Read a running execution's state with a query handler (get_execution lists them)."""
    state = app_state(ctx)
    await _check_handler(state, execution_id, "query", handler, input)
    reply = await state.api.executions.query(execution_id, HandlerCall(name=handler, input=input))
    result, note = capped(reply.result, 20_000, "result", "a narrower query")
    return QueryAnswer(query=reply.query_name, result=result, note=note)


# ---------------------------------------------------------------- steering


async def describe_handler(state: AppState, args: Mapping[str, Any]) -> str:
    execution = await state.api.executions.get(str(args["execution_id"]))
    payload = pydantic_core.to_json(args.get("input") or {}).decode()[:300]
    return (
        f"Send '{args['handler']}' to execution {execution.execution_id} of {execution.workflow_name} with {payload}?"
    )


async def check_signal(state: AppState, args: Mapping[str, Any]) -> None:
    await _check_handler(state, args["execution_id"], "signal", args["handler"], args.get("input"))


async def check_update(state: AppState, args: Mapping[str, Any]) -> None:
    await _check_handler(state, args["execution_id"], "update", args["handler"], args.get("input"))


@tool(
    Risk.EXECUTE,
    "Signal an execution",
    operations=(SIGNAL,),
    target=EXECUTION,
    confirm=Confirm(describe_handler, check=check_signal),
)
async def signal_execution(
    ctx: Context, execution_id: ExecutionId, handler: Handler, input: HandlerInput = None
) -> SignalOutcome:
    """Send a signal (an asynchronous message, e.g. an approval) to a running execution; input
    is checked against the handler's schema. Never retried."""
    accepted = await app_state(ctx).api.executions.signal(execution_id, HandlerCall(name=handler, input=input))
    return SignalOutcome(signal=handler, message=accepted.message)


@tool(
    Risk.EXECUTE,
    "Send an update to an execution",
    operations=(UPDATE,),
    target=EXECUTION,
    confirm=Confirm(describe_handler, check=check_update),
)
async def update_execution(
    ctx: Context, execution_id: ExecutionId, handler: Handler, input: HandlerInput = None
) -> UpdateOutcome:
    """Send an update (a synchronous change that returns a value) to a running execution; its
    input is checked against the handler's schema first."""
    reply = await app_state(ctx).api.executions.update(execution_id, HandlerCall(name=handler, input=input))
    result, note = capped(reply.result, 20_000, "result", "get_execution")
    return UpdateOutcome(update=reply.update_name, result=result, message=note)


async def describe_submit(state: AppState, args: Mapping[str, Any]) -> str:
    pending = await _pending_for(state, args)
    answer = pydantic_core.to_json(args.get("input")).decode()[:300]
    return f"Answer {pending.label or 'the form'} of execution {args['execution_id']} with {answer}?"


async def check_submit(state: AppState, args: Mapping[str, Any]) -> None:
    check_answer(await _pending_for(state, args), args.get("input"))


async def _pending_for(state: AppState, args: Mapping[str, Any]) -> PendingInput:
    execution_id = str(args["execution_id"])
    return choose(await pending_inputs(state.api, execution_id), args.get("task_id"), execution_id)


@tool(
    Risk.EXECUTE,
    "Answer a workflow waiting for a person",
    operations=(QUERY, UPDATE),  # the reserved __get_pending_inputs query and __submit_input update
    target=EXECUTION,
    confirm=Confirm(describe_submit, check=check_submit, unbound=("wait_seconds",)),
    bridges_input=True,
)
async def submit_input(
    ctx: Context,
    execution_id: ExecutionId,
    input: Annotated[dict[str, Any], Field(description="The answer: fields of the pending input's form.")],
    task_id: Annotated[
        str | None, Field(max_length=256, description="Which pending input (needed only when several wait).")
    ] = None,
    wait_seconds: WaitSeconds = 25,
) -> ExecutionOutcome:
    """Answer a form an execution waits on (get_execution shows it), checked against the form first;
    then wait like wait_for_execution for the result or the next form."""
    state = app_state(ctx)
    pending = choose(await pending_inputs(state.api, execution_id), task_id, execution_id)
    await submit(state.api, execution_id, pending, input)
    waited = await wait_in_call(state, execution_id, wait_seconds, ctx)
    return outcome_of(waited)


async def describe_stop(state: AppState, args: Mapping[str, Any]) -> str:
    """Blast radius: how many executions stop, a sample, and which are skipped (not running)."""
    mode = str(args.get("mode", "cancel"))
    ids = [str(i) for i in args["execution_ids"]][:100]

    async def look(execution_id: str) -> Execution | None:
        try:
            return await state.api.executions.get(execution_id)
        except NotFound:
            return None

    running: list[str] = []
    skipped: list[str] = []
    for execution_id, execution in zip(ids, await gather([look(i) for i in ids]), strict=True):
        if execution is None:
            skipped.append(f"{execution_id} (not found)")
        elif execution.status in ("RUNNING", "RETRYING_AFTER_ERROR"):
            running.append(f"{execution_id} ({execution.workflow_name})")
        else:
            skipped.append(f"{execution_id} ({execution.status})")
    verb = "Cancel (graceful stop)" if mode == "cancel" else "Terminate (forced stop)"
    text = f"{verb} {len(running)} execution(s): {', '.join(running[:5]) or 'none'}"
    text += f" and {len(running) - 5} more." if len(running) > 5 else "."
    if skipped:
        text += f" Skipped, not running: {', '.join(skipped[:10])}."
    return text


@tool(
    Risk.DESTRUCTIVE,
    "Cancel or terminate executions",
    operations=(CANCEL, TERMINATE, BATCH_CANCEL, BATCH_TERMINATE),
    target=Target("execution", "execution_ids"),
    confirm=Confirm(describe_stop),
    batch_argument="execution_ids",
)
async def cancel_execution(
    ctx: Context,
    execution_ids: ExecutionIds,
    mode: Annotated[
        Literal["cancel", "terminate"], Field(description="cancel: graceful; terminate: forced, immediate.")
    ] = "cancel",
) -> StopOutcome:
    """Stop executions: cancel (graceful) or terminate (forced), once the user confirms; several
    ids always preview what stops and what is skipped."""
    api = app_state(ctx).api.executions
    if len(execution_ids) == 1:
        await (api.cancel(execution_ids[0]) if mode == "cancel" else api.terminate(execution_ids[0]))
        return StopOutcome(stopped=execution_ids, message=f"{mode} requested for {execution_ids[0]}.")
    batch = await (api.batch_cancel(execution_ids) if mode == "cancel" else api.batch_terminate(execution_ids))
    failed = [f"{i}: {r.error or r.status}" for i, r in batch.results.items() if r.error]
    stopped = [i for i, r in batch.results.items() if not r.error]
    return StopOutcome(stopped=stopped, failed=failed, message=f"{mode}: {len(stopped)} ok, {len(failed)} failed.")


# ---------------------------------------------------------------- handlers


async def _check_handler(
    state: AppState, execution_id: str, kind: HandlerKind, name: str, value: dict[str, Any] | None
) -> None:
    """Refuse an unknown handler or an input that does not match its schema, before sending."""
    execution = await state.api.executions.get(execution_id)
    registration = await state.registrations.of_execution(execution)
    if registration is None:
        return  # no definition to check against: upstream validates
    handlers = {h.name: h for k, h in registration.definition.handlers() if k == kind}
    if name not in handlers:
        valid = ", ".join(handlers) or "none"
        raise ToolInputError(
            f"workflow '{execution.workflow_name}' has no {kind} handler '{name}'; its {kind} handlers: {valid}. "
            "get_execution lists every handler."
        )
    check_against_schema(
        value or {}, handlers[name].input_schema, what="input", schema_source="get_workflow shows handler schemas."
    )

"""The `workflows` toolset: find, inspect, edit, archive and run workflows."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal

import pydantic_core
from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field

from mcp_workflows.api.errors import Conflict, NotFound, WorkflowsAPIError
from mcp_workflows.api.models.executions import Execution, ExecutionRequest, ExecutionSyncResult
from mcp_workflows.api.models.workflows import Workflow, WorkflowCodeDefinition, WorkflowRegistration, WorkflowUpdate
from mcp_workflows.api.workflows import (
    ARCHIVE_WORKFLOW,
    BULK_ARCHIVE,
    BULK_UNARCHIVE,
    EXECUTE_REGISTRATION,
    EXECUTE_WORKFLOW,
    GET_REGISTRATION,
    GET_WORKFLOW,
    LIST_REGISTRATIONS,
    LIST_WORKFLOWS,
    UNARCHIVE_WORKFLOW,
    UPDATE_WORKFLOW,
)
from mcp_workflows.server.catalog import Confirm, Listing, Risk, Target, tool
from mcp_workflows.server.concurrency import gather
from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.results import CreatedIdError, ToolInputError
from mcp_workflows.server.schema_check import check_against_schema
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.tools.outcomes import ExecutionOutcome, outcome_of
from mcp_workflows.server.tools.shared import (
    Cursor,
    Limit,
    NextCursor,
    RegistrationId,
    ToolResult,
    WaitSeconds,
    WorkflowIdentifier,
    both,
    check_workflow_input,
)
from mcp_workflows.server.waiting import wait_for_end

# ---------------------------------------------------------------- parameters

ExecutionInput = Annotated[
    dict[str, Any] | None,
    Field(description="Input matching get_workflow's input_schema."),
]
NewExecutionId = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=256,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Your id for this run (retry-safe); generated if omitted.",
    ),
]
DeploymentName = Annotated[
    str | None,
    Field(
        max_length=128,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Deployment to run on, when several serve the workflow.",
    ),
]
WorkflowIds = Annotated[
    list[uuid.UUID],
    Field(min_length=1, max_length=100, description="Workflow ids from list_workflows."),
    AfterValidator(lambda ids: sorted(set(ids), key=str)),  # one token fits any order of the same ids
]
WORKFLOW = Target("workflow", "workflow_identifier")
REGISTRATION = Target("registration", "registration_id")

# ---------------------------------------------------------------- results


class WorkflowSummary(ToolResult):
    id: str
    name: str
    display_name: str
    description: str | None = None
    archived: bool = False
    tags: list[str] = Field(default_factory=list)
    available_in_chat_assistant: bool = False
    active: bool | None = Field(default=None, description="True while a worker serves the workflow.")

    @classmethod
    def of(cls, workflow: Workflow) -> WorkflowSummary:
        return cls(
            id=workflow.id,
            name=workflow.name,
            display_name=workflow.display_name,
            description=workflow.description,
            archived=workflow.archived,
            tags=workflow.tags,
            available_in_chat_assistant=workflow.available_in_chat_assistant,
            active=workflow.active,
        )


class WorkflowRef(ToolResult):
    id: str
    name: str
    display_name: str
    archived: bool = False

    @classmethod
    def of(cls, workflow: Workflow) -> WorkflowRef:
        return cls(id=workflow.id, name=workflow.name, display_name=workflow.display_name, archived=workflow.archived)


class WorkflowPage(ToolResult):
    workflows: list[WorkflowSummary]
    next_cursor: NextCursor = None


class Handler(ToolResult):
    kind: Literal["signal", "query", "update"]
    name: str
    description: str | None = None
    input_schema: dict[str, Any] | None = None


class RegistrationDetail(ToolResult):
    id: str
    workflow_id: str
    deployment_name: str | None = None
    active: bool | None = None
    compatible_with_chat_assistant: bool = False
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    handlers: list[Handler] = Field(default_factory=list, description="Signals, queries and updates it accepts.")
    execution_timeout_s: float | None = None

    @classmethod
    def of(cls, reg: WorkflowRegistration) -> RegistrationDetail:
        definition = reg.definition
        return cls(
            id=reg.id,
            workflow_id=reg.workflow_id,
            deployment_name=reg.deployment_name,
            active=reg.active,
            compatible_with_chat_assistant=reg.compatible_with_chat_assistant,
            input_schema=definition.input_schema,
            output_schema=definition.output_schema,
            handlers=_all_handlers(definition),
            execution_timeout_s=definition.execution_timeout,
        )


class RegistrationSummary(ToolResult):
    id: str
    workflow_id: str
    workflow_name: str | None = None
    deployment_name: str | None = None
    active: bool | None = None
    compatible_with_chat_assistant: bool = False


class RegistrationPage(ToolResult):
    registrations: list[RegistrationSummary]
    next_cursor: NextCursor = None


class ActiveRegistration(ToolResult):
    """The registration execute_workflow runs: an active one (served by a worker) when one exists."""

    id: str
    deployment_name: str | None = None
    input_schema: dict[str, Any] | None = Field(default=None, description="What execute_workflow's input must match.")
    handlers: list[Handler] = Field(default_factory=list, description="Signals, queries and updates it accepts.")


class WorkflowDetail(ToolResult):
    workflow: WorkflowSummary
    registration: ActiveRegistration | None = None
    note: str | None = None


class ArchiveOutcome(Guarded):
    workflow: WorkflowRef | None = None


def _all_handlers(definition: WorkflowCodeDefinition) -> list[Handler]:
    return [
        Handler(kind=kind, name=h.name, description=h.description, input_schema=h.input_schema)
        for kind, h in definition.handlers()
    ]


# ---------------------------------------------------------------- tools


@tool(Risk.READ, "List workflows", operations=(LIST_WORKFLOWS,), listing=Listing("workflows", "name"))
async def list_workflows(
    ctx: Context,
    search: Annotated[str | None, Field(max_length=200, description="Text to find in names.")] = None,
    tags: Annotated[
        list[Annotated[str, Field(max_length=100)]] | None,
        Field(max_length=20, description="Only workflows with all these tags."),
    ] = None,
    archived: Annotated[bool | None, Field(description="true: archived only; false: hide archived.")] = None,
    available_in_chat_assistant: Annotated[bool | None, Field(description="Chat-assistant availability.")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> WorkflowPage:
    """List workflows (name, id, tags): start here to find one to inspect or run. Pass
    next_cursor back as cursor for more."""
    page = await app_state(ctx).api.workflows.list(
        search=search,
        tags=tags,
        archived=archived,
        available_in_chat_assistant=available_in_chat_assistant,
        cursor=cursor,
        limit=limit,
    )
    return WorkflowPage(workflows=[WorkflowSummary.of(w) for w in page.workflows], next_cursor=page.next_cursor)


@tool(Risk.READ, "Get a workflow and its input schema", operations=(GET_WORKFLOW,), target=WORKFLOW)
async def get_workflow(ctx: Context, workflow_identifier: WorkflowIdentifier) -> WorkflowDetail:
    """Get a workflow, whether a worker serves it, and its active registration: the input_schema
    execute_workflow's input must match, and the signal, query and update handlers."""
    state = app_state(ctx)
    if state.registrations.cached(workflow_identifier) is not None:
        workflow = await state.api.workflows.get(workflow_identifier)
    else:  # both lookups at once: one round trip of latency instead of two
        workflow, _ = await both(
            state.api.workflows.get(workflow_identifier), state.registrations.candidates(workflow_identifier)
        )
    mine = await state.registrations.of_workflow(workflow.id, workflow_identifier)
    chosen = mine[0] if mine else None
    note = None
    if chosen is None:
        note = "No registration: no worker has registered this workflow's code, so it cannot run yet."
    elif len(mine) > 1:
        note = "Several registrations exist; pass deployment_name to execute_workflow to pick one."
    registration = None
    if chosen is not None:
        registration = ActiveRegistration(
            id=chosen.id,
            deployment_name=chosen.deployment_name,
            input_schema=chosen.definition.input_schema,
            handlers=_all_handlers(chosen.definition),
        )
    return WorkflowDetail(workflow=WorkflowSummary.of(workflow), registration=registration, note=note)


@tool(Risk.WRITE, "Update workflow metadata", operations=(UPDATE_WORKFLOW,), target=WORKFLOW)
async def update_workflow(
    ctx: Context,
    workflow_identifier: WorkflowIdentifier,
    display_name: Annotated[str | None, Field(min_length=1, max_length=128, description="New display name.")] = None,
    description: Annotated[str | None, Field(max_length=4000, description="New description.")] = None,
    available_in_chat_assistant: Annotated[bool | None, Field(description="Offer it in the chat assistant.")] = None,
    tags: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
        Field(max_length=50, description="Replaces all tags ([] clears)."),
    ] = None,
) -> WorkflowSummary:
    """Change a workflow's display name, description, tags or chat-assistant availability;
    omitted fields keep their value."""
    update = WorkflowUpdate(
        display_name=display_name,
        description=description,
        available_in_chat_assistant=available_in_chat_assistant,
        tags=tags,
    )
    if not update.model_dump(exclude_none=True):
        raise ToolInputError(
            "nothing to update: give at least one of display_name, description, available_in_chat_assistant, tags."
        )
    return WorkflowSummary.of(await app_state(ctx).api.workflows.update(workflow_identifier, update))


async def describe_archive(state: AppState, args: Mapping[str, Any]) -> str:
    workflow = await state.api.workflows.get(str(args["workflow_identifier"]))
    return (
        f'Archive workflow "{workflow.display_name}" (name {workflow.name}, id {workflow.id})? '
        "It will be hidden from default listings; unarchive_workflow restores it."
    )


@tool(
    Risk.DESTRUCTIVE,
    "Archive a workflow",
    operations=(ARCHIVE_WORKFLOW,),
    target=WORKFLOW,
    confirm=Confirm(describe_archive),
)
async def archive_workflow(ctx: Context, workflow_identifier: WorkflowIdentifier) -> ArchiveOutcome:
    """Archive a workflow (unarchive_workflow undoes it). The user confirms first: in a form,
    or by agreeing to the message returned with a confirmation_token."""
    workflow = await app_state(ctx).api.workflows.archive(workflow_identifier)
    return ArchiveOutcome(message=f'Archived "{workflow.display_name}".', workflow=WorkflowRef.of(workflow))


@tool(Risk.WRITE, "Unarchive a workflow", operations=(UNARCHIVE_WORKFLOW,), target=WORKFLOW)
async def unarchive_workflow(ctx: Context, workflow_identifier: WorkflowIdentifier) -> WorkflowRef:
    """Unarchive a workflow so it shows in default listings again."""
    return WorkflowRef.of(await app_state(ctx).api.workflows.unarchive(workflow_identifier))


class BulkArchiveOutcome(Guarded):
    done: list[WorkflowRef] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list)


async def describe_bulk_archive(state: AppState, args: Mapping[str, Any]) -> str:
    """The blast radius: how many, a sample by name, and what would be skipped and why."""
    archive = bool(args.get("archive", True))
    ids = [str(i) for i in args["workflow_ids"]]

    async def look(workflow_id: str) -> Workflow | None:
        try:
            return await state.api.workflows.get(workflow_id)
        except NotFound:
            return None

    found = dict(zip(ids, await gather([look(i) for i in ids]), strict=True))
    targets = [w for w in found.values() if w is not None and w.archived != archive]
    unchanged = [w.name for w in found.values() if w is not None and w.archived == archive]
    missing = [i for i, w in found.items() if w is None]
    verb = "Archive" if archive else "Unarchive"
    sample = ", ".join(f'"{w.display_name}" ({w.name})' for w in targets[:5])
    more = f" and {len(targets) - 5} more" if len(targets) > 5 else ""
    lines = [f"{verb} {len(targets)} workflow(s): {sample or 'none'}{more}."]
    if unchanged:
        lines.append(f"Skipped, already {'archived' if archive else 'active'}: {', '.join(unchanged[:10])}.")
    if missing:
        lines.append(f"Skipped, not found: {', '.join(missing[:10])}.")
    return " ".join(lines)


@tool(
    Risk.DESTRUCTIVE,
    "Archive or unarchive many workflows",
    operations=(BULK_ARCHIVE, BULK_UNARCHIVE),
    target=Target("workflow", "workflow_ids"),
    confirm=Confirm(describe_bulk_archive),
    always_preview=True,
)
async def bulk_archive_workflows(
    ctx: Context,
    workflow_ids: WorkflowIds,
    archive: Annotated[bool, Field(description="false unarchives instead.")] = True,
) -> BulkArchiveOutcome:
    """Archive (or unarchive) many workflows by id; always previews which first, then acts on the
    confirmation_token."""
    ids = [str(i) for i in workflow_ids]
    api = app_state(ctx).api.workflows
    result = await (api.bulk_archive(ids) if archive else api.bulk_unarchive(ids))
    return BulkArchiveOutcome(
        message=f"{'Archived' if archive else 'Unarchived'} {len(result.done)}, failed {len(result.errored)}.",
        done=[WorkflowRef.of(w) for w in result.done],
        failed=[f"{e.get('workflow_id')}: {e.get('message')}" for e in result.errored],
    )


@tool(
    Risk.READ,
    "List workflow registrations",
    operations=(LIST_REGISTRATIONS,),
    listing=Listing("registrations", "workflow_name"),
)
async def list_workflow_registrations(
    ctx: Context,
    workflow_id: Annotated[uuid.UUID | None, Field(description="Only this workflow's (id).")] = None,
    workflow_search: Annotated[
        str | None, Field(max_length=200, description="Text to match in workflow names.")
    ] = None,
    active_only: Annotated[bool, Field(description="Only those a live worker serves.")] = False,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> RegistrationPage:
    """List registrations (a deployment's code for a workflow). Pass next_cursor back as cursor for
    more."""
    page = await app_state(ctx).api.workflows.list_registrations(
        workflow_id=str(workflow_id) if workflow_id else None,
        workflow_search=workflow_search,
        active_only=active_only or None,
        with_workflow=True,
        cursor=cursor,
        limit=limit,
    )
    return RegistrationPage(
        registrations=[
            RegistrationSummary(
                id=r.id,
                workflow_id=r.workflow_id,
                workflow_name=r.workflow.name if r.workflow else None,
                deployment_name=r.deployment_name,
                active=r.active,
                compatible_with_chat_assistant=r.compatible_with_chat_assistant,
            )
            for r in page.workflow_registrations
        ],
        next_cursor=page.next_cursor,
    )


@tool(Risk.READ, "Get a workflow registration", operations=(GET_REGISTRATION,), target=REGISTRATION)
async def get_workflow_registration(ctx: Context, registration_id: RegistrationId) -> RegistrationDetail:
    """Get a registration: its input and output schemas and its handlers."""
    return RegistrationDetail.of(await app_state(ctx).api.workflows.get_registration(str(registration_id)))


async def describe_execute(state: AppState, args: Mapping[str, Any]) -> str:
    if "workflow_identifier" in args:
        workflow = await state.api.workflows.get(str(args["workflow_identifier"]))
        name = f'"{workflow.display_name}" ({workflow.name})'
    else:
        name = f"registration {args['registration_id']}"
    return f"Start workflow {name} with input {pydantic_core.to_json(args.get('input') or {}).decode()[:500]}?"


async def check_execute(state: AppState, args: Mapping[str, Any]) -> None:
    await check_workflow_input(state, args["workflow_identifier"], args.get("deployment_name"), args.get("input"))


@tool(
    Risk.EXECUTE,
    "Execute a workflow",
    operations=(EXECUTE_WORKFLOW,),
    target=WORKFLOW,
    confirm=Confirm(describe_execute, check=check_execute, unbound=("execution_id", "wait_seconds")),
)
async def execute_workflow(
    ctx: Context,
    workflow_identifier: WorkflowIdentifier,
    input: ExecutionInput = None,
    execution_id: NewExecutionId = None,
    deployment_name: DeploymentName = None,
    wait_seconds: WaitSeconds = 25,
) -> ExecutionOutcome:
    """Run a workflow and wait up to wait_seconds for its result, reporting progress; else returns
    the execution_id and what to call next. Retrying with the same execution_id never runs twice;
    cancelling this call leaves the execution running."""
    api = app_state(ctx).api.workflows
    request = ExecutionRequest(
        execution_id=execution_id or _new_execution_id(), input=input, deployment_name=deployment_name
    )
    return await _start(ctx, request, wait_seconds, lambda: api.execute(workflow_identifier, request))


async def check_execute_registration(state: AppState, args: Mapping[str, Any]) -> None:
    registration = await state.api.workflows.get_registration(str(args["registration_id"]))
    check_against_schema(
        args.get("input") or {},
        registration.definition.input_schema,
        what="input",
        schema_source="get_workflow_registration shows the input_schema.",
    )


@tool(
    Risk.EXECUTE,
    "Execute a registration (deprecated)",
    operations=(EXECUTE_REGISTRATION,),
    target=REGISTRATION,
    confirm=Confirm(describe_execute, check=check_execute_registration, unbound=("execution_id", "wait_seconds")),
)
async def execute_workflow_registration(
    ctx: Context,
    registration_id: RegistrationId,
    input: ExecutionInput = None,
    execution_id: NewExecutionId = None,
    wait_seconds: WaitSeconds = 25,
) -> ExecutionOutcome:
    """Deprecated upstream: use execute_workflow with deployment_name. Runs one registration."""
    api = app_state(ctx).api.workflows
    request = ExecutionRequest(execution_id=execution_id or _new_execution_id(), input=input)
    return await _start(ctx, request, wait_seconds, lambda: api.execute_registration(str(registration_id), request))


def _new_execution_id() -> str:
    return f"mcp-{uuid.uuid4().hex}"


async def _start(
    ctx: Context,
    request: ExecutionRequest,
    wait_seconds: float,
    send: Callable[[], Awaitable[Execution | ExecutionSyncResult]],
) -> ExecutionOutcome:
    """Send the start request and wait; any failure from then on names the execution_id."""
    state = app_state(ctx)
    api = state.api
    execution_id = request.execution_id
    assert execution_id is not None
    try:
        try:
            started = await send()
        except Conflict:
            # Our own execution id already exists: a retried call whose first attempt got through.
            started = await api.executions.get(execution_id)
        known = started if isinstance(started, Execution) else None
        waited = await wait_for_end(
            api, execution_id, wait_seconds, ctx, known=known, quiet_s=state.settings.stream_quiet_s
        )
    except WorkflowsAPIError as exc:
        follow = (
            f"Call wait_for_execution(execution_id={execution_id!r}) to follow it instead of executing again "
            f"(executing again with execution_id={execution_id!r} never starts a second run)."
        )
        raise CreatedIdError(exc, f"Execution {execution_id!r}", follow) from exc
    return outcome_of(waited)

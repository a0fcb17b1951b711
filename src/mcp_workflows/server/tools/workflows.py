"""The `workflows` toolset: find, inspect, edit, archive and run workflows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pydantic_core
from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field

from mcp_workflows.api.errors import NotFound
from mcp_workflows.api.models.executions import ExecutionRequest
from mcp_workflows.api.models.workflows import Workflow, WorkflowCodeDefinition, WorkflowUpdate
from mcp_workflows.api.operations import Risk
from mcp_workflows.api.workflows import (
    ADD_WORKFLOW_TAGS,
    ARCHIVE_WORKFLOW,
    BULK_ARCHIVE,
    BULK_UNARCHIVE,
    EXECUTE_WORKFLOW,
    GET_WORKFLOW,
    LIST_WORKFLOWS,
    UNARCHIVE_WORKFLOW,
    UPDATE_WORKFLOW,
)
from mcp_workflows.server.catalog import Confirm, Listing, Target, tool
from mcp_workflows.server.concurrency import gather
from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.interactive import RESERVED_HANDLERS, is_interactive
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.tools.launch import new_execution_id, start_and_wait
from mcp_workflows.server.tools.outcomes import ExecutionOutcome
from mcp_workflows.server.tools.shared import (
    Cursor,
    DeploymentFilter,
    Limit,
    NextCursor,
    PathSegment,
    ToolResult,
    WaitSeconds,
    WorkflowIdentifier,
    both,
    check_workflow_input,
    join_notes,
)

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
WorkflowList = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=256), PathSegment("workflow_identifier")]],
    Field(min_length=1, max_length=100, description="Workflow names or ids, from list_workflows."),
    AfterValidator(lambda values: sorted(set(values))),  # one token fits any order of the same workflows
]
WORKFLOW = Target("workflow", "workflow")

# ---------------------------------------------------------------- results


class WorkflowSummary(ToolResult):
    id: str
    name: str
    display_name: str
    description: str | None = None
    archived: bool | None = None
    tags: list[str] = Field(default_factory=list)
    available_in_chat_assistant: bool | None = None
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


def all_handlers(definition: WorkflowCodeDefinition) -> list[Handler]:
    return [
        Handler(kind=kind, name=h.name, description=h.description, input_schema=h.input_schema)
        for kind, h in definition.handlers()
        if h.name not in RESERVED_HANDLERS
    ]


# ---------------------------------------------------------------- tools


@tool(Risk.READ, "List workflows", operations=(LIST_WORKFLOWS,), listing=Listing("workflows", "name"))
async def list_workflows(
    ctx: Context,
    search: Annotated[str | None, Field(max_length=200, description="Text to find in names.")] = None,
    tags: Annotated[
        list[Annotated[str, Field(max_length=100)]] | None,
        Field(max_length=20, description="Only workflows with all these tags (tags from earlier listings)."),
    ] = None,
    archived: Annotated[bool, Field(description="true: archived workflows only (hidden by default).")] = False,
    available_in_chat_assistant: Annotated[
        bool | None, Field(description="true: only those offered in the chat assistant; false: the others.")
    ] = None,
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
async def get_workflow(ctx: Context, workflow: WorkflowIdentifier) -> WorkflowDetail:
    """Get a workflow, whether a worker serves it, and its active registration: the input_schema
    execute_workflow's input must match, and the signal, query and update handlers."""
    state = app_state(ctx)
    if state.registrations.cached(workflow) is not None:
        found = await state.api.workflows.get(workflow)
    else:  # both lookups at once: one round trip of latency instead of two
        found, _ = await both(state.api.workflows.get(workflow), state.registrations.candidates(workflow))
    mine, served = await state.registrations.of_workflow(found.id, workflow)
    chosen = mine[0] if mine else None
    note = None
    if chosen is None:
        note = "No registration: no worker has registered this workflow's code, so it cannot run yet."
    elif not served:
        note = "No worker serves it now: an execution would wait until one does."
    elif len(mine) > 1:
        note = "Several registrations exist; pass deployment to execute_workflow to pick one."
    if chosen is not None and is_interactive(chosen.definition):
        note = join_notes(note, "It can wait for a person's answer: submit_input gives it (its form is shown then)")
    registration = None
    if chosen is not None:
        registration = ActiveRegistration(
            id=chosen.id,
            deployment_name=chosen.deployment_name,
            input_schema=chosen.definition.input_schema,
            handlers=all_handlers(chosen.definition),
        )
    return WorkflowDetail(workflow=WorkflowSummary.of(found), registration=registration, note=note)


@tool(Risk.WRITE, "Update workflow metadata", operations=(UPDATE_WORKFLOW, ADD_WORKFLOW_TAGS), target=WORKFLOW)
async def update_workflow(
    ctx: Context,
    workflow: WorkflowIdentifier,
    display_name: Annotated[str | None, Field(min_length=1, max_length=128, description="New display name.")] = None,
    description: Annotated[str | None, Field(max_length=4000, description="New description.")] = None,
    available_in_chat_assistant: Annotated[bool | None, Field(description="Offer it in the chat assistant.")] = None,
    tags: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
        Field(max_length=50, description="Replaces all tags ([] clears)."),
    ] = None,
    add_tags: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
        Field(max_length=50, description="Tags to add, keeping the others."),
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
    changes = update.model_dump(exclude_none=True)
    if not changes and not add_tags:
        raise ToolInputError(
            "nothing to update: give at least one of display_name, description, available_in_chat_assistant, tags, "
            "add_tags."
        )
    if tags is not None and add_tags:
        raise ToolInputError("give tags (replace them all) or add_tags (keep the others), not both.")
    api = app_state(ctx).api.workflows
    if add_tags:
        await api.add_tags(workflow, add_tags)
    return WorkflowSummary.of(await api.update(workflow, update) if changes else await api.get(workflow))


async def describe_archive(state: AppState, args: Mapping[str, Any]) -> str:
    workflow = await state.api.workflows.get(str(args["workflow"]))
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
async def archive_workflow(ctx: Context, workflow: WorkflowIdentifier) -> ArchiveOutcome:
    """Archive a workflow (unarchive_workflow undoes it). The user confirms first: in a form,
    or by agreeing to the message returned with a confirmation_token."""
    archived = await app_state(ctx).api.workflows.archive(workflow)
    return ArchiveOutcome(message=f'Archived "{archived.display_name}".', workflow=WorkflowRef.of(archived))


@tool(Risk.WRITE, "Unarchive a workflow", operations=(UNARCHIVE_WORKFLOW,), target=WORKFLOW)
async def unarchive_workflow(ctx: Context, workflow: WorkflowIdentifier) -> WorkflowRef:
    """Unarchive a workflow so it shows in default listings again."""
    return WorkflowRef.of(await app_state(ctx).api.workflows.unarchive(workflow))


class BulkArchiveOutcome(Guarded):
    done: list[WorkflowRef] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list)


async def _look_up(state: AppState, workflows: list[str]) -> dict[str, Workflow | None]:
    """Each workflow (by name or id) as the API knows it; None when it does not exist."""

    async def look(workflow: str) -> Workflow | None:
        try:
            return await state.api.workflows.get(workflow)
        except NotFound:
            return None

    return dict(zip(workflows, await gather([look(w) for w in workflows]), strict=True))


async def describe_bulk_archive(state: AppState, args: Mapping[str, Any]) -> str:
    """The blast radius: how many, a sample by name, and what would be skipped and why."""
    archive = bool(args.get("archive", True))
    found = await _look_up(state, list(args["workflows"]))
    targets = [w for w in found.values() if w is not None and w.archived != archive]
    unchanged = [w.name for w in found.values() if w is not None and w.archived == archive]
    missing = [given for given, w in found.items() if w is None]
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
    target=Target("workflow", "workflows"),
    confirm=Confirm(describe_bulk_archive),
    always_preview=True,
)
async def bulk_archive_workflows(
    ctx: Context,
    workflows: WorkflowList,
    archive: Annotated[bool, Field(description="false unarchives instead.")] = True,
) -> BulkArchiveOutcome:
    """Archive (or unarchive) many workflows at once; always previews which first, then acts on the
    confirmation_token."""
    state = app_state(ctx)
    found = await _look_up(state, workflows)
    ids = sorted({w.id for w in found.values() if w is not None})
    missing = [f"{given}: not found (list_workflows shows valid names)" for given, w in found.items() if w is None]
    api = state.api.workflows
    result = await (api.bulk_archive(ids) if archive else api.bulk_unarchive(ids)) if ids else None
    done = [WorkflowRef.of(w) for w in result.done] if result else []
    failed = missing + ([f"{e.get('workflow_id')}: {e.get('message')}" for e in result.errored] if result else [])
    return BulkArchiveOutcome(
        message=f"{'Archived' if archive else 'Unarchived'} {len(done)}, failed {len(failed)}.",
        done=done,
        failed=failed,
    )


async def describe_execute(state: AppState, args: Mapping[str, Any]) -> str:
    if "workflow" in args:
        workflow = await state.api.workflows.get(str(args["workflow"]))
        name = f'"{workflow.display_name}" ({workflow.name})'
    else:
        name = f"registration {args['registration_id']}"
    given = pydantic_core.to_json(args.get("input") or {}).decode()[:500]
    reused = f" over the input of execution {args['input_from']}" if args.get("input_from") else ""
    return f"Start workflow {name} with input {given}{reused}?"


async def full_input(state: AppState, args: Mapping[str, Any]) -> dict[str, Any] | None:
    """The input to run with: `input`, over the input of the execution named by `input_from`."""
    given: dict[str, Any] | None = args.get("input")
    if not args.get("input_from"):
        return given
    return {**await started_input(state, str(args["input_from"])), **(given or {})}


async def started_input(state: AppState, execution_id: str) -> dict[str, Any]:
    """The input an execution started with (its WORKFLOW_EXECUTION_STARTED event carries it)."""
    page = await state.api.events.list(workflow_exec_id=execution_id, limit=20)
    for event in page.events:
        if event.event_type == "WORKFLOW_EXECUTION_STARTED":
            payload = event.attributes.get("input")
            value = payload.get("value") if isinstance(payload, dict) and "value" in payload else payload
            if isinstance(value, dict):
                return value
    raise ToolInputError(
        f"the input of execution {execution_id} could not be read (no start event with a JSON input); "
        "pass input yourself."
    )


async def check_execute(state: AppState, args: Mapping[str, Any]) -> None:
    await check_workflow_input(state, args["workflow"], args.get("deployment"), await full_input(state, args))


@tool(
    Risk.EXECUTE,
    "Execute a workflow",
    operations=(EXECUTE_WORKFLOW,),
    target=WORKFLOW,
    confirm=Confirm(describe_execute, check=check_execute, unbound=("execution_id", "wait_seconds")),
    bridges_input=True,
)
async def execute_workflow(
    ctx: Context,
    workflow: WorkflowIdentifier,
    input: ExecutionInput = None,
    input_from: Annotated[
        str | None,
        Field(max_length=256, description="Reuse this execution's input (id from list_executions); input overrides."),
        PathSegment("execution_id"),
    ] = None,
    execution_id: NewExecutionId = None,
    deployment: DeploymentFilter = None,
    wait_seconds: WaitSeconds = 25,
) -> ExecutionOutcome:
    """Run a workflow and wait up to wait_seconds for its result, reporting progress; else returns
    the execution_id and what to call next. Retrying with the same execution_id never runs twice;
    cancelling this call leaves the execution running."""
    state = app_state(ctx)
    api = state.api.workflows
    arguments = {"input": input, "input_from": input_from}
    request = ExecutionRequest(
        execution_id=execution_id or new_execution_id(),
        input=await full_input(state, arguments),
        deployment_name=deployment,
    )
    return await start_and_wait(ctx, request, wait_seconds, lambda: api.execute(workflow, request))

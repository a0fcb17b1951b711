"""The `schedules` toolset: recurring executions of one workflow with a fixed input."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pydantic_core
from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field

from mcp_workflows.api.errors import Conflict, WorkflowsAPIError
from mcp_workflows.api.models.schedules import (
    OverlapPolicy,
    PartialScheduleDefinition,
    Schedule,
    ScheduleCreate,
    ScheduleDefinition,
    ScheduleInterval,
    SchedulePolicy,
)
from mcp_workflows.api.operations import Risk
from mcp_workflows.api.schedules import (
    CREATE_SCHEDULE,
    DELETE_SCHEDULE,
    GET_SCHEDULE,
    LIST_SCHEDULES,
    PAUSE_SCHEDULE,
    RESUME_SCHEDULE,
    TRIGGER_SCHEDULE,
    UPDATE_SCHEDULE,
)
from mcp_workflows.server.catalog import Confirm, Listing, Target, tool
from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.results import CreatedIdError, ToolInputError
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.tools.shared import (
    Cursor,
    DeploymentFilter,
    Limit,
    NextCursor,
    PathSegment,
    ToolResult,
    WorkflowFilter,
    WorkflowIdentifier,
    capped,
    check_workflow_input,
    iso,
    workflow_name_of,
)

# ---------------------------------------------------------------- parameters

OverlapName = Literal["skip", "buffer_one", "buffer_all", "cancel_other", "terminate_other", "allow_all"]
OVERLAP: dict[str, OverlapPolicy] = {
    "skip": 1,
    "buffer_one": 2,
    "buffer_all": 3,
    "cancel_other": 4,
    "terminate_other": 5,
    "allow_all": 6,
}
OVERLAP_NAME: dict[int, str] = {number: name for name, number in OVERLAP.items()}

_DURATION = r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
_DURATION_RE = re.compile(_DURATION)


def _valid_duration(text: str) -> str:
    match = _DURATION_RE.match(text)
    if match is None or not any(v and float(v) > 0 for v in match.groups()):
        raise ValueError(f'"{text}" is not a positive ISO-8601 duration such as "PT30M", "PT1H" or "P1D"')
    return text


def _valid_cron(text: str) -> str:
    if len(text.split()) != 5:
        raise ValueError(f'"{text}" is not a 5-field cron expression such as "0 9 * * 1-5"')
    return text


def _valid_id(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.:-]+", text):
        raise ValueError("use letters, digits and . _ : - only")
    return text


ScheduleId = Annotated[
    str, Field(min_length=1, max_length=256, description="From list_schedules."), PathSegment("schedule_id")
]
CronList = Annotated[
    list[Annotated[str, Field(max_length=100), AfterValidator(_valid_cron)]] | None,
    Field(min_length=1, max_length=10, description='5-field cron, e.g. "0 9 * * 1-5".'),
]
EveryList = Annotated[
    list[Annotated[str, Field(max_length=40), AfterValidator(_valid_duration)]] | None,
    Field(min_length=1, max_length=10, description='ISO-8601 durations, e.g. "PT30M".'),
]
FirstRun = Annotated[datetime | None, Field(description="No run before this ISO 8601 time.")]
LastRun = Annotated[datetime | None, Field(description="No run after this ISO 8601 time.")]
MaxExecutions = Annotated[int | None, Field(ge=1, description="Stop after this many runs.")]
Overlap = Annotated[OverlapName | None, Field(description="If the last run is still going.")]
ScheduleInput = Annotated[dict[str, Any], Field(description="Input of every run (get_workflow's input_schema).")]

INPUT_LIMIT_CHARS = 4_000
SCHEDULE = Target("schedule", "schedule_id")
SHOWN_RUNS = 5

# ---------------------------------------------------------------- results


class ScheduleRow(ToolResult):
    schedule_id: str
    workflow_name: str
    paused: bool = False
    when: str
    next_run: str | None = None
    message: str | None = None


class SchedulePage(ToolResult):
    schedules: list[ScheduleRow]
    next_cursor: NextCursor = None


class RecentRun(ToolResult):
    execution_id: str
    started_at: str | None = None


class ScheduleDetail(ToolResult):
    schedule_id: str
    workflow_name: str
    deployment_name: str | None = None
    paused: bool = False
    pause_note: str | None = None
    when: str
    overlap: str | None = None
    start_at: str | None = None
    end_at: str | None = None
    remaining_executions: int | None = None
    input: Any = None
    next_runs: list[str] = Field(default_factory=list)
    recent_runs: list[RecentRun] = Field(default_factory=list, description="Latest first.")
    note: str | None = None


class ScheduleCreated(Guarded):
    schedule_id: str | None = None
    next_runs: list[str] | None = None


class ScheduleTriggered(Guarded):
    execution_id: str | None = None


# ---------------------------------------------------------------- helpers


def _duration_words(text: str) -> str:
    match = _DURATION_RE.match(text)
    if match is None:
        return text
    parts = [f"{value}{unit}" for value, unit in zip(match.groups(), ("w", "d", "h", "m", "s"), strict=True) if value]
    return "".join(parts) or text


def _when(schedule: Schedule) -> str:
    parts = [f"cron {c}" for c in schedule.cron_expressions]
    parts += [f"every {_duration_words(str(i.get('every', '?')))}" for i in schedule.intervals]
    if schedule.calendars:
        parts.append(f"{len(schedule.calendars)} calendar(s)")
    text = "; ".join(parts) or "never"
    return f"{text} ({schedule.time_zone_name})" if schedule.time_zone_name else text


def _future(schedule: Schedule, count: int) -> list[str]:
    """The next firings still ahead of now (upstream may list one that is just passing)."""
    now = datetime.now(UTC)
    out: list[str] = []
    for item in schedule.future_executions:
        moment = item.scheduled_at
        try:
            parsed = datetime.fromisoformat(moment)
            if parsed.tzinfo is not None and parsed < now:
                continue
        except ValueError:
            pass
        out.append(moment)
        if len(out) >= count:
            break
    return out


def _recent(schedule: Schedule) -> list[RecentRun]:
    runs = sorted(schedule.recent_executions, key=lambda r: r.started_at or r.scheduled_at or "", reverse=True)
    return [
        RecentRun(execution_id=r.execution_id, started_at=r.started_at or r.scheduled_at) for r in runs[:SHOWN_RUNS]
    ]


def _row(schedule: Schedule, message: str | None = None) -> ScheduleRow:
    future = _future(schedule, 1)
    return ScheduleRow(
        schedule_id=schedule.schedule_id,
        workflow_name=schedule.workflow_name,
        paused=schedule.paused,
        when=_when(schedule),
        next_run=future[0] if future else None,
        message=message,
    )


def _runs_so_far(schedule: Schedule) -> str:
    count = len(schedule.recent_executions)
    return f"at least {count} runs so far" if count >= 10 else f"{count} run(s) so far"


def _check_time_zone(name: str | None) -> None:
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ToolInputError(
            f'time_zone: "{name}" is not an IANA time zone; use e.g. "Europe/Paris" or "UTC".'
        ) from None


# ---------------------------------------------------------------- confirmation texts


def _json(value: Any, limit: int = 300) -> str:
    text = pydantic_core.to_json(value).decode()
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def describe_create(state: AppState, args: Mapping[str, Any]) -> str:
    timing = [f"cron {c}" for c in args.get("cron") or []]
    timing += [f"every {_duration_words(str(e))}" for e in args.get("every") or []]
    extra = f", at most {args['max_executions']} runs" if args.get("max_executions") else ""
    zone = f" ({args['time_zone']})" if args.get("time_zone") else ""
    return (
        f"Create a schedule running workflow {args.get('workflow')} {'; '.join(timing) or '?'}{zone}"
        f"{extra}, each time with input {_json(args.get('input') or {})}?"
    )


async def describe_trigger(state: AppState, args: Mapping[str, Any]) -> str:
    schedule = await state.api.schedules.get(str(args["schedule_id"]))
    return (
        f"Run schedule {schedule.schedule_id} of workflow {schedule.workflow_name} now, "
        f"with input {_json(schedule.input)}?"
    )


async def describe_delete(state: AppState, args: Mapping[str, Any]) -> str:
    schedule = await state.api.schedules.get(str(args["schedule_id"]))
    paused = ", paused" if schedule.paused else ""
    return (
        f"Delete schedule {schedule.schedule_id} of workflow {schedule.workflow_name} "
        f"(fires {_when(schedule)}{paused}, {_runs_so_far(schedule)})? This cannot be undone; "
        "pause_schedule only stops it for a while."
    )


# ---------------------------------------------------------------- tools


@tool(Risk.READ, "List schedules", operations=(LIST_SCHEDULES,), listing=Listing("schedules", "workflow_name"))
async def list_schedules(
    ctx: Context,
    workflow: WorkflowFilter = None,
    status: Annotated[Literal["active", "paused"] | None, Field(description="Only active or paused ones.")] = None,
    search: Annotated[
        str | None, Field(max_length=200, description="Only schedules whose id starts with this.")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> SchedulePage:
    """List schedules (recurring runs of a workflow): id, workflow, paused, when it fires, next run.
    Pass next_cursor back as cursor for more."""
    state = app_state(ctx)
    page = await state.api.schedules.list(
        workflow_name=await workflow_name_of(state, workflow),
        status=status,
        search=search,
        page_size=limit,
        next_page_token=cursor,
    )
    return SchedulePage(schedules=[_row(s) for s in page.schedules], next_cursor=page.next_page_token)


@tool(Risk.READ, "Get a schedule", operations=(GET_SCHEDULE,), target=SCHEDULE)
async def get_schedule(ctx: Context, schedule_id: ScheduleId) -> ScheduleDetail:
    """Get one schedule: its definition, whether it is paused, its next 5 runs and its last 5
    executions (execution ids for get_execution)."""
    schedule = await app_state(ctx).api.schedules.get(schedule_id)
    value, note = capped(schedule.input, INPUT_LIMIT_CHARS, "input", "the Workflows console")
    return ScheduleDetail(
        schedule_id=schedule.schedule_id,
        workflow_name=schedule.workflow_name,
        deployment_name=schedule.deployment_name,
        paused=schedule.paused,
        pause_note=schedule.note,
        when=_when(schedule),
        overlap=OVERLAP_NAME.get(schedule.policy.overlap, str(schedule.policy.overlap)),
        start_at=schedule.start_at,
        end_at=schedule.end_at,
        remaining_executions=schedule.remaining_executions,
        input=value,
        next_runs=_future(schedule, SHOWN_RUNS),
        recent_runs=_recent(schedule),
        note=note,
    )


async def check_create(state: AppState, args: Mapping[str, Any]) -> None:
    if not args.get("cron") and not args.get("every"):
        raise ToolInputError('give cron (e.g. ["0 9 * * *"]) or every (e.g. ["PT1H"]), or both.')
    _check_time_zone(args.get("time_zone"))
    since, until = args.get("since"), args.get("until")
    if since is not None and until is not None and until <= since:
        raise ToolInputError("until must be after since.")
    await check_workflow_input(state, args["workflow"], args.get("deployment"), args["input"])


@tool(
    Risk.EXECUTE,
    "Create a schedule",
    operations=(CREATE_SCHEDULE,),
    target=Target("workflow", "workflow"),
    confirm=Confirm(describe_create, check=check_create),
)
async def create_schedule(
    ctx: Context,
    workflow: WorkflowIdentifier,
    input: ScheduleInput,
    cron: CronList = None,
    every: EveryList = None,
    since: FirstRun = None,
    until: LastRun = None,
    time_zone: Annotated[str | None, Field(max_length=64, description='IANA zone, e.g. "Europe/Paris".')] = None,
    max_executions: MaxExecutions = None,
    overlap: Annotated[OverlapName, Field(description="If the last run is still going.")] = "skip",
    schedule_id: Annotated[
        str | None,
        Field(min_length=1, max_length=256, description="Your id (retry-safe)."),
        AfterValidator(_valid_id),
    ] = None,
    deployment: DeploymentFilter = None,
) -> ScheduleCreated:
    """Run a workflow on a schedule (cron and/or every), each run with the same input. Give at
    least one of cron or every; times are UTC unless time_zone is set."""
    api = app_state(ctx).api
    chosen_id = schedule_id or f"mcp-{uuid.uuid4().hex}"
    request = ScheduleCreate(
        schedule=ScheduleDefinition(
            input=input,
            cron_expressions=cron,
            intervals=[ScheduleInterval(every=e) for e in every] if every else None,
            start_at=iso(since),
            end_at=iso(until),
            time_zone_name=time_zone,
            max_executions=max_executions,
            policy=SchedulePolicy(overlap=OVERLAP[overlap]),
        ),
        workflow_identifier=workflow,
        deployment_name=deployment,
        schedule_id=chosen_id,
    )
    message = "Schedule created."
    try:
        try:
            created_id = await api.schedules.create(request)
        except Conflict:
            # Our id exists: a retried call whose first attempt got through, or someone else's schedule.
            existing = await api.schedules.get(chosen_id)
            if existing.input != input:
                raise
            created_id, message = chosen_id, "Schedule already existed with this id and input (a retry): unchanged."
        schedule = await api.schedules.get(created_id)
    except WorkflowsAPIError as exc:
        follow = (
            f"Call get_schedule(schedule_id={chosen_id!r}) to check before creating again; creating again with "
            f"schedule_id={chosen_id!r} never makes a second schedule."
        )
        raise CreatedIdError(exc, f"Schedule {chosen_id!r}", follow) from exc
    return ScheduleCreated(message=message, schedule_id=created_id, next_runs=_future(schedule, 3))


@tool(Risk.WRITE, "Change a schedule", operations=(UPDATE_SCHEDULE,), target=SCHEDULE)
async def update_schedule(
    ctx: Context,
    schedule_id: ScheduleId,
    input: Annotated[dict[str, Any] | None, Field(description="New fixed input (replaces the old one).")] = None,
    cron: CronList = None,
    every: EveryList = None,
    since: FirstRun = None,
    until: LastRun = None,
    max_executions: MaxExecutions = None,
    overlap: Overlap = None,
) -> ScheduleRow:
    """Change a schedule's input, timing or overlap policy. Fields you omit keep their value;
    cron or every replace the old list."""
    changes = PartialScheduleDefinition(
        input=input,
        cron_expressions=cron,
        intervals=[ScheduleInterval(every=e) for e in every] if every else None,
        start_at=iso(since),
        end_at=iso(until),
        max_executions=max_executions,
    )
    if not changes.model_dump(exclude_none=True) and overlap is None:
        raise ToolInputError(
            "nothing to update: give at least one of input, cron, every, since, until, max_executions, overlap."
        )
    api = app_state(ctx).api
    if input is not None or overlap is not None:
        current = await api.schedules.get(schedule_id)
        if input is not None:
            await check_workflow_input(app_state(ctx), current.workflow_name, current.deployment_name, input)
        if overlap is not None:
            changes.policy = SchedulePolicy(
                catchup_window_seconds=current.policy.catchup_window_seconds,
                overlap=OVERLAP[overlap],
                pause_on_failure=current.policy.pause_on_failure,
            )
    await api.schedules.update(schedule_id, changes)
    return _row(await api.schedules.get(schedule_id), "Updated.")


@tool(Risk.WRITE, "Pause or resume a schedule", operations=(PAUSE_SCHEDULE, RESUME_SCHEDULE), target=SCHEDULE)
async def pause_schedule(
    ctx: Context,
    schedule_id: ScheduleId,
    paused: Annotated[bool, Field(description="false resumes it.")] = True,
    note: Annotated[str | None, Field(max_length=500, description="Why, shown on the schedule.")] = None,
) -> ScheduleRow:
    """Pause a schedule so it stops firing, or resume it with paused=false (firing starts again
    from now; missed runs are not made up)."""
    api = app_state(ctx).api
    if paused:
        await api.schedules.pause(schedule_id, note)
    else:
        await api.schedules.resume(schedule_id, note)
    return _row(await api.schedules.get(schedule_id), "Paused." if paused else "Resumed.")


@tool(
    Risk.EXECUTE,
    "Run a schedule now",
    operations=(TRIGGER_SCHEDULE,),
    target=SCHEDULE,
    confirm=Confirm(describe_trigger),
)
async def trigger_schedule(ctx: Context, schedule_id: ScheduleId, overlap: Overlap = None) -> ScheduleTriggered:
    """Run a schedule once now with its input. With the default skip policy the API drops the
    trigger while a run is in progress; overlap=allow_all forces it."""
    api = app_state(ctx).api
    before = {r.execution_id for r in (await api.schedules.get(schedule_id)).recent_executions}
    try:
        await api.schedules.trigger(schedule_id, OVERLAP[overlap] if overlap else None)
        after = await api.schedules.get(schedule_id)
    except WorkflowsAPIError as exc:
        follow = (
            f"get_schedule(schedule_id={schedule_id!r}) lists its recent runs: look there before triggering "
            "again, or a second run may start."
        )
        raise CreatedIdError(exc, f"A run of schedule {schedule_id!r}", follow) from exc
    started = [r for r in after.recent_executions if r.execution_id not in before]
    if started:
        execution_id: str | None = started[-1].execution_id
        message = "Triggered: a run started (get_execution follows it)."
    else:
        execution_id = None
        message = (
            "Trigger accepted but no new run is listed yet: with overlap skip a trigger while a run is in "
            "progress is dropped (overlap=allow_all forces it). get_schedule shows recent runs."
        )
    return ScheduleTriggered(message=message, execution_id=execution_id)


@tool(
    Risk.DESTRUCTIVE,
    "Delete a schedule",
    operations=(DELETE_SCHEDULE,),
    target=SCHEDULE,
    confirm=Confirm(describe_delete),
)
async def delete_schedule(ctx: Context, schedule_id: ScheduleId) -> Guarded:
    """Delete a schedule for good (runs it started keep going). To stop it for a while use
    pause_schedule instead. Needs the user's confirmation."""
    await app_state(ctx).api.schedules.delete(schedule_id)
    return Guarded(message=f"Deleted schedule {schedule_id}.")

"""The `deployments` toolset: the workers that run workflows, their logs, and managed deployments."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field

from mcp_workflows.api.deployments import (
    CREATE_DEPLOYMENT,
    DELETE_DEPLOYMENT,
    DEPLOYMENT_LOGS,
    DEPLOYMENT_LOGS_STREAM,
    GET_DEPLOYMENT,
    LIST_DEPLOYMENTS,
    LIST_WORKERS,
    RESTART_DEPLOYMENT,
    START_DEPLOYMENT,
    STOP_DEPLOYMENT,
    UPDATE_DEPLOYMENT,
)
from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.api.models.deployments import (
    Deployment,
    DeploymentResources,
    DeploymentSpec,
    DeploymentWorker,
    ManagedDeployment,
)
from mcp_workflows.api.models.observability import LogRecord
from mcp_workflows.api.streams import parse_frame, read_bounded
from mcp_workflows.server.catalog import Confirm, Risk, tool
from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.results import CreatedIdError, ToolInputError
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.tools.shared import Cursor, Limit, NextCursor, ToolResult, path_segment

# ---------------------------------------------------------------- parameters


def _matching(pattern: str, example: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"expected something like {example}")
        return value

    return AfterValidator(check)


_NAME = _matching(r"[A-Za-z0-9_-]+", "my-deployment (letters, digits, - and _)")
_GITHUB = _matching(r"https://github\.com/[\w.-]+/[\w.-]+/?", "https://github.com/owner/repo")
_ENTRYPOINT = _matching(r"[\w./-]+:\w+", "worker:main")

Name = Annotated[
    str, Field(min_length=1, max_length=128, description="From list_deployments."), _NAME, path_segment("name")
]
WorkflowName = Annotated[str | None, Field(max_length=256, description="Only this workflow.")]
GithubUrl = Annotated[str, Field(max_length=500, description="https://github.com/owner/repo"), _GITHUB]
Revision = Annotated[str, Field(min_length=1, max_length=200, description="Branch, tag or commit.")]
Entrypoint = Annotated[str, Field(min_length=1, max_length=200, description="module:function"), _ENTRYPOINT]
WorkingDir = Annotated[str | None, Field(max_length=300, description="Folder in the repo.")]
Replicas = Annotated[int | None, Field(ge=0, le=100)]
Cpu = Annotated[
    str | None, Field(max_length=16, description='Per replica, e.g. "500m".'), _matching(r"\d+(\.\d+)?m?", "500m or 2")
]
Memory = Annotated[
    str | None,
    Field(max_length=16, description='Per replica, e.g. "512Mi".'),
    _matching(r"\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?", "512Mi or 2Gi"),
]

SHOWN_WORKERS = 20
LOG_BODY_CHARS = 300

# ---------------------------------------------------------------- results


class DeploymentRow(ToolResult):
    name: str
    active: bool
    hardened: bool = False
    workers: str | None = Field(default=None, description="active/total")
    managed: bool = False


class DeploymentPage(ToolResult):
    deployments: list[DeploymentRow]
    next_cursor: NextCursor = None


class Worker(ToolResult):
    name: str
    active: bool | None = None
    updated_at: str | None = None


class WorkerPage(ToolResult):
    workers: list[Worker]
    next_cursor: NextCursor = None


class ManagedStatus(ToolResult):
    phase: str | None = None
    ready_replicas: int | None = None
    rollout_status: str | None = None
    message: str | None = None


class DeploymentDetail(ToolResult):
    name: str
    active: bool
    hardened: bool = False
    workers_active: int | None = None
    workers_total: int | None = None
    workers: list[Worker] = Field(default_factory=list)
    managed: ManagedStatus | None = Field(default=None, description="Absent for self-hosted deployments.")
    updated_at: str | None = None
    note: str | None = None


class LogLine(ToolResult):
    timestamp: str
    severity: str | None = None
    body: str
    worker: str | None = None
    workflow: str | None = None
    execution_id: str | None = None


class LogPage(ToolResult):
    logs: list[LogLine]
    next_cursor: NextCursor = None
    note: str | None = None


class DeploymentChange(ToolResult):
    name: str
    status: ManagedStatus | None = None
    message: str | None = None


class DeploymentOutcome(Guarded):
    name: str | None = None
    status: ManagedStatus | None = None


# ---------------------------------------------------------------- helpers


def _managed_status(managed: ManagedDeployment | None) -> ManagedStatus | None:
    if managed is None:
        return None
    status = managed.status
    build = status.build_state
    build_note = f"build {build.phase}: {build.message}" if build and build.message else None
    return ManagedStatus(
        phase="Stopped" if managed.stopped and status.phase in (None, "Running") else status.phase,
        ready_replicas=status.ready_replicas,
        rollout_status=managed.rollout_status,
        message=status.message or build_note,
    )


def _worker(raw: DeploymentWorker) -> Worker:
    return Worker(name=raw.name, active=raw.is_active, updated_at=raw.updated_at)


def _counts(deployment: Deployment) -> str | None:
    if deployment.worker_count is None:
        return None
    return f"{deployment.active_worker_count or 0}/{deployment.worker_count}"


def _log_line(record: LogRecord) -> tuple[LogLine, bool]:
    attributes = record.log_attributes
    body = record.body
    cut = len(body) > LOG_BODY_CHARS
    return (
        LogLine(
            timestamp=record.timestamp,
            severity=record.severity_text or None,
            body=body[: LOG_BODY_CHARS - 1] + "…" if cut else body,
            worker=_str(attributes.get("worker_name")),
            workflow=_str(attributes.get("workflow_name")),
            execution_id=_str(attributes.get("execution_id")),
        ),
        cut,
    )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _log_page(records: list[LogRecord], next_cursor: str | None, notes: list[str]) -> LogPage:
    lines = [_log_line(r) for r in records]
    cut = sum(1 for _, was_cut in lines if was_cut)
    if cut:
        notes.append(f"{cut} log bodies cut to {LOG_BODY_CHARS} characters")
    return LogPage(logs=[line for line, _ in lines], next_cursor=next_cursor, note="; ".join(notes) or None)


def _resources(replicas: int | None, cpu: str | None, memory: str | None) -> DeploymentResources | None:
    resources = DeploymentResources(
        replicas=replicas, cpu_request=cpu, cpu_limit=cpu, memory_request=memory, memory_limit=memory
    )
    return resources if resources.model_dump(exclude_none=True) else None


# ---------------------------------------------------------------- confirmation texts

_EFFECT = {
    "stop": "Its workers stop taking executions; undo with action=start.",
    "start": "Its workers start again and take executions.",
    "restart": "Running workers are interrupted and replaced; executions in progress may be retried.",
    "delete": "The deployment and its workers are removed for good.",
}


async def describe_manage(state: AppState, args: Mapping[str, Any]) -> str:
    action = str(args.get("action"))
    deployment = await state.api.deployments.get(str(args["name"]))
    kind = "managed" if deployment.managed is not None else "self-hosted (the API may refuse: managed only)"
    workers = f"{deployment.active_worker_count or 0} of {deployment.worker_count or 0} workers active"
    return f"{action.capitalize()} deployment {deployment.name} ({kind}, {workers})? {_EFFECT.get(action, '')}".strip()


async def describe_create(state: AppState, args: Mapping[str, Any]) -> str:
    where = f"{args.get('github_url')}@{args.get('revision') or 'main'} ({args.get('entrypoint') or 'worker:main'})"
    size = ", ".join(f"{key} {args[key]}" for key in ("replicas", "cpu", "memory") if args.get(key) is not None)
    return (
        f"Create managed deployment {args.get('name')} from {where}{f' with {size}' if size else ''}? "
        "It builds the repo and runs workers (uses compute)."
    )


# ---------------------------------------------------------------- tools


@tool(Risk.READ, "List deployments", operations=(LIST_DEPLOYMENTS,))
async def list_deployments(
    ctx: Context,
    active_only: Annotated[bool, Field(description="Only deployments with live workers.")] = False,
    workflow_name: WorkflowName = None,
    search: Annotated[str | None, Field(max_length=200, description="Text to find in names.")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> DeploymentPage:
    """List deployments (groups of workers that run workflows): active, hardened, worker counts,
    managed or self-hosted. Pass next_cursor back as cursor for more."""
    page = await app_state(ctx).api.deployments.list(
        active_only=active_only, workflow_name=workflow_name, search=search, cursor=cursor, limit=limit
    )
    rows = [
        DeploymentRow(
            name=d.name, active=d.is_active, hardened=d.is_hardened, workers=_counts(d), managed=d.managed is not None
        )
        for d in page.deployments
    ]
    return DeploymentPage(deployments=rows, next_cursor=page.next_cursor)


@tool(Risk.READ, "Get a deployment", operations=(GET_DEPLOYMENT,))
async def get_deployment(ctx: Context, name: Name, workflow_name: WorkflowName = None) -> DeploymentDetail:
    """Get one deployment: active or not, its workers, and for managed ones the rollout state
    (phase, ready replicas, build). Poll it after create_deployment or manage_deployment."""
    deployment = await app_state(ctx).api.deployments.get(name, workflow_name=workflow_name)
    workers = deployment.workers or []
    note = None
    if len(workers) > SHOWN_WORKERS:
        note = f"{SHOWN_WORKERS} of {len(workers)} workers shown; list_deployment_workers has them all"
    return DeploymentDetail(
        name=deployment.name,
        active=deployment.is_active,
        hardened=deployment.is_hardened,
        workers_active=deployment.active_worker_count,
        workers_total=deployment.worker_count,
        workers=[_worker(w) for w in workers[:SHOWN_WORKERS]],
        managed=_managed_status(deployment.managed),
        updated_at=deployment.updated_at,
        note=note,
    )


@tool(Risk.READ, "List a deployment's workers", operations=(LIST_WORKERS,))
async def list_deployment_workers(
    ctx: Context,
    name: Name,
    status: Annotated[Literal["active", "inactive"] | None, Field(description="Only workers in this state.")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> WorkerPage:
    """List a deployment's workers (name, active, last heartbeat). Pass next_cursor back as
    cursor for more."""
    page = await app_state(ctx).api.deployments.workers(name, worker_status=status, cursor=cursor, limit=limit)
    return WorkerPage(workers=[_worker(w) for w in page.workers], next_cursor=page.next_cursor)


@tool(Risk.READ, "Read a deployment's logs", operations=(DEPLOYMENT_LOGS, DEPLOYMENT_LOGS_STREAM))
async def get_deployment_logs(
    ctx: Context,
    name: Name,
    worker_name: Annotated[str | None, Field(max_length=256, description="Only this worker.")] = None,
    workflow_name: WorkflowName = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    follow_seconds: Annotated[
        float, Field(ge=0, le=50, description="Tail live logs this long (0: one page of stored logs).")
    ] = 0,
) -> LogPage:
    """Read a deployment's worker logs, oldest first: a page, or with follow_seconds the live
    stream for that long. Pass next_cursor back as cursor (same mode) for more."""
    api = app_state(ctx).api
    if follow_seconds <= 0:
        page = await api.deployments.logs(
            name, worker_name=worker_name, workflow_name=workflow_name, cursor=cursor, limit=limit
        )
        return _log_page(page.results, page.next_cursor, [])
    async with api.deployments.logs_stream(
        name, worker_name=worker_name, workflow_name=workflow_name, resume=cursor
    ) as frames:
        read = await read_bounded(frames, max_events=limit, max_seconds=follow_seconds)
    parsed = (parse_frame(frame, LogRecord) for frame in read.frames if frame.event in ("message", "log"))
    records = [record for record in parsed if record is not None]
    if read.error is not None and not records:
        raise read.error
    notes: list[str] = []
    if read.error is not None:
        notes.append(f"the stream failed after {len(records)} records: {read.error.detail}")
    elif read.ended:
        notes.append("the stream ended")
    elif read.timed_out:
        notes.append(f"followed for {follow_seconds:g} s")
    else:
        notes.append(f"stopped at limit={limit}")
    return _log_page(records, read.last_id or cursor, notes)


@tool(
    Risk.EXECUTE,
    "Create a managed deployment",
    operations=(CREATE_DEPLOYMENT,),
    confirm=Confirm(describe_create),
)
async def create_deployment(
    ctx: Context,
    name: Name,
    github_url: GithubUrl,
    revision: Revision = "main",
    entrypoint: Entrypoint = "worker:main",
    working_dir: WorkingDir = None,
    replicas: Replicas = None,
    cpu: Cpu = None,
    memory: Memory = None,
    hardened: Annotated[bool, Field(description="Only keys tied to it may register workflows.")] = False,
) -> DeploymentOutcome:
    """Create a managed deployment: the platform builds the GitHub repo and runs its workers
    (provisions compute). Accepted at once; poll get_deployment for the rollout."""
    spec = DeploymentSpec(github_url=github_url, revision=revision, entrypoint=entrypoint, working_dir=working_dir)
    try:
        result = await app_state(ctx).api.deployments.create(name, spec, _resources(replicas, cpu, memory), hardened)
    except WorkflowsAPIError as exc:
        follow = f"Call get_deployment(name={name!r}) before creating it again."
        raise CreatedIdError(exc, f"Deployment {name!r}", follow) from exc
    return DeploymentOutcome(
        message="Accepted: the build and rollout run asynchronously; poll get_deployment for phase and rollout_status.",
        name=result.name,
        status=_managed_status(result),
    )


@tool(Risk.WRITE, "Change a managed deployment", operations=(UPDATE_DEPLOYMENT,))
async def update_deployment(
    ctx: Context,
    name: Name,
    revision: Revision | None = None,
    entrypoint: Entrypoint | None = None,
    working_dir: WorkingDir = None,
    github_url: GithubUrl | None = None,
    replicas: Replicas = None,
    cpu: Cpu = None,
    memory: Memory = None,
) -> DeploymentChange:
    """Change a managed deployment's code (revision, repo, entrypoint) or resources; fields you
    omit keep their value. Starts a rollout: poll get_deployment."""
    spec = DeploymentSpec(github_url=github_url, revision=revision, entrypoint=entrypoint, working_dir=working_dir)
    resources = _resources(replicas, cpu, memory)
    has_spec = bool(spec.model_dump(exclude_none=True))
    if not has_spec and resources is None:
        raise ToolInputError(
            "nothing to update: give at least one of revision, entrypoint, working_dir, github_url, replicas, "
            "cpu, memory."
        )
    result = await app_state(ctx).api.deployments.update(name, spec if has_spec else None, resources)
    return DeploymentChange(
        name=result.name, status=_managed_status(result), message="Accepted: a rollout started; poll get_deployment."
    )


@tool(
    Risk.DESTRUCTIVE,
    "Stop, start, restart or delete a deployment",
    operations=(STOP_DEPLOYMENT, START_DEPLOYMENT, RESTART_DEPLOYMENT, DELETE_DEPLOYMENT),
    idempotent=False,
    confirm=Confirm(describe_manage),
)
async def manage_deployment(
    ctx: Context,
    name: Name,
    action: Annotated[Literal["stop", "start", "restart", "delete"], Field(description="What to do.")],
) -> DeploymentOutcome:
    """Stop (undo with start), start, restart (interrupts running workers) or delete a managed
    deployment. Needs the user's confirmation; poll get_deployment afterwards."""
    deployments = app_state(ctx).api.deployments
    act = {
        "stop": deployments.stop,
        "start": deployments.start,
        "restart": deployments.restart,
        "delete": deployments.delete,
    }
    result = await act[action](name)
    done = {"stop": "Stopping", "start": "Starting", "restart": "Restarting", "delete": "Deleting"}[action]
    return DeploymentOutcome(
        message=f"{done} {name}: accepted, carried out asynchronously; get_deployment shows progress.",
        name=result.name,
        status=_managed_status(result),
    )

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
    GET_DEPLOYMENT_ARCHIVE,
    LIST_DEPLOYMENTS,
    LIST_WORKERS,
    RESTART_DEPLOYMENT,
    START_DEPLOYMENT,
    STOP_DEPLOYMENT,
    UNHARDEN_DEPLOYMENT,
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
from mcp_workflows.api.operations import Risk
from mcp_workflows.api.streams import parse_frame, read_bounded
from mcp_workflows.server.catalog import Confirm, tool
from mcp_workflows.server.guard.confirmation import Guarded
from mcp_workflows.server.results import CreatedIdError, ToolInputError
from mcp_workflows.server.state import AppState, app_state
from mcp_workflows.server.tools.shared import (
    Cursor,
    DeploymentName,
    Limit,
    NextCursor,
    PathSegment,
    ToolResult,
    WorkflowFilter,
    workflow_name_of,
)

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

NewDeployment = Annotated[
    str,
    Field(min_length=1, max_length=128, description="Name of the new deployment (letters, digits, - and _)."),
    _NAME,
    PathSegment("name"),
]
GithubUrl = Annotated[str | None, Field(max_length=500, description="https://github.com/owner/repo"), _GITHUB]
Revision = Annotated[str | None, Field(min_length=1, max_length=200, description="Branch, tag or commit.")]
ArchiveId = Annotated[
    str | None, Field(min_length=1, max_length=200, description="An uploaded code archive to build instead of a repo.")
]
BuildDirectory = Annotated[str | None, Field(max_length=300, description="Docker build context in the repo.")]
DockerfilePath = Annotated[str | None, Field(max_length=300, description="Dockerfile, relative to the build context.")]
Replicas = Annotated[int | None, Field(ge=0, le=100, description="Worker replicas to run (0 stops them).")]

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
    last_heartbeat: str | None = None


class WorkerPage(ToolResult):
    workers: list[Worker]
    next_cursor: NextCursor = None


class ManagedStatus(ToolResult):
    phase: str | None = None
    ready_replicas: int | None = None
    replicas: int | None = None
    rollout_status: str | None = None
    source: str | None = Field(default=None, description="repo@revision (commit) or archive it was built from.")
    backend: str | None = None
    message: str | None = None


class ArchiveLink(ToolResult):
    archive_id: str
    download_url: str = Field(description="Short-lived link (about 24 h) to download the code archive.")


class DeploymentDetail(ToolResult):
    name: str
    id: str
    active: bool = Field(description="True while at least one worker heartbeats.")
    hardened: bool = False
    last_heartbeat: str | None = None
    workers_active: int | None = None
    workers_total: int | None = None
    workers: list[Worker] = Field(default_factory=list)
    managed: ManagedStatus | None = Field(default=None, description="Absent for self-hosted deployments.")
    archive: ArchiveLink | None = None
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
    spec = managed.spec
    source = None
    if spec is not None and spec.archive_id:
        source = f"archive {spec.archive_id}"
    elif spec is not None and spec.github_url:
        commit = f" ({spec.commit.sha[:12]})" if spec.commit else ""
        source = f"{spec.github_url}@{spec.revision or 'main'}{commit}"
    return ManagedStatus(
        phase="Stopped" if managed.stopped and status.phase in (None, "Running") else status.phase,
        ready_replicas=status.ready_replicas,
        replicas=managed.resources.replicas,
        rollout_status=managed.rollout_status,
        source=source,
        backend=str(spec.backend_spec.get("type")) if spec and spec.backend_spec.get("type") else None,
        message=status.message or build_note,
    )


def _worker(raw: DeploymentWorker) -> Worker:
    return Worker(name=raw.name, active=raw.is_active, last_heartbeat=raw.last_heartbeat)


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


def _resources(replicas: int | None) -> DeploymentResources | None:
    return DeploymentResources(replicas=replicas) if replicas is not None else None


def _spec(
    github_url: str | None,
    revision: str | None,
    archive_id: str | None,
    build_directory: str | None,
    dockerfile_path: str | None,
) -> DeploymentSpec:
    """The live spec input: a repository or an archive, and how the Mistral Cloud backend builds it."""
    backend = {"build_directory": build_directory, "dockerfile_path": dockerfile_path}
    chosen = {key: value for key, value in backend.items() if value is not None}
    return DeploymentSpec(
        github_url=github_url,
        revision=revision,
        archive_id=archive_id,
        backend_spec={"type": "mistral_cloud", **chosen} if chosen else None,
    )


# ---------------------------------------------------------------- confirmation texts

_EFFECT = {
    "stop": "Its workers stop taking executions; undo with action=start.",
    "start": "Its workers start again and take executions.",
    "restart": "Running workers are interrupted and replaced; executions in progress may be retried.",
    "delete": "The deployment and its workers are removed for good.",
    "unharden": "Its protection is lowered: any key of the workspace may register workflows on it again.",
}


async def describe_manage(state: AppState, args: Mapping[str, Any]) -> str:
    action = str(args.get("action"))
    found = await state.api.deployments.get(str(args["deployment"]))
    kind = "managed" if found.managed is not None else "self-hosted"
    if action != "unharden" and found.managed is None:
        kind += " (the API may refuse: managed only)"
    workers = f"{found.active_worker_count or 0} of {found.worker_count or 0} workers active"
    return f"{action.capitalize()} deployment {found.name} ({kind}, {workers})? {_EFFECT.get(action, '')}".strip()


async def describe_create(state: AppState, args: Mapping[str, Any]) -> str:
    source = args.get("github_url") or f"archive {args.get('archive_id')}"
    if args.get("github_url"):
        source += f"@{args.get('revision') or 'main'}"
    size = f" with {args['replicas']} replica(s)" if args.get("replicas") is not None else ""
    return (
        f"Create managed deployment {args.get('deployment')} from {source}{size}? "
        "It builds the code and runs workers (uses compute)."
    )


# ---------------------------------------------------------------- tools


@tool(Risk.READ, "List deployments", operations=(LIST_DEPLOYMENTS,))
async def list_deployments(
    ctx: Context,
    active_only: Annotated[bool, Field(description="Only deployments with live workers.")] = False,
    workflow: WorkflowFilter = None,
    search: Annotated[str | None, Field(max_length=200, description="Text to find in names.")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> DeploymentPage:
    """List deployments (groups of workers that run workflows): active, hardened, worker counts,
    managed or self-hosted. Pass next_cursor back as cursor for more."""
    state = app_state(ctx)
    page = await state.api.deployments.list(
        active_only=active_only,
        workflow_name=await workflow_name_of(state, workflow),
        search=search,
        cursor=cursor,
        limit=limit,
    )
    rows = [
        DeploymentRow(
            name=d.name, active=d.is_active, hardened=d.is_hardened, workers=_counts(d), managed=d.managed is not None
        )
        for d in page.deployments
    ]
    return DeploymentPage(deployments=rows, next_cursor=page.next_cursor)


@tool(Risk.READ, "Get a deployment", operations=(GET_DEPLOYMENT, GET_DEPLOYMENT_ARCHIVE))
async def get_deployment(ctx: Context, deployment: DeploymentName, workflow: WorkflowFilter = None) -> DeploymentDetail:
    """Get one deployment: healthy or not, when each worker was last seen, and for managed ones
    what is rolling out (phase, replicas, source, build) and a link to the code archive it was
    built from. Poll it after create_deployment or manage_deployment."""
    state = app_state(ctx)
    found = await state.api.deployments.get(deployment, workflow_name=await workflow_name_of(state, workflow))
    workers = found.workers or []
    note = None
    if len(workers) > SHOWN_WORKERS:
        note = f"{SHOWN_WORKERS} of {len(workers)} workers shown; list_deployment_workers has them all"
    archive = None
    if found.managed is not None and found.managed.spec is not None and found.managed.spec.archive_id:
        link = await state.api.deployments.archive(found.name)
        archive = ArchiveLink(archive_id=link.archive_id, download_url=link.download_url)
    return DeploymentDetail(
        name=found.name,
        id=found.id,
        active=found.is_active,
        last_heartbeat=found.last_heartbeat,
        archive=archive,
        hardened=found.is_hardened,
        workers_active=found.active_worker_count,
        workers_total=found.worker_count,
        workers=[_worker(w) for w in workers[:SHOWN_WORKERS]],
        managed=_managed_status(found.managed),
        updated_at=found.updated_at,
        note=note,
    )


@tool(Risk.READ, "List a deployment's workers", operations=(LIST_WORKERS,))
async def list_deployment_workers(
    ctx: Context,
    deployment: DeploymentName,
    status: Annotated[Literal["active", "inactive"] | None, Field(description="Only workers in this state.")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> WorkerPage:
    """List a deployment's workers (name, active, last heartbeat). Pass next_cursor back as
    cursor for more."""
    page = await app_state(ctx).api.deployments.workers(deployment, worker_status=status, cursor=cursor, limit=limit)
    return WorkerPage(workers=[_worker(w) for w in page.workers], next_cursor=page.next_cursor)


@tool(Risk.READ, "Read a deployment's logs", operations=(DEPLOYMENT_LOGS, DEPLOYMENT_LOGS_STREAM))
async def get_deployment_logs(
    ctx: Context,
    deployment: DeploymentName,
    worker: Annotated[
        str | None, Field(max_length=256, description="Only this worker (name from list_deployment_workers).")
    ] = None,
    workflow: WorkflowFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
    follow_seconds: Annotated[
        float, Field(ge=0, le=50, description="Tail live logs this long (0: one page of stored logs).")
    ] = 0,
) -> LogPage:
    """Read a deployment's worker logs, oldest first: a page, or with follow_seconds the live
    stream for that long. Pass next_cursor back as cursor (same mode) for more."""
    state = app_state(ctx)
    api = state.api
    workflow_name = await workflow_name_of(state, workflow)
    if follow_seconds <= 0:
        page = await api.deployments.logs(
            deployment, worker_name=worker, workflow_name=workflow_name, cursor=cursor, limit=limit
        )
        return _log_page(page.results, page.next_cursor, [])
    async with api.deployments.logs_stream(
        deployment, worker_name=worker, workflow_name=workflow_name, resume=cursor
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


async def check_create(state: AppState, args: Mapping[str, Any]) -> None:
    if (args.get("github_url") is None) == (args.get("archive_id") is None):
        raise ToolInputError("give exactly one of github_url (a repository) or archive_id (an uploaded archive).")


@tool(
    Risk.EXECUTE,
    "Create a managed deployment",
    operations=(CREATE_DEPLOYMENT,),
    confirm=Confirm(describe_create, check=check_create),
)
async def create_deployment(
    ctx: Context,
    deployment: NewDeployment,
    github_url: GithubUrl = None,
    revision: Revision = None,
    archive_id: ArchiveId = None,
    build_directory: BuildDirectory = None,
    dockerfile_path: DockerfilePath = None,
    replicas: Replicas = None,
    hardened: Annotated[bool, Field(description="Only keys tied to it may register workflows.")] = False,
) -> DeploymentOutcome:
    """Create a managed deployment: the platform builds a GitHub repo (or an uploaded archive) with
    its Dockerfile and runs its workers (provisions compute). Accepted at once; poll get_deployment."""
    spec = _spec(github_url, revision or ("main" if github_url else None), archive_id, build_directory, dockerfile_path)
    try:
        api = app_state(ctx).api.deployments
        result = await api.create(deployment, spec, _resources(replicas), hardened)
    except WorkflowsAPIError as exc:
        follow = f"Call get_deployment(deployment={deployment!r}) before creating it again."
        raise CreatedIdError(exc, f"Deployment {deployment!r}", follow) from exc
    return DeploymentOutcome(
        message="Accepted: the build and rollout run asynchronously; poll get_deployment for phase and rollout_status.",
        name=result.name,
        status=_managed_status(result),
    )


@tool(Risk.WRITE, "Change a managed deployment", operations=(UPDATE_DEPLOYMENT,))
async def update_deployment(
    ctx: Context,
    deployment: DeploymentName,
    revision: Revision = None,
    github_url: GithubUrl = None,
    archive_id: ArchiveId = None,
    build_directory: BuildDirectory = None,
    dockerfile_path: DockerfilePath = None,
    replicas: Replicas = None,
) -> DeploymentChange:
    """Change a managed deployment's code (revision, repo or archive, build settings) or replicas;
    fields you omit keep their value. Starts a rollout: poll get_deployment."""
    spec = _spec(github_url, revision, archive_id, build_directory, dockerfile_path)
    resources = _resources(replicas)
    has_spec = bool(spec.model_dump(exclude_none=True))
    if not has_spec and resources is None:
        raise ToolInputError(
            "nothing to update: give at least one of revision, github_url, archive_id, build_directory, "
            "dockerfile_path, replicas."
        )
    result = await app_state(ctx).api.deployments.update(deployment, spec if has_spec else None, resources)
    return DeploymentChange(
        name=result.name, status=_managed_status(result), message="Accepted: a rollout started; poll get_deployment."
    )


@tool(
    Risk.DESTRUCTIVE,
    "Stop, start, restart, delete or unharden a deployment",
    operations=(STOP_DEPLOYMENT, START_DEPLOYMENT, RESTART_DEPLOYMENT, DELETE_DEPLOYMENT, UNHARDEN_DEPLOYMENT),
    idempotent=False,
    confirm=Confirm(describe_manage),
)
async def manage_deployment(
    ctx: Context,
    deployment: DeploymentName,
    action: Annotated[
        Literal["stop", "start", "restart", "delete", "unharden"],
        Field(description="unharden lets any key register workflows on it again."),
    ],
) -> DeploymentOutcome:
    """Stop (undo with start), start, restart (interrupts running workers) or delete a managed
    deployment, or lift a deployment's hardening. Needs the user's confirmation; poll get_deployment
    afterwards."""
    api = app_state(ctx).api.deployments
    if action == "unharden":
        found = await api.get(deployment)
        await api.unharden(found.id)
        return DeploymentOutcome(message=f"Unhardened {deployment}: any key may now register workflows on it.")
    act = {"stop": api.stop, "start": api.start, "restart": api.restart, "delete": api.delete}
    result = await act[action](deployment)
    done = {"stop": "Stopping", "start": "Starting", "restart": "Restarting", "delete": "Deleting"}[action]
    return DeploymentOutcome(
        message=f"{done} {deployment}: accepted, carried out asynchronously; get_deployment shows progress.",
        name=result.name,
        status=_managed_status(result),
    )

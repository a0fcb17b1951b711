"""Deployments: list/get with workers, managed lifecycle writes (202), workers, logs."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, field_validator, model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import ApiError, conflict
from ..ids import WORKSPACE_ID, as_utc, iso_req, now, stable_id
from ..logs import log_window
from ..models import DeploymentRecord, LogRecord, ManagedState, WorkerRecord
from ..params import paginate, parse_body, parse_query
from ..runtime import Sandbox, sandbox_of
from ..sse import sse_response
from ..store import managed_spec, resources
from . import archives, streaming
from .paths import P

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
LocationType = Literal["local", "k8s", "managed"]
CREATOR = "sandbox-user"


class ListDeploymentsQuery(BaseModel):
    active_only: bool = True
    is_hardened: bool | None = None
    workflow_name: str | None = None
    created_by: str | None = None
    owner: str | None = None
    location_types: list[LocationType] | None = None
    repository_url: str | None = None
    dockerfile_path: str | None = None
    search: str | None = None
    order_by: Literal["updated_at", "created_at"] | None = None
    order: Literal["asc", "desc"] = "desc"
    limit: int | None = Field(default=None, ge=1, le=100)
    cursor: str | None = None
    workspace_id: UUID | None = None


class GetDeploymentQuery(BaseModel):
    workflow_name: str | None = None


class WorkersQuery(BaseModel):
    worker_status: Literal["active", "inactive"] | None = None
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = None


class DeploymentLogsQuery(BaseModel):
    log_type: Literal["build", "runtime"] | None = None
    worker_name: str | None = None
    workflow_name: str | None = None
    after: datetime | None = None
    before: datetime | None = None
    order: Literal["asc", "desc"] = "asc"
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=100)


class SecretBinding(BaseModel):
    env_var_name: str
    reference: str


class BackendSpecInput(BaseModel):
    """`DeploymentMistralCloudBackendSpec`: where and how the platform builds the worker image."""

    type: Literal["mistral_cloud", "koyeb"] = "mistral_cloud"
    build_directory: str | None = None
    dockerfile_path: str | None = None
    secrets: list[SecretBinding] | None = None


class SpecInput(BaseModel):
    """`DeploymentWorkerSpecInput`: code from a repository (`github_url`) or an uploaded archive (`archive_id`).

    The 2.x fields `entrypoint` and `working_dir` are not part of the live API and are ignored, like any
    unknown field.
    """

    github_url: str | None = None
    revision: str | None = None
    archive_id: str | None = None
    backend_spec: BackendSpecInput | None = None
    requested_roles: list[str] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SpecInput:
        if (self.github_url is None) == (self.archive_id is None):
            raise ValueError("give exactly one of github_url (a repository) or archive_id (an uploaded archive)")
        return self


class ResourcesInput(BaseModel):
    """`DeploymentResourceConfig`: the 2.x `cpu_*`/`memory_*` fields are not part of the live API (ignored)."""

    replicas: int | None = Field(default=None, ge=0)


class CreateBody(BaseModel):
    name: str
    spec: SpecInput
    resources: ResourcesInput | None = None
    hardened: bool = False

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError("letters, digits, '-' and '_' only, at most 128 characters")
        return value


class SpecUpdate(BaseModel):
    """`WorkflowsWorkerSpecUpdate`: only the fields sent change."""

    github_url: str | None = None
    revision: str | None = None
    archive_id: str | None = None
    backend_spec: BackendSpecInput | None = None
    requested_roles: list[str] | None = None


class UpdateBody(BaseModel):
    spec: SpecUpdate | None = None
    resources: ResourcesInput | None = None


class UnhardenQuery(BaseModel):
    workspace_id: UUID | None = None


async def list_deployments(request: Request) -> Response:
    """GET /deployments: active ones only unless active_only=false; active and managed first by default."""
    sandbox = sandbox_of(request)
    q = parse_query(request, ListDeploymentsQuery)
    items = [
        d
        for d in sandbox.store.deployments.values()
        if (not q.active_only or d.is_active)
        and (q.is_hardened is None or d.is_hardened == q.is_hardened)
        and (not q.search or q.search.lower() in d.name.lower())
        and (q.workflow_name is None or _serves(sandbox, d, q.workflow_name))
        and _matches_managed(d, q)
    ]
    if q.order_by is None:
        items.sort(key=lambda d: d.created_at)
        items.sort(key=lambda d: not (d.is_active or d.managed is not None))
    else:
        field = q.order_by
        items.sort(key=lambda d: d.updated_at if field == "updated_at" else d.created_at, reverse=q.order == "desc")
    page, next_cursor = paginate(items, q.cursor, q.limit or 100)
    return JSONResponse(
        {
            "deployments": [d.to_json() for d in page],
            "next_cursor": next_cursor,
            "workspace_id": str(q.workspace_id or WORKSPACE_ID),
        }
    )


def _matches_managed(deployment: DeploymentRecord, q: ListDeploymentsQuery) -> bool:
    """The filters on who made a deployment, where it runs and what it builds from."""
    managed = deployment.managed
    spec = managed.spec if managed is not None else {}
    location: LocationType = "managed" if managed is not None else "local"
    return (
        (q.location_types is None or location in q.location_types)
        and (q.created_by is None or (managed is not None and q.created_by == CREATOR))
        and (q.owner is None or (managed is not None and q.owner == CREATOR))
        and (q.repository_url is None or spec.get("github_url") == q.repository_url)
        and (q.dockerfile_path is None or (spec.get("backend_spec") or {}).get("dockerfile_path") == q.dockerfile_path)
    )


def _serves(sandbox: Sandbox, deployment: DeploymentRecord, workflow_name: str) -> bool:
    return any(
        r.deployment_name == deployment.name and sandbox.store.workflows[r.workflow_id].name == workflow_name
        for r in sandbox.store.registrations.values()
    )


async def get_deployment(request: Request) -> Response:
    """GET /deployments/{name}: DeploymentDetailResponse with its workers."""
    sandbox = sandbox_of(request)
    deployment = sandbox.store.deployment(request.path_params["name"])
    q = parse_query(request, GetDeploymentQuery)
    if q.workflow_name is not None:
        sandbox.store.workflow(q.workflow_name)
    return JSONResponse(deployment.to_json(with_workers=True))


async def list_workers(request: Request) -> Response:
    """GET /deployments/{name}/workers."""
    sandbox = sandbox_of(request)
    deployment = sandbox.store.deployment(request.path_params["name"])
    q = parse_query(request, WorkersQuery)
    workers = [w for w in deployment.workers if q.worker_status is None or w.is_active == (q.worker_status == "active")]
    page, next_cursor = paginate(workers, q.cursor, q.limit)
    return JSONResponse({"workers": [w.to_json() for w in page], "next_cursor": next_cursor})


async def get_logs(request: Request) -> Response:
    """GET /deployments/{name}/logs."""
    sandbox = sandbox_of(request)
    deployment = sandbox.store.deployment(request.path_params["name"])
    q = parse_query(request, DeploymentLogsQuery)
    records = [
        r
        for r in sandbox.store.logs
        if r.deployment_name == deployment.name
        and q.log_type != "build"  # the sandbox builds nothing: every line is a runtime log
        and (q.worker_name is None or r.worker_name == q.worker_name)
        and (q.workflow_name is None or r.workflow_name == q.workflow_name)
    ]
    records = log_window(records, q.after and as_utc(q.after), q.before and as_utc(q.before), q.order)
    page, next_cursor = paginate(records, q.cursor, q.limit)
    return JSONResponse({"results": [r.to_json() for r in page], "next_cursor": next_cursor})


def _managed(sandbox: Sandbox, name: str) -> tuple[DeploymentRecord, ManagedState]:
    deployment = sandbox.store.deployment(name)
    if deployment.managed is None:
        raise conflict(
            f"Deployment '{name}' is self-hosted; lifecycle operations apply to managed deployments only",
            "DEPLOYMENT_NOT_MANAGED",
        )
    return deployment, deployment.managed


def _accepted(sandbox: Sandbox, deployment: DeploymentRecord, message: str) -> Response:
    sandbox.store.add_log(message, deployment=deployment.name)
    body = deployment.managed_json()
    assert body is not None
    return JSONResponse(body, status_code=202)


async def create_deployment(request: Request) -> Response:
    """POST /deployments: a managed deployment, built and running at once in the sandbox (202)."""
    sandbox = sandbox_of(request)
    body = await parse_body(request, CreateBody)
    if body.name in sandbox.store.deployments:
        raise conflict(f"Deployment '{body.name}' already exists", "DEPLOYMENT_EXISTS")
    stamp = now()
    deployment = DeploymentRecord(
        id=stable_id("deployment", body.name),
        name=body.name,
        created_at=stamp,
        updated_at=stamp,
        workers=[WorkerRecord(f"{body.name}-worker-1", stamp, stamp, True)],
        is_hardened=body.hardened,
        managed=ManagedState(
            service_id=stable_id("service", body.name),
            spec=managed_spec(
                body.spec.github_url,
                body.spec.revision or ("main" if body.spec.github_url else None),
                body.spec.archive_id,
                body.spec.backend_spec.model_dump() if body.spec.backend_spec else None,
                body.spec.requested_roles,
            ),
            resources=resources(body.resources.replicas if body.resources else None),
            created_at=stamp,
            updated_at=stamp,
            hardened=body.hardened,
        ),
    )
    sandbox.store.deployments[body.name] = deployment
    return _accepted(sandbox, deployment, f"Managed deployment {body.name} created")


def _touch(deployment: DeploymentRecord, managed: ManagedState) -> None:
    stamp = now()
    deployment.updated_at = managed.updated_at = stamp
    managed.generation += 1


async def update_deployment(request: Request) -> Response:
    """PATCH /deployments/{name}: change spec and/or resources; triggers a rollout."""
    sandbox = sandbox_of(request)
    deployment, managed = _managed(sandbox, request.path_params["name"])
    body = await parse_body(request, UpdateBody)
    if body.spec is not None:
        managed.spec = _updated_spec(managed.spec, body.spec.model_dump(exclude_none=True))
    if body.resources is not None and body.resources.replicas is not None:
        managed.resources = resources(body.resources.replicas)
    _touch(deployment, managed)
    return _accepted(sandbox, deployment, f"Rollout of {deployment.name} started")


def _updated_spec(spec: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The spec with `changes` applied; a new code source (repository or archive) replaces the other one."""
    fields = {
        "github_url": spec["github_url"] or None,
        "revision": spec["revision"],
        "archive_id": spec["archive_id"],
        "backend_spec": {**spec["backend_spec"], **changes.pop("backend_spec", {})},
        "requested_roles": spec["requested_roles"],
    }
    if "github_url" in changes:
        fields["archive_id"] = None
    if "archive_id" in changes:
        fields["github_url"] = None
    updated = managed_spec(**{**fields, **changes})
    updated["restarted_at"] = spec["restarted_at"]
    return updated


async def delete_deployment(request: Request) -> Response:
    """DELETE /deployments/{name}: removes it (202 with its last state)."""
    sandbox = sandbox_of(request)
    deployment, managed = _managed(sandbox, request.path_params["name"])
    managed.phase = "Terminating"
    managed.stopped = True
    response = _accepted(sandbox, deployment, f"Managed deployment {deployment.name} deleted")
    del sandbox.store.deployments[deployment.name]
    return response


def _set_running(deployment: DeploymentRecord, managed: ManagedState, running: bool) -> None:
    managed.stopped = not running
    managed.phase = "Running" if running else "Stopped"
    for worker in deployment.workers:
        worker.is_active = running
        worker.updated_at = now()
    _touch(deployment, managed)


async def stop_deployment(request: Request) -> Response:
    """POST /deployments/{name}/stop: workers go inactive; undo with start."""
    sandbox = sandbox_of(request)
    deployment, managed = _managed(sandbox, request.path_params["name"])
    _set_running(deployment, managed, False)
    return _accepted(sandbox, deployment, f"Managed deployment {deployment.name} stopped")


async def start_deployment(request: Request) -> Response:
    """POST /deployments/{name}/start."""
    sandbox = sandbox_of(request)
    deployment, managed = _managed(sandbox, request.path_params["name"])
    _set_running(deployment, managed, True)
    return _accepted(sandbox, deployment, f"Managed deployment {deployment.name} started")


async def restart_deployment(request: Request) -> Response:
    """POST /deployments/{name}/restart: records `spec.restarted_at`."""
    sandbox = sandbox_of(request)
    deployment, managed = _managed(sandbox, request.path_params["name"])
    if managed.stopped:
        raise ApiError(409, {"detail": f"Deployment '{deployment.name}' is stopped; start it instead"})
    managed.spec["restarted_at"] = iso_req(now())
    _touch(deployment, managed)
    return _accepted(sandbox, deployment, f"Managed deployment {deployment.name} restarting")


async def get_archive(request: Request) -> Response:
    """GET /deployments/{name}/archive: the uploaded archive a managed deployment builds from, with a signed
    download URL (valid 24 h); 404 for one built from a repository, like the live API."""
    sandbox = sandbox_of(request)
    deployment = sandbox.store.deployment(request.path_params["name"])
    archive_id = deployment.managed.spec["archive_id"] if deployment.managed is not None else None
    if archive_id is None:
        raise ApiError(404, {"detail": f"Deployment '{deployment.name}' does not build from an uploaded archive"})
    return JSONResponse({"archive_id": archive_id, "download_url": archives.archive_url(request, archive_id)})


async def unharden(request: Request) -> Response:
    """POST /deployments/{deployment_id}/unharden: 204; the deployment (found by id, not name) is no longer
    hardened. Idempotent. `workspace_id` scopes the lookup: another workspace's id is not found."""
    sandbox = sandbox_of(request)
    raw_id = request.path_params["deployment_id"]
    q = parse_query(request, UnhardenQuery)
    deployment = next((d for d in sandbox.store.deployments.values() if d.id == raw_id), None)
    if deployment is None or (q.workspace_id is not None and str(q.workspace_id) != WORKSPACE_ID):
        raise ApiError(404, {"detail": f"Deployment '{raw_id}' not found"})
    deployment.is_hardened = False
    if deployment.managed is not None:
        deployment.managed.hardened = False
    sandbox.store.add_log(f"Deployment {deployment.name} unhardened", deployment=deployment.name)
    return Response(status_code=204)


class DeploymentLogsStreamQuery(BaseModel):
    worker_name: str | None = None
    workflow_name: str | None = None
    after: datetime | None = None
    last_event_id: str | None = None


async def deployment_logs_stream(request: Request) -> Response:
    """GET /deployments/{name}/logs/stream: `log` frames of the deployment; tails until the client leaves."""
    sandbox = sandbox_of(request)
    deployment = sandbox.store.deployment(request.path_params["name"])
    q = parse_query(request, DeploymentLogsStreamQuery)
    resume = streaming.resume(request, q.last_event_id)
    after = as_utc(q.after) if q.after and resume is None else None

    def keep(r: LogRecord) -> bool:
        return (
            r.deployment_name == deployment.name
            and (q.worker_name is None or r.worker_name == q.worker_name)
            and (q.workflow_name is None or r.workflow_name == q.workflow_name)
            and (after is None or r.timestamp > after)
        )

    return sse_response(
        streaming.log_frames(sandbox, resume or 0, keep, lambda: False),
        streaming.stream_fault(sandbox, request),
        sandbox.closing,
        sandbox.stats,
    )


ROUTES = [
    Route(P + "/deployments", list_deployments, methods=["GET"]),
    Route(P + "/deployments", create_deployment, methods=["POST"]),
    Route(P + "/deployments/{name}", get_deployment, methods=["GET"]),
    Route(P + "/deployments/{name}", update_deployment, methods=["PATCH"]),
    Route(P + "/deployments/{name}", delete_deployment, methods=["DELETE"]),
    Route(P + "/deployments/{name}/stop", stop_deployment, methods=["POST"]),
    Route(P + "/deployments/{name}/start", start_deployment, methods=["POST"]),
    Route(P + "/deployments/{name}/restart", restart_deployment, methods=["POST"]),
    Route(P + "/deployments/{name}/workers", list_workers, methods=["GET"]),
    Route(P + "/deployments/{name}/logs", get_logs, methods=["GET"]),
    Route(P + "/deployments/{name}/logs/stream", deployment_logs_stream, methods=["GET"]),
    Route(P + "/deployments/{name}/archive", get_archive, methods=["GET"]),
    Route(P + "/deployments/{deployment_id}/unharden", unharden, methods=["POST"]),
    *archives.ROUTES,
]

"""Deployments: named groups of workers; managed ones are built and run by the platform."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mcp_workflows.api.models.base import RequestModel, UpstreamModel

WorkerStatus = Literal["active", "inactive"]
DeploymentOrderBy = Literal["updated_at", "created_at"]
SortOrder = Literal["asc", "desc"]


class DeploymentBuildState(UpstreamModel):
    phase: str | None = None
    message: str | None = None
    image: str | None = None
    commit_sha: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class DeploymentObservedState(UpstreamModel):
    """`DeploymentObservedState`: poll this after a 202 to follow a managed deployment."""

    phase: str | None = None
    message: str | None = None
    ready_replicas: int = 0
    available_replicas: int = 0
    deployed_revision: str | None = None
    endpoint: str | None = None
    generation: int | None = None
    last_seen: str | None = None
    build_state: DeploymentBuildState | None = None


class GitCommit(UpstreamModel):
    sha: str
    message: str | None = None
    html_url: str | None = None


class ManagedWorkerSpec(UpstreamModel):
    """`DeploymentWorkerSpecResponse` (live, mistralai 3.x): built from a repository or an uploaded
    archive; how it runs is in `backend_spec` (type mistral_cloud, koyeb or kubernetes)."""

    github_url: str = ""  # "" for a deployment built from an archive
    revision: str | None = None
    archive_id: str | None = None
    backend_spec: dict[str, Any] = Field(default_factory=dict)
    requested_roles: list[str] | None = None
    restarted_at: str | None = None
    commit: GitCommit | None = None


class ResourceConfig(UpstreamModel):
    """`DeploymentResourceConfig` as the live API reports it: replicas only."""

    replicas: int | None = None


class ManagedDeployment(UpstreamModel):
    """`ManagedDeploymentResponse`: the answer (202) to every deployment write."""

    name: str
    service_id: str | None = None
    status: DeploymentObservedState = Field(default_factory=DeploymentObservedState)
    stopped: bool = False
    rollout_status: str | None = None
    is_hardened: bool = False
    spec: ManagedWorkerSpec | None = None
    resources: ResourceConfig = Field(default_factory=ResourceConfig)
    created_at: str | None = None
    updated_at: str | None = None
    created_by: str | None = None
    updated_by: str | None = None
    deployed_at: str | None = None
    deployed_by: str | None = None


class DeploymentWorker(UpstreamModel):
    """`DeploymentWorkerResponse`."""

    name: str
    is_active: bool
    last_heartbeat: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    location: dict[str, Any] | None = None


class Deployment(UpstreamModel):
    """`DeploymentResponse` / `DeploymentDetailResponse` (the detail adds `workers`)."""

    id: str
    name: str
    is_active: bool
    is_hardened: bool = False
    last_heartbeat: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    worker_count: int | None = None
    active_worker_count: int | None = None
    locations: list[str] = Field(default_factory=list)
    managed: ManagedDeployment | None = None
    workers: list[DeploymentWorker] | None = None


class DeploymentPage(UpstreamModel):
    """`DeploymentListResponse` (cursor pagination)."""

    deployments: list[Deployment]
    next_cursor: str | None = None
    workspace_id: str | None = None


class WorkerPage(UpstreamModel):
    """`DeploymentWorkerListResponse`: resend the same `worker_status` with `next_cursor`."""

    workers: list[DeploymentWorker]
    next_cursor: str | None = None


class DeploymentSpec(RequestModel):
    """`DeploymentWorkerSpecInput` / `WorkflowsWorkerSpecUpdate` (live, mistralai 3.x): a repository
    (`github_url`, `revision`) or an uploaded archive (`archive_id`); create needs one of them."""

    github_url: str | None = None
    revision: str | None = None
    archive_id: str | None = None
    backend_spec: dict[str, Any] | None = None
    requested_roles: list[str] | None = None


class DeploymentResources(RequestModel):
    """`DeploymentResourceConfig` / `DeploymentResourceConfigUpdate`: replicas only on the live API."""

    replicas: int | None = Field(default=None, ge=0)


class DeploymentArchive(UpstreamModel):
    """`DeploymentArchiveResponse`: the uploaded code a managed deployment was built from, and a
    short-lived URL to download it (valid about 24 h upstream)."""

    archive_id: str
    download_url: str

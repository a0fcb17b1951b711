"""Deployments: named groups of workers; managed ones are built and run by the platform."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mcp_workflows.api.models.base import RequestModel, UpstreamModel


class Deployment(UpstreamModel):
    """`DeploymentResponse` / `DeploymentDetailResponse`."""

    id: str
    name: str
    is_active: bool
    is_hardened: bool = False
    created_at: str | None = None
    updated_at: str | None = None
    worker_count: int | None = None
    active_worker_count: int | None = None
    managed: dict[str, Any] | None = None
    workers: list[dict[str, Any]] | None = None


class DeploymentPage(UpstreamModel):
    deployments: list[Deployment]
    next_cursor: str | None = None


class WorkerPage(UpstreamModel):
    workers: list[dict[str, Any]]
    next_cursor: str | None = None


class ManagedDeployment(UpstreamModel):
    """`ManagedDeploymentResponse`: the answer (202) to every deployment write."""

    name: str
    service_id: str | None = None
    status: dict[str, Any] = Field(default_factory=dict)
    stopped: bool = False
    rollout_status: str | None = None
    spec: dict[str, Any] = Field(default_factory=dict)
    resources: dict[str, Any] = Field(default_factory=dict)


class DeploymentSpec(RequestModel):
    """`DeploymentWorkerSpecInput` / `WorkflowsWorkerSpecUpdate`."""

    github_url: str | None = None
    revision: str | None = None
    entrypoint: str | None = None
    working_dir: str | None = None


class DeploymentResources(RequestModel):
    replicas: int | None = Field(default=None, ge=0)
    cpu_request: str | None = None
    cpu_limit: str | None = None
    memory_request: str | None = None
    memory_limit: str | None = None

"""Deployments: list and inspect, workers and logs, and the managed lifecycle (all writes are 202)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from mcp_workflows.api.endpoints.deployments import (
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
from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.deployments import (
    Deployment,
    DeploymentOrderBy,
    DeploymentPage,
    DeploymentResources,
    DeploymentSpec,
    ManagedDeployment,
    SortOrder,
    WorkerPage,
    WorkerStatus,
)
from mcp_workflows.api.models.executions import LogOrder, LogPage
from mcp_workflows.api.sse import SSEFrame, open_stream

LifecycleAction = Literal["stop", "start", "restart", "delete"]
_LIFECYCLE = {
    "stop": STOP_DEPLOYMENT,
    "start": START_DEPLOYMENT,
    "restart": RESTART_DEPLOYMENT,
    "delete": DELETE_DEPLOYMENT,
}


class DeploymentsAPI:
    """`/v1/workflows/deployments`."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    def _one(self, name: str) -> dict[str, Any]:
        return {"path_params": {"name": name}, "target": Target("deployment", name)}

    async def list(
        self,
        *,
        active_only: bool | None = None,
        is_hardened: bool | None = None,
        workflow_name: str | None = None,
        search: str | None = None,
        order_by: DeploymentOrderBy | None = None,
        order: SortOrder | None = None,
        cursor: str | None = None,
        limit: int | None = None,
        workspace_id: str | None = None,
    ) -> DeploymentPage:
        """Upstream `active_only` defaults to true: pass False to see inactive deployments too."""
        params = {k: v for k, v in locals().items() if k != "self"}
        return DeploymentPage.model_validate(await self._http.call(LIST_DEPLOYMENTS, params=params))

    async def get(self, name: str, *, workflow_name: str | None = None) -> Deployment:
        """Detail, with workers; `workflow_name` limits the serving status to that workflow."""
        data = await self._http.call(GET_DEPLOYMENT, params={"workflow_name": workflow_name}, **self._one(name))
        return Deployment.model_validate(data)

    async def workers(
        self,
        name: str,
        *,
        worker_status: WorkerStatus | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> WorkerPage:
        """Resend the same `worker_status` with each cursor."""
        params = {"worker_status": worker_status, "cursor": cursor, "limit": limit}
        return WorkerPage.model_validate(await self._http.call(LIST_WORKERS, params=params, **self._one(name)))

    async def logs(
        self,
        name: str,
        *,
        worker_name: str | None = None,
        workflow_name: str | None = None,
        after: str | None = None,
        before: str | None = None,
        order: LogOrder | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> LogPage:
        """One page of logs; `after`/`before`/`order` apply to the first page only."""
        params = {
            "worker_name": worker_name,
            "workflow_name": workflow_name,
            "after": after,
            "before": before,
            "order": order,
            "cursor": cursor,
            "limit": limit,
        }
        return LogPage.model_validate(await self._http.call(DEPLOYMENT_LOGS, params=params, **self._one(name)))

    @asynccontextmanager
    async def logs_stream(
        self,
        name: str,
        *,
        worker_name: str | None = None,
        workflow_name: str | None = None,
        after: str | None = None,
        resume: str | None = None,
    ) -> AsyncIterator[AsyncGenerator[SSEFrame]]:
        """Live logs (`log` frames whose data is a `LogRecord`). `after` is an ISO time to start a
        fresh stream at; `resume` is the SSE id of the last frame seen, sent as `Last-Event-ID`."""
        async with open_stream(
            self._http,
            DEPLOYMENT_LOGS_STREAM,
            params={"worker_name": worker_name, "workflow_name": workflow_name, "after": after},
            headers={"Last-Event-ID": resume},
            **self._one(name),
        ) as frames:
            yield frames

    async def create(
        self, name: str, spec: DeploymentSpec, resources: DeploymentResources | None = None, hardened: bool = False
    ) -> ManagedDeployment:
        """Create a managed deployment from a GitHub repo (202: built and rolled out asynchronously;
        poll `get`). `spec.github_url` is required."""
        body: dict[str, Any] = {"name": name, "spec": spec.model_dump(exclude_none=True), "hardened": hardened}
        if resources is not None:
            body["resources"] = resources.model_dump(exclude_none=True)
        data = await self._http.call(CREATE_DEPLOYMENT, json=body, target=Target("deployment", name))
        return ManagedDeployment.model_validate(data)

    async def update(
        self, name: str, spec: DeploymentSpec | None = None, resources: DeploymentResources | None = None
    ) -> ManagedDeployment:
        """Change code or resources (202; starts a rollout). Fields left out keep their value."""
        body: dict[str, Any] = {}
        if spec is not None:
            body["spec"] = spec.model_dump(exclude_none=True)
        if resources is not None:
            body["resources"] = resources.model_dump(exclude_none=True)
        return ManagedDeployment.model_validate(await self._http.call(UPDATE_DEPLOYMENT, json=body, **self._one(name)))

    async def lifecycle(self, name: str, action: LifecycleAction) -> ManagedDeployment:
        """stop / start / restart / delete: accepted (202) and carried out asynchronously."""
        return ManagedDeployment.model_validate(await self._http.call(_LIFECYCLE[action], **self._one(name)))

    async def stop(self, name: str) -> ManagedDeployment:
        return await self.lifecycle(name, "stop")

    async def start(self, name: str) -> ManagedDeployment:
        return await self.lifecycle(name, "start")

    async def restart(self, name: str) -> ManagedDeployment:
        """Interrupts running workers."""
        return await self.lifecycle(name, "restart")

    async def delete(self, name: str) -> ManagedDeployment:
        return await self.lifecycle(name, "delete")

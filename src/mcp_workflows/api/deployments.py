"""Deployments: list and inspect, workers and logs, and the managed lifecycle (all writes are 202)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.deployments import (
    Deployment,
    DeploymentArchive,
    DeploymentOrderBy,
    DeploymentPage,
    DeploymentResources,
    DeploymentSpec,
    ManagedDeployment,
    SortOrder,
    WorkerPage,
    WorkerStatus,
)
from mcp_workflows.api.models.observability import LogOrder, LogPage
from mcp_workflows.api.operations import Operation, Risk
from mcp_workflows.api.streams import Frames, open_stream

_P = "/v1/workflows/deployments"
_ONE = _P + "/{name}"
LIST_DEPLOYMENTS = Operation("list_deployments_v1_workflows_deployments_get", "GET", _P, Risk.READ)
GET_DEPLOYMENT = Operation("get_deployment_v1_workflows_deployments__name__get", "GET", _ONE, Risk.READ)
LIST_WORKERS = Operation(
    "list_deployment_workers_v1_workflows_deployments__name__workers_get", "GET", _ONE + "/workers", Risk.READ
)
DEPLOYMENT_LOGS = Operation("get_deployment_logs", "GET", _ONE + "/logs", Risk.READ)
DEPLOYMENT_LOGS_STREAM = Operation("stream_deployment_logs", "GET", _ONE + "/logs/stream", Risk.READ)
CREATE_DEPLOYMENT = Operation("create_deployment_v1_workflows_deployments_post", "POST", _P, Risk.EXECUTE)
UPDATE_DEPLOYMENT = Operation("update_deployment_v1_workflows_deployments__name__patch", "PATCH", _ONE, Risk.WRITE)
DELETE_DEPLOYMENT = Operation(
    "delete_deployment_v1_workflows_deployments__name__delete", "DELETE", _ONE, Risk.DESTRUCTIVE
)
STOP_DEPLOYMENT = Operation(
    "stop_deployment_v1_workflows_deployments__name__stop_post", "POST", _ONE + "/stop", Risk.DESTRUCTIVE
)
START_DEPLOYMENT = Operation(
    "start_deployment_v1_workflows_deployments__name__start_post", "POST", _ONE + "/start", Risk.EXECUTE
)
RESTART_DEPLOYMENT = Operation(
    "restart_deployment_v1_workflows_deployments__name__restart_post", "POST", _ONE + "/restart", Risk.DESTRUCTIVE
)
GET_DEPLOYMENT_ARCHIVE = Operation(
    "get_deployment_archive_v1_workflows_deployments__name__archive_get", "GET", _ONE + "/archive", Risk.READ
)
UNHARDEN_DEPLOYMENT = Operation(
    "unharden_deployment_v1_workflows_deployments__deployment_id__unharden_post",
    "POST",
    _P + "/{deployment_id}/unharden",
    Risk.DESTRUCTIVE,
)


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
    ) -> AsyncIterator[Frames]:
        """Live logs (`log` frames whose data is a `LogRecord`). `after` is an ISO time to start a
        fresh stream at; `resume` is the SSE id of the last frame seen, sent as the `last_event_id`
        query parameter, as the official client does."""
        params = {"worker_name": worker_name, "workflow_name": workflow_name, "after": after, "last_event_id": resume}
        async with open_stream(self._http, DEPLOYMENT_LOGS_STREAM, params=params, **self._one(name)) as frames:
            yield frames

    async def create(
        self, name: str, spec: DeploymentSpec, resources: DeploymentResources | None = None, hardened: bool = False
    ) -> ManagedDeployment:
        """Create a managed deployment from a GitHub repository or an uploaded archive (202: built and
        rolled out asynchronously; poll `get`)."""
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

    async def stop(self, name: str) -> ManagedDeployment:
        """Stop the workers (202, carried out asynchronously)."""
        return ManagedDeployment.model_validate(await self._http.call(STOP_DEPLOYMENT, **self._one(name)))

    async def start(self, name: str) -> ManagedDeployment:
        """Start a stopped deployment again (202)."""
        return ManagedDeployment.model_validate(await self._http.call(START_DEPLOYMENT, **self._one(name)))

    async def restart(self, name: str) -> ManagedDeployment:
        """Restart every worker (202)."""
        return ManagedDeployment.model_validate(await self._http.call(RESTART_DEPLOYMENT, **self._one(name)))

    async def delete(self, name: str) -> ManagedDeployment:
        """Delete the managed deployment (202)."""
        return ManagedDeployment.model_validate(await self._http.call(DELETE_DEPLOYMENT, **self._one(name)))

    async def archive(self, name: str) -> DeploymentArchive:
        """The archive a managed deployment was built from (404 for one built from a repository)."""
        return DeploymentArchive.model_validate(await self._http.call(GET_DEPLOYMENT_ARCHIVE, **self._one(name)))

    async def unharden(self, deployment_id: str, *, workspace_id: str | None = None) -> None:
        """Lift a deployment's hardening (204): any key may register workflows on it again. The path
        takes the deployment's id, not its name."""
        await self._http.call(
            UNHARDEN_DEPLOYMENT,
            path_params={"deployment_id": deployment_id},
            params={"workspace_id": workspace_id},
            target=Target("deployment", deployment_id),
        )

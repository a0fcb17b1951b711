"""Workflows and registrations: typed methods over the upstream operations."""

from __future__ import annotations

import builtins
from typing import Any

from mcp_workflows.api.endpoints.workflows import (
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
from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.executions import Execution, ExecutionRequest, ExecutionSyncResult
from mcp_workflows.api.models.workflows import (
    BulkArchiveResult,
    Workflow,
    WorkflowBulkArchiveRequest,
    WorkflowList,
    WorkflowRegistration,
    WorkflowRegistrationList,
    WorkflowUpdate,
)


class WorkflowsAPI:
    """`/v1/workflows`: find, edit, archive and execute workflows; read their registrations."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    async def list(
        self,
        *,
        search: str | None = None,
        tags: list[str] | None = None,
        archived: bool | None = None,
        available_in_chat_assistant: bool | None = None,
        include_shared: bool | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> WorkflowList:
        data = await self._http.call(
            LIST_WORKFLOWS,
            params={
                "search": search,
                "tags": tags,
                "archived": archived,
                "available_in_chat_assistant": available_in_chat_assistant,
                "include_shared": include_shared,
                "cursor": cursor,
                "limit": limit,
            },
        )
        return WorkflowList.model_validate(data)

    async def get(self, workflow_identifier: str) -> Workflow:
        data = await self._http.call(
            GET_WORKFLOW,
            path_params={"workflow_identifier": workflow_identifier},
            target=Target("workflow", workflow_identifier),
        )
        return Workflow.model_validate(data["workflow"])

    async def update(self, workflow_identifier: str, update: WorkflowUpdate) -> Workflow:
        data = await self._http.call(
            UPDATE_WORKFLOW,
            path_params={"workflow_identifier": workflow_identifier},
            json=update.model_dump(exclude_none=True),
            target=Target("workflow", workflow_identifier),
        )
        return Workflow.model_validate(data["workflow"])

    async def archive(self, workflow_identifier: str) -> Workflow:
        data = await self._http.call(
            ARCHIVE_WORKFLOW,
            path_params={"workflow_identifier": workflow_identifier},
            target=Target("workflow", workflow_identifier),
        )
        return Workflow.model_validate(data["workflow"])

    async def unarchive(self, workflow_identifier: str) -> Workflow:
        data = await self._http.call(
            UNARCHIVE_WORKFLOW,
            path_params={"workflow_identifier": workflow_identifier},
            target=Target("workflow", workflow_identifier),
        )
        return Workflow.model_validate(data["workflow"])

    async def bulk_set_archived(self, workflow_ids: builtins.list[str], *, archived: bool) -> BulkArchiveResult:
        """Archive or unarchive many workflows by id (UUIDs only, at most 100); read `errored`
        for per-item failures: a 200 does not mean every workflow changed."""
        body = WorkflowBulkArchiveRequest(workflow_ids=workflow_ids)
        data = await self._http.call(BULK_ARCHIVE if archived else BULK_UNARCHIVE, json=body.model_dump())
        return BulkArchiveResult.model_validate(
            {"done": data.get("archived" if archived else "unarchived", []), "errored": data.get("errored", [])}
        )

    async def bulk_archive(self, workflow_ids: builtins.list[str]) -> BulkArchiveResult:
        """`PUT /v1/workflows/archive`."""
        return await self.bulk_set_archived(workflow_ids, archived=True)

    async def bulk_unarchive(self, workflow_ids: builtins.list[str]) -> BulkArchiveResult:
        """`PUT /v1/workflows/unarchive`."""
        return await self.bulk_set_archived(workflow_ids, archived=False)

    async def list_registrations(
        self,
        *,
        workflow_id: str | None = None,
        workflow_search: str | None = None,
        active_only: bool | None = None,
        archived: bool | None = None,
        available_in_chat_assistant: bool | None = None,
        include_shared: bool | None = None,
        with_workflow: bool | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> WorkflowRegistrationList:
        data = await self._http.call(
            LIST_REGISTRATIONS,
            params={
                "workflow_id": workflow_id,
                "workflow_search": workflow_search,
                "active_only": active_only,
                "archived": archived,
                "available_in_chat_assistant": available_in_chat_assistant,
                "include_shared": include_shared,
                "with_workflow": with_workflow,
                "cursor": cursor,
                "limit": limit,
            },
        )
        return WorkflowRegistrationList.model_validate(data)

    async def get_registration(
        self, registration_id: str, *, with_workflow: bool | None = None
    ) -> WorkflowRegistration:
        data = await self._http.call(
            GET_REGISTRATION,
            path_params={"workflow_registration_id": registration_id},
            params={"with_workflow": with_workflow},
            target=Target("registration", registration_id),
        )
        return WorkflowRegistration.model_validate(data["workflow_registration"])

    async def execute(self, workflow_identifier: str, request: ExecutionRequest) -> Execution | ExecutionSyncResult:
        """Start an execution. With a caller-chosen execution_id the call is safe to retry."""
        data = await self._http.call(
            EXECUTE_WORKFLOW,
            path_params={"workflow_identifier": workflow_identifier},
            json=request.model_dump(exclude_none=True),
            idempotent=request.execution_id is not None,
            target=Target("workflow", workflow_identifier),
        )
        return _execution_result(data)

    async def execute_registration(
        self, registration_id: str, request: ExecutionRequest
    ) -> Execution | ExecutionSyncResult:
        """Deprecated upstream; kept because the API still offers it."""
        data = await self._http.call(
            EXECUTE_REGISTRATION,
            path_params={"workflow_registration_id": registration_id},
            json=request.model_dump(exclude_none=True),
            idempotent=request.execution_id is not None,
            target=Target("registration", registration_id),
        )
        return _execution_result(data)


def _execution_result(data: Any) -> Execution | ExecutionSyncResult:
    if isinstance(data, dict) and "status" in data:
        return Execution.model_validate(data)
    return ExecutionSyncResult.model_validate(data)

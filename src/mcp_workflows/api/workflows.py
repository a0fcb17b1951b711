"""Workflows and registrations: typed methods over the upstream operations."""

from __future__ import annotations

import builtins
from typing import Any

from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.executions import Execution, ExecutionRequest, ExecutionSyncResult
from mcp_workflows.api.models.workflows import (
    BulkArchiveResult,
    Workflow,
    WorkflowBulkArchiveRequest,
    WorkflowList,
    WorkflowRegistration,
    WorkflowRegistrationList,
    WorkflowTagsRequest,
    WorkflowUpdate,
)
from mcp_workflows.api.operations import Operation, Risk

_P = "/v1/workflows"
LIST_WORKFLOWS = Operation("get_workflows_v1_workflows_get", "GET", _P, Risk.READ)
GET_WORKFLOW = Operation(
    "get_workflow_v1_workflows__workflow_identifier__get", "GET", _P + "/{workflow_identifier}", Risk.READ
)
UPDATE_WORKFLOW = Operation(
    "update_workflow_v1_workflows__workflow_identifier__put", "PUT", _P + "/{workflow_identifier}", Risk.WRITE
)
ARCHIVE_WORKFLOW = Operation(
    "archive_workflow_v1_workflows__workflow_identifier__archive_put",
    "PUT",
    _P + "/{workflow_identifier}/archive",
    Risk.DESTRUCTIVE,
)
UNARCHIVE_WORKFLOW = Operation(
    "unarchive_workflow_v1_workflows__workflow_identifier__unarchive_put",
    "PUT",
    _P + "/{workflow_identifier}/unarchive",
    Risk.WRITE,
)
LIST_REGISTRATIONS = Operation(
    "get_workflow_registrations_v1_workflows_registrations_get", "GET", _P + "/registrations", Risk.READ
)
GET_REGISTRATION = Operation(
    "get_workflow_registration_v1_workflows_registrations__workflow_registration_id__get",
    "GET",
    _P + "/registrations/{workflow_registration_id}",
    Risk.READ,
)
ADD_WORKFLOW_TAGS = Operation(
    "add_workflow_tags_v1_workflows__workflow_identifier__tags_post",
    "POST",
    _P + "/{workflow_identifier}/tags",
    Risk.WRITE,
)
BULK_ARCHIVE = Operation("bulk_archive_workflows_v1_workflows_archive_put", "PUT", _P + "/archive", Risk.DESTRUCTIVE)
BULK_UNARCHIVE = Operation("bulk_unarchive_workflows_v1_workflows_unarchive_put", "PUT", _P + "/unarchive", Risk.WRITE)
EXECUTE_WORKFLOW = Operation(
    "execute_workflow_v1_workflows__workflow_identifier__execute_post",
    "POST",
    _P + "/{workflow_identifier}/execute",
    Risk.EXECUTE,
)
EXECUTE_REGISTRATION = Operation(
    "execute_workflow_registration_v1_workflows_registrations__workflow_registration_id__execute_post",
    "POST",
    _P + "/registrations/{workflow_registration_id}/execute",
    Risk.EXECUTE,
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

    async def add_tags(self, workflow_identifier: str, tags: builtins.list[str]) -> None:
        """Add tags and keep the existing ones (204); `update` replaces the whole list instead."""
        await self._http.call(
            ADD_WORKFLOW_TAGS,
            path_params={"workflow_identifier": workflow_identifier},
            json=WorkflowTagsRequest(tags=tags).model_dump(),
            idempotent=True,  # adding the same tags twice leaves them as they are
            target=Target("workflow", workflow_identifier),
        )

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

    async def bulk_archive(self, workflow_ids: builtins.list[str]) -> BulkArchiveResult:
        """Archive many workflows by id (UUIDs only, at most 100); read `errored` for per-item
        failures: a 200 does not mean every workflow changed."""
        return await self._bulk(BULK_ARCHIVE, "archived", workflow_ids)

    async def bulk_unarchive(self, workflow_ids: builtins.list[str]) -> BulkArchiveResult:
        """Unarchive many workflows by id; read `errored` as for bulk_archive."""
        return await self._bulk(BULK_UNARCHIVE, "unarchived", workflow_ids)

    async def _bulk(self, operation: Operation, done_key: str, workflow_ids: builtins.list[str]) -> BulkArchiveResult:
        body = WorkflowBulkArchiveRequest(workflow_ids=workflow_ids)
        data = await self._http.call(operation, json=body.model_dump())
        return BulkArchiveResult.model_validate({"done": data.get(done_key, []), "errored": data.get("errored", [])})

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

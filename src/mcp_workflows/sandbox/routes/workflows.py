"""Workflows, registrations and starting executions (`/v1/workflows`, `/registrations`, `/execute`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import ApiError, not_found
from ..models import ExecutionRecord, RegistrationRecord, WorkflowRecord
from ..params import paginate, parse_body, parse_query, path_uuid
from ..runtime import Sandbox, sandbox_of
from .paths import P

ExecutionStatus = Literal[
    "RUNNING", "COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT", "RETRYING_AFTER_ERROR"
]


class ListWorkflowsQuery(BaseModel):
    status: list[ExecutionStatus] | None = None
    include_shared: bool = True
    available_in_chat_assistant: bool | None = None
    deployment_name: list[str] | None = None
    deployment_status: Literal["active", "inactive"] | None = None
    archived: bool | None = None
    tags: list[str] | None = None
    sort_by: Literal["display_name"] | None = None
    order: Literal["asc", "desc"] = "asc"
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=1000)
    active_only: bool = False
    search: str | None = None


def _clean_tags(tags: list[str]) -> list[str]:
    """Trim, reject empty or over-long tags, drop duplicates (upstream tag rules)."""
    cleaned: list[str] = []
    for tag in tags:
        text = tag.strip()
        if not text:
            raise ValueError("tags must not be empty")
        if len(text) > 100:
            raise ValueError("a tag is at most 100 characters")
        if text not in cleaned:
            cleaned.append(text)
    return cleaned


class UpdateWorkflowBody(BaseModel):
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    description: str | None = None
    available_in_chat_assistant: bool | None = None
    tags: list[str] | None = None

    @field_validator("tags")
    @classmethod
    def _valid_tags(cls, tags: list[str] | None) -> list[str] | None:
        return None if tags is None else _clean_tags(tags)


class AddTagsBody(BaseModel):
    """`WorkflowTagsAddRequest`."""

    tags: list[str]

    @field_validator("tags")
    @classmethod
    def _valid_tags(cls, tags: list[str]) -> list[str]:
        return _clean_tags(tags)


class BulkBody(BaseModel):
    workflow_ids: list[uuid.UUID]


class ListRegistrationsQuery(BaseModel):
    workflow_id: uuid.UUID | None = None
    workflow_name: str | None = None
    task_queue: str | None = None
    active_only: bool = False
    include_shared: bool = True
    workflow_search: str | None = None
    archived: bool | None = None
    with_workflow: bool = False
    available_in_chat_assistant: bool | None = None
    limit: int = Field(default=50, ge=1, le=1000)
    cursor: str | None = None


class GetRegistrationQuery(BaseModel):
    with_workflow: bool = False
    include_shared: bool = True


class ExecuteBody(BaseModel):
    execution_id: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None
    input: dict[str, Any] | None = None
    wait_for_result: bool = False
    timeout_seconds: float | None = Field(default=None, gt=0)
    custom_tracing_attributes: dict[str, str] | None = None
    force_new_trace: bool = False
    extensions: dict[str, Any] | None = None
    task_queue: str | None = None
    deployment_name: str | None = None


def _matches_search(wf: WorkflowRecord, search: str | None) -> bool:
    if not search:
        return True
    needle = search.lower()
    return any(needle in (text or "").lower() for text in (wf.name, wf.display_name, wf.description))


def _workflow_with_status(sandbox: Sandbox, wf: WorkflowRecord) -> dict[str, Any]:
    return {**wf.to_workflow(), "active": sandbox.store.workflow_active(wf)}


async def list_workflows(request: Request) -> Response:
    """GET /v1/workflows."""
    sandbox = sandbox_of(request)
    store = sandbox.store
    q = parse_query(request, ListWorkflowsQuery)
    items: list[WorkflowRecord] = []
    for wf in store.workflows.values():
        regs = store.registrations_of(wf.id)
        active = store.workflow_active(wf)
        if not q.include_shared and wf.shared_namespace is not None:
            continue
        if (
            q.available_in_chat_assistant is not None
            and wf.available_in_chat_assistant != q.available_in_chat_assistant
        ):
            continue
        if q.archived is not None and wf.archived != q.archived:
            continue
        if q.tags and not set(q.tags) <= set(wf.tags):
            continue
        if q.deployment_name and not any(r.deployment_name in q.deployment_name for r in regs):
            continue
        if q.deployment_status is not None and active != (q.deployment_status == "active"):
            continue
        if q.active_only and not active:
            continue
        if q.status and not any(
            e.workflow_id == wf.id and e.current.status in q.status for e in store.executions.values()
        ):
            continue
        if not _matches_search(wf, q.search):
            continue
        items.append(wf)
    key = (lambda w: w.display_name.lower()) if q.sort_by == "display_name" else (lambda w: w.name)
    items.sort(key=key, reverse=q.order == "desc")
    page, next_cursor = paginate(items, q.cursor, q.limit)
    return JSONResponse({"workflows": [w.to_basic() for w in page], "next_cursor": next_cursor})


async def get_workflow(request: Request) -> Response:
    """GET /v1/workflows/{workflow_identifier}: WorkflowGetResponse."""
    sandbox = sandbox_of(request)
    wf = sandbox.store.workflow(request.path_params["workflow_identifier"])
    return JSONResponse({"workflow": _workflow_with_status(sandbox, wf)})


async def update_workflow(request: Request) -> Response:
    """PUT /v1/workflows/{workflow_identifier}: only the fields sent change; `tags` replaces the list."""
    sandbox = sandbox_of(request)
    wf = sandbox.store.workflow(request.path_params["workflow_identifier"])
    body = await parse_body(request, UpdateWorkflowBody)
    if body.display_name is not None:
        wf.display_name = body.display_name
    if "description" in body.model_fields_set:
        wf.description = body.description
    if body.available_in_chat_assistant is not None:
        wf.available_in_chat_assistant = body.available_in_chat_assistant
    if body.tags is not None:
        wf.tags = body.tags
    return JSONResponse({"workflow": wf.to_workflow()})


async def add_tags(request: Request) -> Response:
    """POST /v1/workflows/{workflow_identifier}/tags: 204; the tags are added after the existing ones, which stay."""
    sandbox = sandbox_of(request)
    wf = sandbox.store.workflow(request.path_params["workflow_identifier"])
    body = await parse_body(request, AddTagsBody)
    wf.tags = wf.tags + [tag for tag in body.tags if tag not in wf.tags]
    return Response(status_code=204)


def _set_archived(request: Request, archived: bool) -> Response:
    sandbox = sandbox_of(request)
    wf = sandbox.store.workflow(request.path_params["workflow_identifier"])
    wf.archived = archived
    return JSONResponse({"workflow": wf.to_workflow()})


async def archive_workflow(request: Request) -> Response:
    """PUT /v1/workflows/{workflow_identifier}/archive."""
    return _set_archived(request, True)


async def unarchive_workflow(request: Request) -> Response:
    """PUT /v1/workflows/{workflow_identifier}/unarchive."""
    return _set_archived(request, False)


async def _bulk(request: Request, archived: bool, key: str) -> Response:
    sandbox = sandbox_of(request)
    body = await parse_body(request, BulkBody)
    done: list[dict[str, Any]] = []
    errored: list[dict[str, Any]] = []
    for raw_id in body.workflow_ids:
        wf = sandbox.store.workflows.get(str(raw_id))
        if wf is None:
            errored.append({"workflow_id": str(raw_id), "workflow": None, "message": f"Workflow '{raw_id}' not found"})
            continue
        wf.archived = archived
        done.append(wf.to_workflow())
    return JSONResponse({key: done, "errored": errored})


async def bulk_archive(request: Request) -> Response:
    """PUT /v1/workflows/archive: already archived ids count as success."""
    return await _bulk(request, True, "archived")


async def bulk_unarchive(request: Request) -> Response:
    """PUT /v1/workflows/unarchive."""
    return await _bulk(request, False, "unarchived")


def _registration_json(
    sandbox: Sandbox, reg: RegistrationRecord, with_workflow: bool, with_status: bool
) -> dict[str, Any]:
    """`WorkflowRegistration`; `with_status` gives `WorkflowRegistrationWithWorkerStatus` (with `active`), which
    only the single-registration read returns: list rows tell active ones apart by `active_only=true`."""
    wf = sandbox.store.workflows[reg.workflow_id]
    active = sandbox.store.registration_active(reg) if with_status else None
    return reg.to_json(wf if with_workflow else None, active)


async def list_registrations(request: Request) -> Response:
    """GET /v1/workflows/registrations."""
    sandbox = sandbox_of(request)
    store = sandbox.store
    q = parse_query(request, ListRegistrationsQuery)
    items: list[RegistrationRecord] = []
    for reg in store.registrations.values():
        wf = store.workflows[reg.workflow_id]
        if q.workflow_id is not None and reg.workflow_id != str(q.workflow_id):
            continue
        if q.workflow_name is not None and wf.name != q.workflow_name:
            continue
        if q.task_queue is not None and reg.deployment_name != q.task_queue:
            continue
        if q.active_only and not store.registration_active(reg):
            continue
        if not q.include_shared and wf.shared_namespace is not None:
            continue
        if q.archived is not None and wf.archived != q.archived:
            continue
        if (
            q.available_in_chat_assistant is not None
            and wf.available_in_chat_assistant != q.available_in_chat_assistant
        ):
            continue
        if not _matches_search(wf, q.workflow_search):
            continue
        items.append(reg)
    items.sort(key=lambda r: store.workflows[r.workflow_id].name)
    page, next_cursor = paginate(items, q.cursor, q.limit)
    regs = [_registration_json(sandbox, r, q.with_workflow, with_status=False) for r in page]
    return JSONResponse({"workflow_registrations": regs, "next_cursor": next_cursor, "workflow_versions": regs})


def _registration(sandbox: Sandbox, raw_id: str) -> RegistrationRecord:
    key = path_uuid(raw_id, "workflow_registration_id")
    reg = sandbox.store.registrations.get(key)
    if reg is None:
        raise not_found("Workflow registration", raw_id)
    return reg


async def get_registration(request: Request) -> Response:
    """GET /v1/workflows/registrations/{workflow_registration_id}."""
    sandbox = sandbox_of(request)
    q = parse_query(request, GetRegistrationQuery)
    reg = _registration(sandbox, request.path_params["workflow_registration_id"])
    body = _registration_json(sandbox, reg, q.with_workflow, with_status=True)
    return JSONResponse({"workflow_registration": body, "workflow_version": body})


def _pick_registration(sandbox: Sandbox, wf: WorkflowRecord, deployment_name: str | None) -> RegistrationRecord:
    regs = sandbox.store.registrations_of(wf.id)
    if deployment_name is not None:
        regs = [r for r in regs if r.deployment_name == deployment_name]
        if not regs:
            raise ApiError(
                404,
                {
                    "detail": f"Workflow '{wf.name}' has no registration on deployment '{deployment_name}'",
                    "code": "WF_1100",
                },
            )
    regs.sort(key=lambda r: not sandbox.store.registration_active(r))
    return regs[0]


async def _execute(request: Request, sandbox: Sandbox, wf: WorkflowRecord, reg: RegistrationRecord | None) -> Response:
    body = await parse_body(request, ExecuteBody)
    registration = reg or _pick_registration(sandbox, wf, body.deployment_name or body.task_queue)
    execution = sandbox.engine.start(wf, registration, body.input, body.execution_id)
    if not body.wait_for_result:
        return JSONResponse(execution.to_json())
    return await _wait_result(sandbox, execution, body.timeout_seconds)


async def _wait_result(sandbox: Sandbox, execution: ExecutionRecord, budget_s: float | None) -> Response:
    """Hold the request until the execution ends; 504 WF_1103 when `timeout_seconds` runs out first."""
    done = await sandbox.engine.wait(execution, budget_s or sandbox.config.wait_timeout_default_s)
    if not done:
        raise ApiError(
            504,
            {
                "detail": f"Execution '{execution.execution_id}' did not finish within the wait timeout",
                "code": "WF_1103",
                "execution_id": execution.execution_id,
                "status": execution.current.status,
            },
        )
    run = execution.current
    return JSONResponse(
        {
            "workflow_name": execution.workflow_name,
            "execution_id": execution.execution_id,
            "result": run.result if run.status == "COMPLETED" else None,
        }
    )


async def execute_workflow(request: Request) -> Response:
    """POST /v1/workflows/{workflow_identifier}/execute."""
    sandbox = sandbox_of(request)
    wf = sandbox.store.workflow(request.path_params["workflow_identifier"])
    return await _execute(request, sandbox, wf, None)


async def execute_registration(request: Request) -> Response:
    """POST /v1/workflows/registrations/{workflow_registration_id}/execute (deprecated upstream)."""
    sandbox = sandbox_of(request)
    reg = _registration(sandbox, request.path_params["workflow_registration_id"])
    wf = sandbox.store.workflows[reg.workflow_id]
    return await _execute(request, sandbox, wf, reg)


ROUTES = [
    Route(P, list_workflows, methods=["GET"]),
    Route(P + "/archive", bulk_archive, methods=["PUT"]),
    Route(P + "/unarchive", bulk_unarchive, methods=["PUT"]),
    Route(P + "/registrations", list_registrations, methods=["GET"]),
    Route(P + "/registrations/{workflow_registration_id}", get_registration, methods=["GET"]),
    Route(P + "/registrations/{workflow_registration_id}/execute", execute_registration, methods=["POST"]),
    Route(P + "/{workflow_identifier}", get_workflow, methods=["GET"]),
    Route(P + "/{workflow_identifier}", update_workflow, methods=["PUT"]),
    Route(P + "/{workflow_identifier}/tags", add_tags, methods=["POST"]),
    Route(P + "/{workflow_identifier}/archive", archive_workflow, methods=["PUT"]),
    Route(P + "/{workflow_identifier}/unarchive", unarchive_workflow, methods=["PUT"]),
    Route(P + "/{workflow_identifier}/execute", execute_workflow, methods=["POST"]),
]

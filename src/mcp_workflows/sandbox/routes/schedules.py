"""Schedules: create, list, get, patch, delete, pause, resume, trigger."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import conflict, not_found, one_validation_error
from ..ids import iso, iso_req, new_id, now
from ..models import ScheduleRecord, WorkflowRecord
from ..params import paginate, parse_body, parse_optional_body, parse_query
from ..runtime import Sandbox, sandbox_of
from ..schedule_spec import PartialScheduleDefinition, ScheduleDefinition, check
from ..validation import check_input
from .paths import P


class CreateScheduleBody(BaseModel):
    schedule: ScheduleDefinition
    workflow_registration_id: uuid.UUID | None = None
    workflow_version_id: uuid.UUID | None = None
    workflow_identifier: str | None = None
    workflow_task_queue: str | None = None
    schedule_id: str | None = None
    deployment_name: str | None = None


class UpdateScheduleBody(BaseModel):
    schedule: PartialScheduleDefinition


class PauseBody(BaseModel):
    note: str | None = None


class TriggerBody(BaseModel):
    overlap: Literal[1, 2, 3, 4, 5, 6] | None = None


class ListSchedulesQuery(BaseModel):
    workflow_name: str | None = None
    user_id: str | None = None
    status: Literal["active", "paused"] | None = None
    search: str | None = None
    page_size: int | None = Field(default=None, ge=1, le=1000)
    next_page_token: str | None = None


def schedule_json(sandbox: Sandbox, record: ScheduleRecord) -> dict[str, Any]:
    """`ScheduleDefinitionOutput`."""
    spec = record.definition.model_dump(mode="json", exclude={"max_executions", "schedule_id"})
    return {
        **spec,
        "schedule_id": record.schedule_id,
        "remaining_executions": sandbox.scheduler.remaining(record),
        "workflow_name": record.workflow_name,
        "deployment_name": record.deployment_name,
        "paused": record.paused,
        "note": record.note,
        "future_executions": [{"scheduled_at": iso_req(t)} for t in sandbox.scheduler.future(record)],
        "recent_executions": [
            {
                "scheduled_at": iso(r["scheduled_at"]),
                "started_at": iso(r["started_at"]),
                "execution_id": r["execution_id"],
            }
            for r in record.recent
        ],
    }


def _schedule(request: Request) -> tuple[Sandbox, ScheduleRecord]:
    sandbox = sandbox_of(request)
    schedule_id = request.path_params["schedule_id"]
    record = sandbox.store.schedules.get(schedule_id)
    if record is None:
        raise not_found("Schedule", schedule_id, code="WF_1201")
    return sandbox, record


def _target(sandbox: Sandbox, body: CreateScheduleBody) -> tuple[WorkflowRecord, str | None]:
    """The workflow (by name, id, or registration id) and the deployment the schedule is pinned to."""
    reg_id = body.workflow_registration_id or body.workflow_version_id
    deployment = body.deployment_name or body.workflow_task_queue
    if reg_id is not None:
        reg = sandbox.store.registrations.get(str(reg_id))
        if reg is None:
            raise not_found("Workflow registration", str(reg_id))
        return sandbox.store.workflows[reg.workflow_id], deployment or reg.deployment_name
    if body.workflow_identifier is None:
        raise one_validation_error(
            ["body", "workflow_identifier"], "workflow_identifier or workflow_registration_id is required", "missing"
        )
    identifier = body.workflow_identifier
    reg = sandbox.store.registrations.get(identifier)
    if reg is not None:
        return sandbox.store.workflows[reg.workflow_id], deployment or reg.deployment_name
    return sandbox.store.workflow(identifier), deployment


async def create_schedule(request: Request) -> Response:
    """POST /schedules: 201 `{schedule_id}`; the schedule starts firing at once."""
    sandbox = sandbox_of(request)
    body = await parse_body(request, CreateScheduleBody)
    workflow, deployment = _target(sandbox, body)
    program = sandbox.store.programs[workflow.name]
    check_input(program.input_schema, body.schedule.input, ["body", "schedule", "input"])
    check(body.schedule)
    schedule_id = body.schedule_id or body.schedule.schedule_id or new_id()
    if schedule_id in sandbox.store.schedules:
        raise conflict(f"Schedule '{schedule_id}' already exists", "SCHEDULE_ALREADY_EXISTS", schedule_id=schedule_id)
    record = ScheduleRecord(
        schedule_id=schedule_id,
        workflow_id=workflow.id,
        workflow_name=workflow.name,
        deployment_name=deployment,
        definition=body.schedule,
        created_at=now(),
    )
    sandbox.store.schedules[schedule_id] = record
    sandbox.scheduler.arm(record)
    return JSONResponse({"schedule_id": schedule_id}, status_code=201)


async def list_schedules(request: Request) -> Response:
    """GET /schedules: every schedule when page_size is absent (deprecated upstream mode)."""
    sandbox = sandbox_of(request)
    q = parse_query(request, ListSchedulesQuery)
    items = [
        r
        for r in sandbox.store.schedules.values()
        if (q.workflow_name is None or r.workflow_name == q.workflow_name)
        and (q.user_id is None or q.user_id in ("current", r.user_id))
        and (q.status is None or r.paused == (q.status == "paused"))
        and (not q.search or r.schedule_id.startswith(q.search))
    ]
    items.sort(key=lambda r: r.created_at)
    if q.page_size is None:
        page, token = items, None
    else:
        page, token = paginate(items, q.next_page_token, q.page_size, "next_page_token")
    return JSONResponse({"schedules": [schedule_json(sandbox, r) for r in page], "next_page_token": token})


async def get_schedule(request: Request) -> Response:
    """GET /schedules/{schedule_id}: with the next 10 and the last 10 firings."""
    sandbox, record = _schedule(request)
    return JSONResponse(schedule_json(sandbox, record))


async def update_schedule(request: Request) -> Response:
    """PATCH /schedules/{schedule_id}: a true partial update."""
    sandbox, record = _schedule(request)
    body = await parse_body(request, UpdateScheduleBody)
    changes = {k: getattr(body.schedule, k) for k in body.schedule.model_fields_set}
    merged = record.definition.model_copy(update=changes)
    merged = ScheduleDefinition.model_validate(merged.model_dump())
    if "input" in changes:
        program = sandbox.store.programs[record.workflow_name]
        check_input(program.input_schema, merged.input, ["body", "schedule", "input"])
    check(merged)
    record.definition = merged
    sandbox.scheduler.arm(record)
    return JSONResponse({"schedule_id": record.schedule_id})


async def delete_schedule(request: Request) -> Response:
    """DELETE /schedules/{schedule_id}: 204; executions it started keep running."""
    sandbox, record = _schedule(request)
    del sandbox.store.schedules[record.schedule_id]
    return Response(status_code=204)


async def pause_schedule(request: Request) -> Response:
    """POST /schedules/{schedule_id}/pause: 204, optional `{note}`."""
    _, record = _schedule(request)
    body = await parse_optional_body(request, PauseBody)
    record.paused = True
    record.note = body.note if body is not None else record.note
    return Response(status_code=204)


async def resume_schedule(request: Request) -> Response:
    """POST /schedules/{schedule_id}/resume: 204; firing starts again from now."""
    sandbox, record = _schedule(request)
    body = await parse_optional_body(request, PauseBody)
    record.paused = False
    record.note = body.note if body is not None else record.note
    sandbox.scheduler.arm(record)
    return Response(status_code=204)


async def trigger_schedule(request: Request) -> Response:
    """POST /schedules/{schedule_id}/trigger: fire now, following the overlap policy unless overridden (204)."""
    sandbox, record = _schedule(request)
    body = await parse_optional_body(request, TriggerBody)
    await sandbox.scheduler.fire(record, now(), body.overlap if body is not None else None)
    return Response(status_code=204)


ROUTES = [
    Route(P + "/schedules", list_schedules, methods=["GET"]),
    Route(P + "/schedules", create_schedule, methods=["POST"]),
    Route(P + "/schedules/{schedule_id}", get_schedule, methods=["GET"]),
    Route(P + "/schedules/{schedule_id}", update_schedule, methods=["PATCH"]),
    Route(P + "/schedules/{schedule_id}", delete_schedule, methods=["DELETE"]),
    Route(P + "/schedules/{schedule_id}/pause", pause_schedule, methods=["POST"]),
    Route(P + "/schedules/{schedule_id}/resume", resume_schedule, methods=["POST"]),
    Route(P + "/schedules/{schedule_id}/trigger", trigger_schedule, methods=["POST"]),
]

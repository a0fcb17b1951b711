"""Schedules: list, create, read, change, delete, pause, resume and trigger."""

from __future__ import annotations

from typing import Any

from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.schedules import (
    OverlapPolicy,
    PartialScheduleDefinition,
    Schedule,
    ScheduleCreate,
    SchedulePage,
    ScheduleRef,
    ScheduleStatusFilter,
)
from mcp_workflows.api.operations import Operation, Risk

_P = "/v1/workflows/schedules"
_ONE = _P + "/{schedule_id}"
LIST_SCHEDULES = Operation("get_schedules_v1_workflows_schedules_get", "GET", _P, Risk.READ)
CREATE_SCHEDULE = Operation("schedule_workflow_v1_workflows_schedules_post", "POST", _P, Risk.EXECUTE)
GET_SCHEDULE = Operation("get_schedule_v1_workflows_schedules__schedule_id__get", "GET", _ONE, Risk.READ)
UPDATE_SCHEDULE = Operation("update_schedule_v1_workflows_schedules__schedule_id__patch", "PATCH", _ONE, Risk.WRITE)
DELETE_SCHEDULE = Operation(
    "unschedule_workflow_v1_workflows_schedules__schedule_id__delete", "DELETE", _ONE, Risk.DESTRUCTIVE
)
PAUSE_SCHEDULE = Operation(
    "pause_schedule_v1_workflows_schedules__schedule_id__pause_post", "POST", _ONE + "/pause", Risk.WRITE
)
RESUME_SCHEDULE = Operation(
    "resume_schedule_v1_workflows_schedules__schedule_id__resume_post", "POST", _ONE + "/resume", Risk.WRITE
)
TRIGGER_SCHEDULE = Operation(
    "trigger_schedule_v1_workflows_schedules__schedule_id__trigger_post", "POST", _ONE + "/trigger", Risk.EXECUTE
)


class SchedulesAPI:
    """`/v1/workflows/schedules`."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    def _one(self, schedule_id: str) -> dict[str, Any]:
        return {"path_params": {"schedule_id": schedule_id}, "target": Target("schedule", schedule_id)}

    async def list(
        self,
        *,
        workflow_name: str | None = None,
        user_id: str | None = None,
        status: ScheduleStatusFilter | None = None,
        search: str | None = None,
        page_size: int = 50,
        next_page_token: str | None = None,
    ) -> SchedulePage:
        """Always paginated: leaving out page_size would return everything (a deprecated mode)."""
        params = {k: v for k, v in locals().items() if k != "self"}
        return SchedulePage.model_validate(await self._http.call(LIST_SCHEDULES, params=params))

    async def create(self, request: ScheduleCreate) -> str:
        """Create a schedule (201) and return its id. With a caller-chosen `schedule_id` a retry
        cannot create two (a 409 then means the id exists)."""
        body = request.model_dump(exclude_none=True)
        body["schedule"]["input"] = request.schedule.input  # required upstream, even when null
        data = await self._http.call(
            CREATE_SCHEDULE,
            json=body,
            idempotent=request.schedule_id is not None,
            target=Target("workflow", request.workflow_identifier or request.workflow_registration_id or ""),
        )
        return ScheduleRef.model_validate(data).schedule_id

    async def get(self, schedule_id: str) -> Schedule:
        return Schedule.model_validate(await self._http.call(GET_SCHEDULE, **self._one(schedule_id)))

    async def update(self, schedule_id: str, changes: PartialScheduleDefinition) -> ScheduleRef:
        """A true partial update: fields left out (None) keep their value."""
        data = await self._http.call(
            UPDATE_SCHEDULE, json={"schedule": changes.model_dump(exclude_none=True)}, **self._one(schedule_id)
        )
        return ScheduleRef.model_validate(data)

    async def delete(self, schedule_id: str) -> None:
        await self._http.call(DELETE_SCHEDULE, **self._one(schedule_id))

    async def pause(self, schedule_id: str, note: str | None = None) -> None:
        """Stop firing until resumed; `note` is shown on the schedule."""
        await self._http.call(PAUSE_SCHEDULE, json={"note": note} if note else None, **self._one(schedule_id))

    async def resume(self, schedule_id: str, note: str | None = None) -> None:
        await self._http.call(RESUME_SCHEDULE, json={"note": note} if note else None, **self._one(schedule_id))

    async def trigger(self, schedule_id: str, overlap: OverlapPolicy | None = None) -> None:
        """Fire now. With the SKIP policy and a run in progress upstream drops it (still 204);
        `overlap=6` (ALLOW_ALL) forces it."""
        await self._http.call(
            TRIGGER_SCHEDULE, json={"overlap": overlap} if overlap else None, **self._one(schedule_id)
        )

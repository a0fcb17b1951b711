"""Endpoints of the `schedules` area."""

from __future__ import annotations

from mcp_workflows.api.operations import Operation

_P = "/v1/workflows/schedules"
_ONE = _P + "/{schedule_id}"
LIST_SCHEDULES = Operation("get_schedules_v1_workflows_schedules_get", "GET", _P)
CREATE_SCHEDULE = Operation("schedule_workflow_v1_workflows_schedules_post", "POST", _P)
GET_SCHEDULE = Operation("get_schedule_v1_workflows_schedules__schedule_id__get", "GET", _ONE)
UPDATE_SCHEDULE = Operation("update_schedule_v1_workflows_schedules__schedule_id__patch", "PATCH", _ONE)
DELETE_SCHEDULE = Operation("unschedule_workflow_v1_workflows_schedules__schedule_id__delete", "DELETE", _ONE)
PAUSE_SCHEDULE = Operation("pause_schedule_v1_workflows_schedules__schedule_id__pause_post", "POST", _ONE + "/pause")
RESUME_SCHEDULE = Operation(
    "resume_schedule_v1_workflows_schedules__schedule_id__resume_post", "POST", _ONE + "/resume"
)
TRIGGER_SCHEDULE = Operation(
    "trigger_schedule_v1_workflows_schedules__schedule_id__trigger_post", "POST", _ONE + "/trigger"
)

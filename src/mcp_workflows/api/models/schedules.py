"""Schedules: recurring executions of one workflow with a fixed input.

Request side: `ScheduleDefinition` (create) and `PartialScheduleDefinition` (patch), built from
`ScheduleCalendar` / `ScheduleRange` / `ScheduleInterval` / `SchedulePolicy`. Response side:
`Schedule` (`ScheduleDefinitionOutput`) and `SchedulePage`. Deprecated upstream fields
(`workflow_version_id`, `workflow_task_queue`) are not offered.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mcp_workflows.api.models.base import RequestModel, UpstreamModel

# 1 SKIP (upstream default), 2 BUFFER_ONE, 3 BUFFER_ALL, 4 CANCEL_OTHER (graceful),
# 5 TERMINATE_OTHER (forced), 6 ALLOW_ALL. 4 and 5 stop the running execution.
OverlapPolicy = Literal[1, 2, 3, 4, 5, 6]
ScheduleStatusFilter = Literal["active", "paused"]


class ScheduleRange(RequestModel):
    """`ScheduleRange`: `{start: 9}` alone means exactly 9; `step` 0 means every value."""

    start: int
    end: int | None = None
    step: int | None = None


class ScheduleCalendar(RequestModel):
    """`ScheduleCalendar`: unset second/minute/hour default to 0 upstream; day_of_week 0 is Sunday."""

    second: list[ScheduleRange] | None = None
    minute: list[ScheduleRange] | None = None
    hour: list[ScheduleRange] | None = None
    day_of_month: list[ScheduleRange] | None = None
    month: list[ScheduleRange] | None = None
    year: list[ScheduleRange] | None = None
    day_of_week: list[ScheduleRange] | None = None
    comment: str | None = None


class ScheduleInterval(RequestModel):
    every: str = Field(description="ISO-8601 duration, e.g. PT30M.")
    offset: str | None = None


class SchedulePolicy(RequestModel):
    """`SchedulePolicy`; `overlap` is the integer enum above (upstream default 1, SKIP)."""

    catchup_window_seconds: int | None = Field(default=None, ge=0)
    overlap: OverlapPolicy | None = None
    pause_on_failure: bool | None = None


class PartialScheduleDefinition(RequestModel):
    """`PartialScheduleDefinition` (PATCH): only the fields that are set are sent and changed."""

    input: Any = None
    cron_expressions: list[str] | None = None
    intervals: list[ScheduleInterval] | None = None
    calendars: list[ScheduleCalendar] | None = None
    skip: list[ScheduleCalendar] | None = None
    start_at: str | None = None
    end_at: str | None = None
    jitter: str | None = None
    time_zone_name: str | None = None
    policy: SchedulePolicy | None = None
    max_executions: int | None = Field(default=None, ge=1)


class ScheduleDefinition(PartialScheduleDefinition):
    """`ScheduleDefinition` (create): firing times are the union of cron expressions, intervals and
    calendars, minus `skip`; `input` is required and fixed for every firing."""

    input: Any


# Earlier name of the partial definition, kept for callers that use it.


class ScheduleCreate(RequestModel):
    """`WorkflowScheduleRequest` without the deprecated version / task-queue fields.

    Pass your own `schedule_id` to make a retried create safe (it cannot create two schedules).
    """

    schedule: ScheduleDefinition
    workflow_identifier: str | None = None
    workflow_registration_id: str | None = None
    deployment_name: str | None = None
    schedule_id: str | None = None


class ScheduleRef(UpstreamModel):
    """`WorkflowScheduleResponse`: the answer to create (201) and patch (200)."""

    schedule_id: str


class SchedulePolicyState(UpstreamModel):
    catchup_window_seconds: int = 31_536_000
    overlap: int = 1
    pause_on_failure: bool = False


class ScheduleRecentExecution(UpstreamModel):
    execution_id: str
    scheduled_at: str | None = None
    started_at: str | None = None


class ScheduleFutureExecution(UpstreamModel):
    scheduled_at: str


class Schedule(UpstreamModel):
    """`ScheduleDefinitionOutput`."""

    schedule_id: str
    workflow_name: str
    paused: bool = False
    input: Any = None
    cron_expressions: list[str] = Field(default_factory=list)
    intervals: list[dict[str, Any]] = Field(default_factory=list)
    calendars: list[dict[str, Any]] = Field(default_factory=list)
    skip: list[dict[str, Any]] = Field(default_factory=list)
    start_at: str | None = None
    end_at: str | None = None
    jitter: str | None = None
    time_zone_name: str | None = None
    policy: SchedulePolicyState = Field(default_factory=SchedulePolicyState)
    remaining_executions: int | None = None
    deployment_name: str | None = None
    note: str | None = None
    future_executions: list[ScheduleFutureExecution] = Field(default_factory=list)
    recent_executions: list[ScheduleRecentExecution] = Field(default_factory=list)


class SchedulePage(UpstreamModel):
    """`WorkflowScheduleListResponse` (page_size / next_page_token pagination)."""

    schedules: list[Schedule]
    next_page_token: str | None = None

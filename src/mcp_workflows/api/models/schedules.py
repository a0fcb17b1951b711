"""Schedules: recurring executions of one workflow with a fixed input."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mcp_workflows.api.models.base import RequestModel, UpstreamModel

# 1 SKIP, 2 BUFFER_ONE, 3 BUFFER_ALL, 4 CANCEL_OTHER, 5 TERMINATE_OTHER, 6 ALLOW_ALL
OverlapPolicy = Literal[1, 2, 3, 4, 5, 6]


class ScheduleInterval(RequestModel):
    every: str = Field(description="ISO-8601 duration, e.g. PT30M.")
    offset: str | None = None


class SchedulePolicy(RequestModel):
    catchup_window_seconds: int | None = None
    overlap: OverlapPolicy | None = None
    pause_on_failure: bool | None = None


class ScheduleSpec(RequestModel):
    """`ScheduleDefinition` / `PartialScheduleDefinition`: when to fire and with what input."""

    input: Any = None
    cron_expressions: list[str] | None = None
    intervals: list[ScheduleInterval] | None = None
    calendars: list[dict[str, Any]] | None = None
    skip: list[dict[str, Any]] | None = None
    start_at: str | None = None
    end_at: str | None = None
    jitter: str | None = None
    time_zone_name: str | None = None
    policy: SchedulePolicy | None = None
    max_executions: int | None = None


class ScheduleCreate(RequestModel):
    """`WorkflowScheduleRequest` without the deprecated version / task-queue fields."""

    schedule: ScheduleSpec
    workflow_identifier: str | None = None
    workflow_registration_id: str | None = None
    deployment_name: str | None = None
    schedule_id: str | None = None


class Schedule(UpstreamModel):
    """`ScheduleDefinitionOutput`."""

    schedule_id: str
    workflow_name: str
    paused: bool = False
    input: Any = None
    cron_expressions: list[str] = Field(default_factory=list)
    intervals: list[dict[str, Any]] = Field(default_factory=list)
    calendars: list[dict[str, Any]] = Field(default_factory=list)
    start_at: str | None = None
    end_at: str | None = None
    time_zone_name: str | None = None
    policy: dict[str, Any] = Field(default_factory=dict)
    remaining_executions: int | None = None
    deployment_name: str | None = None
    note: str | None = None
    future_executions: list[Any] = Field(default_factory=list)
    recent_executions: list[dict[str, Any]] = Field(default_factory=list)


class SchedulePage(UpstreamModel):
    schedules: list[Schedule]
    next_page_token: str | None = None

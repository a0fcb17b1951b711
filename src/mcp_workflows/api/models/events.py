"""Workflow events, from the events list and the SSE streams.

Seventeen event types share one envelope; their attributes stay a dict rather than a giant
union, and tools summarise them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mcp_workflows.api.models.base import UpstreamModel

EventSource = Literal["DATABASE", "LIVE", "HYBRID"]
EventScope = Literal["activity", "workflow", "*"]
WorkflowEventType = Literal[
    "WORKFLOW_EXECUTION_STARTED",
    "WORKFLOW_EXECUTION_COMPLETED",
    "WORKFLOW_EXECUTION_FAILED",
    "WORKFLOW_EXECUTION_CANCELED",
    "WORKFLOW_EXECUTION_CONTINUED_AS_NEW",
    "WORKFLOW_TASK_TIMED_OUT",
    "WORKFLOW_TASK_FAILED",
    "CUSTOM_TASK_STARTED",
    "CUSTOM_TASK_IN_PROGRESS",
    "CUSTOM_TASK_COMPLETED",
    "CUSTOM_TASK_FAILED",
    "CUSTOM_TASK_TIMED_OUT",
    "CUSTOM_TASK_CANCELED",
    "ACTIVITY_TASK_STARTED",
    "ACTIVITY_TASK_COMPLETED",
    "ACTIVITY_TASK_RETRYING",
    "ACTIVITY_TASK_FAILED",
]


class WorkflowEvent(UpstreamModel):
    """One event of any of the 17 types: the shared envelope, with `attributes` left as a dict."""

    event_type: str
    event_id: str | None = None
    event_timestamp: int | str | None = None  # integer nanoseconds in the spec; one docs example is ISO
    workflow_name: str | None = None
    workflow_exec_id: str | None = None
    workflow_run_id: str | None = None
    root_workflow_exec_id: str | None = None
    parent_workflow_exec_id: str | None = None
    chain_run_id: str | None = None  # shared by the runs of one execution start (resets, continue-as-new)
    continued_run_id: str | None = None  # the run a continue-as-new run continues
    first_execution_run_id: str | None = None
    schedule_id: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class EventPage(UpstreamModel):
    """`ListWorkflowEventResponse` (cursor pagination)."""

    events: list[WorkflowEvent]
    next_cursor: str | None = None


class StreamWorkflowContext(UpstreamModel):
    """`StreamEventWorkflowContext`: which execution an event belongs to (children share a root)."""

    namespace: str | None = None
    workflow_name: str | None = None
    workflow_exec_id: str | None = None
    parent_workflow_exec_id: str | None = None
    root_workflow_exec_id: str | None = None


class StreamEvent(UpstreamModel):
    """`StreamEventSsePayload`: one event as the streams deliver it.

    `broker_sequence` is monotonic and never reused: resume the events stream with
    `start_seq = broker_sequence + 1`.
    """

    stream: str | None = None
    broker_sequence: int
    timestamp: str | None = None
    workflow_context: StreamWorkflowContext = Field(default_factory=StreamWorkflowContext)
    metadata: dict[str, Any] = Field(default_factory=dict)
    data: WorkflowEvent


class StreamError(UpstreamModel):
    """`StreamEventSseErrorData` / `StreamError`: the payload of an `event: error` frame."""

    error: str
    reason: str = ""

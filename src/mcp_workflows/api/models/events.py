"""Workflow events, from the events list and the SSE streams.

Seventeen event types share one envelope; their attributes stay a dict rather than a giant
union, and tools summarise them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mcp_workflows.api.models.base import UpstreamModel


class WorkflowEvent(UpstreamModel):
    event_type: str
    event_id: str | None = None
    event_timestamp: int | str | None = None
    workflow_name: str | None = None
    workflow_exec_id: str | None = None
    workflow_run_id: str | None = None
    root_workflow_exec_id: str | None = None
    parent_workflow_exec_id: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class EventPage(UpstreamModel):
    events: list[WorkflowEvent]
    next_cursor: str | None = None


class StreamEvent(UpstreamModel):
    """`StreamEventSsePayload`: one event as the streams deliver it."""

    stream: str | None = None
    broker_sequence: int
    timestamp: str | None = None
    workflow_context: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    data: WorkflowEvent

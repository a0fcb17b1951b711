"""Events across executions: a cursor-paginated list and a resumable stream."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp_workflows.api.http import ApiHttp
from mcp_workflows.api.models.events import EventPage, EventScope, WorkflowEventType
from mcp_workflows.api.operations import Operation, Risk
from mcp_workflows.api.streams import Frames, open_stream

LIST_EVENTS = Operation(
    "get_workflow_events_v1_workflows_events_list_get", "GET", "/v1/workflows/events/list", Risk.READ
)
STREAM_EVENTS = Operation(
    "get_stream_events_v1_workflows_events_stream_get", "GET", "/v1/workflows/events/stream", Risk.READ
)


class EventsAPI:
    """`/v1/workflows/events`."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    async def list(
        self,
        *,
        root_workflow_exec_id: str | None = None,
        workflow_exec_id: str | None = None,
        workflow_run_id: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> EventPage:
        """One page of stored events (limit 1-1000, upstream default 100)."""
        params = {k: v for k, v in locals().items() if k != "self"}
        return EventPage.model_validate(await self._http.call(LIST_EVENTS, params=params))

    @asynccontextmanager
    async def stream(
        self,
        *,
        start_seq: int | None = None,
        workflow_name: str | None = None,
        workflow_exec_id: str | None = None,
        root_workflow_exec_id: str | None = None,
        parent_workflow_exec_id: str | None = None,
        scope: EventScope | None = None,
        activity_name: str | None = None,
        activity_id: str | None = None,
        stream: str | None = None,
        workflow_event_types: builtins.list[WorkflowEventType] | None = None,
        metadata_filters: dict[str, Any] | None = None,
        resume: str | None = None,
    ) -> AsyncIterator[Frames]:
        """Events (frames whose data is a `StreamEvent`) from `start_seq` on, inclusive: resume
        with `BoundedRead.next_start_seq` (last broker_sequence + 1), or pass the last SSE id as
        `resume` (sent as the `last-event-id` header). The server keeps the stream open, so read
        it bounded. `metadata_filters` is sent form-exploded (one query parameter per key), as the
        official client sends an object parameter. Filters left out match everything (`*`)."""
        params = {
            # Metadata keys first: a declared parameter of the same name wins.
            **{key: str(value) for key, value in (metadata_filters or {}).items()},
            "start_seq": start_seq,
            "workflow_name": workflow_name,
            "workflow_exec_id": workflow_exec_id,
            "root_workflow_exec_id": root_workflow_exec_id,
            "parent_workflow_exec_id": parent_workflow_exec_id,
            "scope": scope,
            "activity_name": activity_name,
            "activity_id": activity_id,
            "stream": stream,
            "workflow_event_types": [str(t) for t in workflow_event_types] if workflow_event_types else None,
        }
        async with open_stream(self._http, STREAM_EVENTS, params=params, headers={"last-event-id": resume}) as frames:
            yield frames

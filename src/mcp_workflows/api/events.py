"""Events across executions: a cursor-paginated list and a resumable stream."""

from __future__ import annotations

import builtins
import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp_workflows.api.http import ApiHttp
from mcp_workflows.api.models.events import EventPage
from mcp_workflows.api.operations import Operation
from mcp_workflows.api.sse import SSEFrame, open_stream

LIST_EVENTS = Operation("get_workflow_events_v1_workflows_events_list_get", "GET", "/v1/workflows/events/list")
STREAM_EVENTS = Operation("get_stream_events_v1_workflows_events_stream_get", "GET", "/v1/workflows/events/stream")


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
        scope: str | None = None,
        activity_name: str | None = None,
        stream: str | None = None,
        workflow_event_types: builtins.list[str] | None = None,
        metadata_filters: dict[str, Any] | None = None,
    ) -> AsyncIterator[AsyncGenerator[SSEFrame]]:
        """Events from `start_seq` on (inclusive); the server keeps it open, so read it bounded."""
        params = {
            "start_seq": start_seq,
            "workflow_name": workflow_name,
            "workflow_exec_id": workflow_exec_id,
            "root_workflow_exec_id": root_workflow_exec_id,
            "parent_workflow_exec_id": parent_workflow_exec_id,
            "scope": scope,
            "activity_name": activity_name,
            "stream": stream,
            "workflow_event_types": workflow_event_types,
            "metadata_filters": json.dumps(metadata_filters) if metadata_filters else None,
        }
        async with open_stream(self._http, STREAM_EVENTS, params=params) as frames:
            yield frames

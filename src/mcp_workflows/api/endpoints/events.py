"""Endpoints of the `events` area."""

from __future__ import annotations

from mcp_workflows.api.operations import Operation

LIST_EVENTS = Operation("get_workflow_events_v1_workflows_events_list_get", "GET", "/v1/workflows/events/list")
STREAM_EVENTS = Operation("get_stream_events_v1_workflows_events_stream_get", "GET", "/v1/workflows/events/stream")

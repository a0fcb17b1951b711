"""Endpoints of the `observability` area."""

from __future__ import annotations

from mcp_workflows.api.operations import Operation

_ONE = "/v1/workflows/executions/{execution_id}"
TRACE_INFO = Operation("get_workflow_execution_trace_info", "GET", _ONE + "/trace/info")
TRACE_OTEL = Operation("get_workflow_execution_trace_otel", "GET", _ONE + "/trace/otel")
TRACE_SUMMARY = Operation("get_workflow_execution_trace_summary", "GET", _ONE + "/trace/summary")
TRACE_EVENTS = Operation("get_workflow_execution_trace_events", "GET", _ONE + "/trace/events")
EXECUTION_LOGS = Operation("get_workflow_execution_logs", "GET", _ONE + "/logs")
EXECUTION_LOGS_STREAM = Operation("stream_workflow_execution_logs", "GET", _ONE + "/logs/stream")
WORKFLOW_METRICS = Operation(
    "get_workflow_metrics_v1_workflows__workflow_name__metrics_get", "GET", "/v1/workflows/{workflow_name}/metrics"
)

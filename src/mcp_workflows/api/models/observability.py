"""Observability: execution traces (summary, events, OpenTelemetry), logs and workflow metrics.

Traces can be large; these models keep their structure typed where tools read it (spans, events,
times) and leave attribute values and raw OTel batches as plain JSON.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mcp_workflows.api.models.base import UpstreamModel
from mcp_workflows.api.models.executions import Execution


class TraceInfo(UpstreamModel):
    """`ExecutionTraceInfoResponse`."""

    otel_trace_id: str | None = None
    has_trace_data: bool = False


LogOrder = Literal["asc", "desc"]


class LogRecord(UpstreamModel):
    """`ExecutionLogRecord` / `DeploymentLogRecord` (pages and the `log` frames of log streams)."""

    timestamp: str
    severity_text: str = ""
    body: str = ""
    trace_id: str | None = None
    span_id: str | None = None
    log_attributes: dict[str, Any] = Field(default_factory=dict)


class LogPage(UpstreamModel):
    """`ExecutionLogSearchResponse` / `DeploymentLogSearchResponse` (cursor pagination)."""

    results: list[LogRecord]
    next_cursor: str | None = None


class TracedExecution(Execution):
    """The execution fields every trace view repeats."""


class TraceEvent(UpstreamModel):
    """`WorkflowExecutionTraceEvent` (type EVENT) or `WorkflowExecutionProgressTraceEvent` (EVENT_PROGRESS)."""

    id: str
    name: str
    type: Literal["EVENT", "EVENT_PROGRESS"] | str = "EVENT"
    internal: bool = False
    timestamp_unix_nano: int | None = None
    start_time_unix_ms: int | None = None
    end_time_unix_ms: int | None = None
    error: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class TraceSpan(UpstreamModel):
    """`WorkflowExecutionTraceSummarySpan`: a tree of spans."""

    span_id: str
    name: str
    start_time_unix_nano: int | None = None
    end_time_unix_nano: int | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    events: list[TraceEvent] = Field(default_factory=list)
    children: list[TraceSpan] = Field(default_factory=list)


class TraceSummary(TracedExecution):
    """`WorkflowExecutionTraceSummaryResponse`."""

    span_tree: TraceSpan | None = None


class TraceEvents(TracedExecution):
    """`WorkflowExecutionTraceEventsResponse`: a flat list of events."""

    events: list[TraceEvent] = Field(default_factory=list)


class TraceOtel(TracedExecution):
    """`WorkflowExecutionTraceOTelResponse`: `otel_trace_data` is Tempo-format `{batches: [...]}`."""

    data_source: str | None = None
    otel_trace_id: str | None = None
    otel_trace_data: dict[str, Any] | None = None


class ScalarMetric(UpstreamModel):
    value: int | float


class TimeSeriesMetric(UpstreamModel):
    """Pairs of (timestamp, value)."""

    value: list[tuple[int, int | float]] = Field(default_factory=list)


class WorkflowMetrics(UpstreamModel):
    """`WorkflowMetrics`."""

    execution_count: ScalarMetric
    success_count: ScalarMetric
    error_count: ScalarMetric
    average_latency_ms: ScalarMetric
    retry_rate: ScalarMetric
    latency_over_time: TimeSeriesMetric = Field(default_factory=TimeSeriesMetric)

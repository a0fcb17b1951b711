"""Observability: execution traces (four views), execution logs (page and stream), workflow metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.observability import (
    LogOrder,
    LogPage,
    TraceEvents,
    TraceInfo,
    TraceOtel,
    TraceSummary,
    WorkflowMetrics,
)
from mcp_workflows.api.operations import Operation, Risk
from mcp_workflows.api.streams import Frames, open_stream

_ONE = "/v1/workflows/executions/{execution_id}"
TRACE_INFO = Operation("get_workflow_execution_trace_info", "GET", _ONE + "/trace/info", Risk.READ)
TRACE_OTEL = Operation("get_workflow_execution_trace_otel", "GET", _ONE + "/trace/otel", Risk.READ)
TRACE_SUMMARY = Operation("get_workflow_execution_trace_summary", "GET", _ONE + "/trace/summary", Risk.READ)
TRACE_EVENTS = Operation("get_workflow_execution_trace_events", "GET", _ONE + "/trace/events", Risk.READ)
EXECUTION_LOGS = Operation("get_workflow_execution_logs", "GET", _ONE + "/logs", Risk.READ)
EXECUTION_LOGS_STREAM = Operation("stream_workflow_execution_logs", "GET", _ONE + "/logs/stream", Risk.READ)
WORKFLOW_METRICS = Operation(
    "get_workflow_metrics_v1_workflows__workflow_name__metrics_get",
    "GET",
    "/v1/workflows/{workflow_name}/metrics",
    Risk.READ,
)


class ObservabilityAPI:
    """Traces, logs and metrics: large payloads, summarised by the tools that read them."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    def _execution(self, execution_id: str) -> dict[str, Any]:
        return {"path_params": {"execution_id": execution_id}, "target": Target("execution", execution_id)}

    async def trace_info(self, execution_id: str) -> TraceInfo:
        """Whether a trace exists, and its OpenTelemetry trace id."""
        return TraceInfo.model_validate(await self._http.call(TRACE_INFO, **self._execution(execution_id)))

    async def trace_otel(self, execution_id: str) -> TraceOtel:
        """The raw OpenTelemetry trace (Tempo format); large."""
        return TraceOtel.model_validate(await self._http.call(TRACE_OTEL, **self._execution(execution_id)))

    async def trace_summary(self, execution_id: str) -> TraceSummary:
        """The span tree, with the execution's result."""
        return TraceSummary.model_validate(await self._http.call(TRACE_SUMMARY, **self._execution(execution_id)))

    async def trace_events(
        self,
        execution_id: str,
        *,
        include_internal_events: bool | None = None,
        merge_same_id_events: bool | None = None,
    ) -> TraceEvents:
        """A flat list of the trace's events."""
        data = await self._http.call(
            TRACE_EVENTS,
            params={"include_internal_events": include_internal_events, "merge_same_id_events": merge_same_id_events},
            **self._execution(execution_id),
        )
        return TraceEvents.model_validate(data)

    async def execution_logs(
        self,
        execution_id: str,
        *,
        run_id: str | None = None,
        activity_id: str | None = None,
        after: str | None = None,
        before: str | None = None,
        order: LogOrder | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> LogPage:
        """One page of logs. `after`/`before` (ISO times) and `order` apply to the first page only:
        `cursor` carries them."""
        params = {
            "run_id": run_id,
            "activity_id": activity_id,
            "after": after,
            "before": before,
            "order": order,
            "cursor": cursor,
            "limit": limit,
        }
        data = await self._http.call(EXECUTION_LOGS, params=params, **self._execution(execution_id))
        return LogPage.model_validate(data)

    @asynccontextmanager
    async def execution_logs_stream(
        self,
        execution_id: str,
        *,
        run_id: str | None = None,
        activity_id: str | None = None,
        after: str | None = None,
        resume: str | None = None,
    ) -> AsyncIterator[Frames]:
        """Live logs (`log` frames whose data is a `LogRecord`). `after` is an ISO time to start a
        fresh stream at; `resume` is the SSE id of the last frame seen (`BoundedRead.cursor`), sent
        as the `last_event_id` query parameter (as the official client does), which wins over `after`.
        404 / 503 raise before any frame."""
        params = {"run_id": run_id, "activity_id": activity_id, "after": after, "last_event_id": resume}
        async with open_stream(
            self._http, EXECUTION_LOGS_STREAM, params=params, **self._execution(execution_id)
        ) as frames:
            yield frames

    async def metrics(
        self, workflow_name: str, *, start_time: str | None = None, end_time: str | None = None
    ) -> WorkflowMetrics:
        """Counts, latency and retry rate of a workflow's executions started in the window (ISO times)."""
        data = await self._http.call(
            WORKFLOW_METRICS,
            path_params={"workflow_name": workflow_name},
            params={"start_time": start_time, "end_time": end_time},
            target=Target("workflow", workflow_name),
        )
        return WorkflowMetrics.model_validate(data)

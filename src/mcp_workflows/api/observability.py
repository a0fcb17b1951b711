"""Observability: execution traces (four views), execution logs, workflow metrics."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.executions import LogPage, TraceInfo
from mcp_workflows.api.operations import Operation
from mcp_workflows.api.sse import SSEFrame, open_stream

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


class ObservabilityAPI:
    """Traces, logs and metrics: large payloads, summarised by the tools that read them."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    def _execution(self, execution_id: str) -> dict[str, Any]:
        return {"path_params": {"execution_id": execution_id}, "target": Target("execution", execution_id)}

    async def trace_info(self, execution_id: str) -> TraceInfo:
        return TraceInfo.model_validate(await self._http.call(TRACE_INFO, **self._execution(execution_id)))

    async def trace_otel(self, execution_id: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._http.call(TRACE_OTEL, **self._execution(execution_id))
        return data

    async def trace_summary(self, execution_id: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._http.call(TRACE_SUMMARY, **self._execution(execution_id))
        return data

    async def trace_events(
        self,
        execution_id: str,
        *,
        include_internal_events: bool | None = None,
        merge_same_id_events: bool | None = None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = await self._http.call(
            TRACE_EVENTS,
            params={"include_internal_events": include_internal_events, "merge_same_id_events": merge_same_id_events},
            **self._execution(execution_id),
        )
        return data

    async def execution_logs(
        self,
        execution_id: str,
        *,
        run_id: str | None = None,
        activity_id: str | None = None,
        after: str | None = None,
        before: str | None = None,
        order: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> LogPage:
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
        self, execution_id: str, *, run_id: str | None = None, after: str | None = None, resume: str | None = None
    ) -> AsyncIterator[AsyncGenerator[SSEFrame]]:
        """Live logs; `resume` is the SSE id of the last record seen (sent as Last-Event-ID)."""
        async with open_stream(
            self._http,
            EXECUTION_LOGS_STREAM,
            params={"run_id": run_id, "after": after},
            headers={"Last-Event-ID": resume} if resume else None,
            **self._execution(execution_id),
        ) as frames:
            yield frames

    async def metrics(
        self, workflow_name: str, *, start_time: str | None = None, end_time: str | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = await self._http.call(
            WORKFLOW_METRICS,
            path_params={"workflow_name": workflow_name},
            params={"start_time": start_time, "end_time": end_time},
            target=Target("workflow", workflow_name),
        )
        return data

"""The `observability` toolset: traces (four views in one tool), logs, metrics; all summarised."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_workflows.api.models.executions import LogRecord
from mcp_workflows.api.models.observability import TraceSpan
from mcp_workflows.api.sse import read_bounded
from mcp_workflows.server.state import app_state
from mcp_workflows.server.toolsets.common import Cursor, ExecutionId, NextCursor, ToolResult, capped

FollowSeconds = Annotated[float, Field(ge=0, le=50, description="Follow live logs this long (max 50).")]
MAX_SPANS = 50
RAW_LIMIT = 50_000


class Span(ToolResult):
    name: str
    depth: int
    duration_ms: float | None = None
    status: str | None = None


class TraceEvent(ToolResult):
    id: str | None = None
    name: str
    time_ns: int | None = None
    internal: bool | None = None


class Trace(ToolResult):
    view: str
    status: str | None = None
    duration_ms: int | None = None
    has_trace_data: bool | None = None
    spans: list[Span] = Field(default_factory=list)
    events: list[TraceEvent] = Field(default_factory=list)
    raw: Any = None
    note: str | None = None


class LogLine(ToolResult):
    time: str
    level: str
    message: str


class LogPage(ToolResult):
    logs: list[LogLine]
    next_cursor: NextCursor = None
    note: str | None = None


class Metrics(ToolResult):
    executions: float | None = None
    succeeded: float | None = None
    failed: float | None = None
    average_latency_ms: float | None = None
    retry_rate: float | None = None
    latency_over_time: list[Any] = Field(default_factory=list)
    note: str | None = None


async def get_execution_trace(
    ctx: Context,
    execution_id: ExecutionId,
    view: Annotated[
        Literal["summary", "events", "info", "otel"],
        Field(description="summary: span tree; events: event list (reset points); info; otel: raw spans."),
    ] = "summary",
    include_internal: Annotated[bool, Field(description="events view: include internal events.")] = False,
    raw: Annotated[bool, Field(description="Upstream data as is (size-capped).")] = False,
) -> Trace:
    """Read an execution's trace: a span tree, its events (WORKFLOW_TASK_COMPLETED ids are reset
    points for reset_execution), whether trace data exists, or the raw OpenTelemetry spans."""
    api = app_state(ctx).api.observability
    if view == "info":
        info = await api.trace_info(execution_id)
        return Trace(view=view, has_trace_data=info.has_trace_data)
    if view == "events":
        events = await api.trace_events(execution_id, include_internal_events=include_internal)
        trace = Trace(view=view, status=events.status, duration_ms=events.total_duration_ms)
        if raw:
            return _raw(trace, events.model_dump(mode="json"))
        lines = [
            TraceEvent(id=e.id, name=e.name, time_ns=e.timestamp_unix_nano, internal=e.internal or None)
            for e in events.events
        ]
        note = f"{len(lines) - 200} more events cut; use raw=true" if len(lines) > 200 else None
        return trace.model_copy(update={"events": lines[:200], "note": note})
    if view == "otel":
        otel = await api.trace_otel(execution_id)
        trace = Trace(view=view, status=otel.status, duration_ms=otel.total_duration_ms)
        return _raw(trace, otel.model_dump(mode="json") if raw else _otel_summary(otel.otel_trace_data or {}))
    summary = await api.trace_summary(execution_id)
    trace = Trace(view=view, status=summary.status, duration_ms=summary.total_duration_ms)
    if raw:
        return _raw(trace, summary.model_dump(mode="json"))
    spans: list[Span] = []
    _walk(summary.span_tree, 0, spans)
    note = f"{len(spans) - MAX_SPANS} more spans cut; use raw=true" if len(spans) > MAX_SPANS else None
    return trace.model_copy(update={"spans": spans[:MAX_SPANS], "note": note})


def _raw(trace: Trace, data: Any) -> Trace:
    value, note = capped(data, RAW_LIMIT, "trace", "a narrower view")
    return trace.model_copy(update={"raw": value, "note": note})


def _walk(node: TraceSpan | None, depth: int, out: list[Span]) -> None:
    if node is None:
        return
    start, end = node.start_time_unix_nano, node.end_time_unix_nano
    duration = (end - start) / 1e6 if start is not None and end is not None else None
    status = node.attributes.get("status")
    out.append(Span(name=node.name, depth=depth, duration_ms=duration, status=str(status) if status else None))
    for child in node.children:
        _walk(child, depth + 1, out)


def _otel_summary(data: dict[str, Any]) -> dict[str, Any]:
    batches = data.get("batches") or []
    spans = [
        s
        for b in batches
        for scope in b.get("scopeSpans", b.get("instrumentationLibrarySpans", []))
        for s in scope.get("spans", [])
    ]
    return {
        "otel_trace_id": data.get("otel_trace_id"),
        "batches": len(batches),
        "spans": len(spans),
        "span_names": sorted({str(s.get("name")) for s in spans})[:50],
        "hint": "raw=true returns the spans",
    }


async def get_execution_logs(
    ctx: Context,
    execution_id: ExecutionId,
    run_id: Annotated[str | None, Field(max_length=64, description="Only this run (from list_runs).")] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Field(ge=1, le=100, description="Log lines, 1-100.")] = 50,
    follow_seconds: FollowSeconds = 0,
) -> LogPage:
    """Read an execution's logs, oldest first; with follow_seconds, wait for new lines (bounded).
    Pass next_cursor back as cursor for more (keep follow_seconds when following)."""
    api = app_state(ctx).api.observability
    if follow_seconds <= 0:
        page = await api.execution_logs(execution_id, run_id=run_id, cursor=cursor, limit=limit)
        return LogPage(logs=[_line(r) for r in page.results], next_cursor=page.next_cursor)
    async with api.execution_logs_stream(execution_id, run_id=run_id, resume=cursor) as frames:
        read = await read_bounded(frames, max_events=limit, max_seconds=follow_seconds)
    lines = [_line(LogRecord.model_validate(f.json())) for f in read.frames if f.event in (None, "log")]
    note = f"stream error: {read.error.detail}" if read.error else ("stream ended" if read.ended else None)
    return LogPage(logs=lines, next_cursor=read.last_id or cursor, note=note)


def _line(record: LogRecord) -> LogLine:
    return LogLine(time=record.timestamp, level=record.severity_text, message=record.body[:500])


async def get_workflow_metrics(
    ctx: Context,
    workflow_name: Annotated[str, Field(min_length=1, max_length=256, description="Workflow name.")],
    start_time: Annotated[str | None, Field(max_length=40, description="ISO time.")] = None,
    end_time: Annotated[str | None, Field(max_length=40, description="ISO time.")] = None,
    raw: Annotated[bool, Field(description="Every latency point, not 20.")] = False,
) -> Metrics:
    """Execution, success and error counts, average latency and retry rate of a workflow."""
    metrics = await app_state(ctx).api.observability.metrics(workflow_name, start_time=start_time, end_time=end_time)
    points: list[Any] = list(metrics.latency_over_time.value)
    note = None
    if not raw and len(points) > 20:
        step = len(points) / 20
        points = [points[int(i * step)] for i in range(20)]
        note = "latency_over_time sampled to 20 points; raw=true has them all"
    return Metrics(
        executions=metrics.execution_count.value,
        succeeded=metrics.success_count.value,
        failed=metrics.error_count.value,
        average_latency_ms=metrics.average_latency_ms.value,
        retry_rate=metrics.retry_rate.value,
        latency_over_time=points,
        note=note,
    )


DESCRIBE: dict[str, Any] = {}
TOOLS = {fn.__name__: fn for fn in (get_execution_trace, get_execution_logs, get_workflow_metrics)}

"""The `observability` toolset: traces (four views in one tool), logs, metrics; all summarised."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_workflows.api.models.observability import LogRecord, TraceSpan
from mcp_workflows.api.observability import (
    EXECUTION_LOGS,
    EXECUTION_LOGS_STREAM,
    TRACE_EVENTS,
    TRACE_INFO,
    TRACE_OTEL,
    TRACE_SUMMARY,
    WORKFLOW_METRICS,
)
from mcp_workflows.api.operations import Risk
from mcp_workflows.api.streams import parse_frame, read_bounded
from mcp_workflows.server.catalog import Target, tool
from mcp_workflows.server.state import app_state
from mcp_workflows.server.tools.shared import (
    Cursor,
    ExecutionId,
    NextCursor,
    RunIdFilter,
    Since,
    ToolResult,
    Until,
    WorkflowIdentifier,
    capped,
    iso,
    iso_from_ns,
    join_notes,
    workflow_name_of,
)

MAX_SPANS = 50
MAX_EVENTS = 200
MAX_POINTS = 20
MESSAGE_CHARS = 500
RAW_LIMIT = 50_000

# ---------------------------------------------------------------- results


class Span(ToolResult):
    name: str
    duration_ms: float | None = None
    status: str | None = None
    children: list[Any] | None = None


class TraceEvent(ToolResult):
    type: str | None = None
    id: str
    time: str | None = None
    name: str


class Trace(ToolResult):
    status: str | None = None
    duration_ms: int | None = None
    has_trace_data: bool | None = None
    span: Span | None = None
    events: list[TraceEvent] | None = None
    span_count: int | None = None
    services: list[str] | None = None
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
    executions: int
    succeeded: int
    failed: int
    average_latency_ms: float
    retry_rate: float
    latency_over_time: list[Any] = Field(default_factory=list)
    note: str | None = None


# ---------------------------------------------------------------- tools


@tool(
    Risk.READ,
    "Get an execution's trace",
    operations=(TRACE_SUMMARY, TRACE_EVENTS, TRACE_INFO, TRACE_OTEL),
    target=Target("execution", "execution_id"),
)
async def get_execution_trace(
    ctx: Context,
    execution_id: ExecutionId,
    view: Annotated[
        Literal["summary", "events", "info", "otel"],
        Field(description="summary: span tree; events; info: has trace?; otel."),
    ] = "summary",
    include_internal: Annotated[bool, Field(description="events view: internal events too.")] = False,
    raw: Annotated[bool, Field(description="Upstream data as is (size-capped).")] = False,
) -> Trace:
    """Read an execution's trace (execution_id from list_executions). view=events with include_internal
    lists WORKFLOW_TASK_COMPLETED event ids, the reset points of reset_execution."""
    api = app_state(ctx).api.observability
    if view == "info":
        info = await api.trace_info(execution_id)
        return Trace(has_trace_data=info.has_trace_data)
    if view == "events":
        events = await api.trace_events(execution_id, include_internal_events=include_internal)
        trace = Trace(status=events.status, duration_ms=events.total_duration_ms)
        if raw:
            return _raw(trace, events.model_dump(mode="json"))
        lines = [
            TraceEvent(type=e.type, id=e.id, time=iso_from_ns(e.timestamp_unix_nano), name=e.name)
            for e in events.events
        ]
        cut = len(lines) - MAX_EVENTS
        note = f"{cut} more events cut; raw=true has them (size-capped)" if cut > 0 else None
        return trace.model_copy(update={"events": lines[:MAX_EVENTS], "note": note})
    if view == "otel":
        otel = await api.trace_otel(execution_id)
        trace = Trace(status=otel.status, duration_ms=otel.total_duration_ms)
        if raw:
            return _raw(trace, otel.model_dump(mode="json"))
        count, services = _otel_summary(otel.otel_trace_data or {})
        return trace.model_copy(
            update={"span_count": count, "services": services, "note": "otel summarised; raw=true returns the spans"}
        )
    summary = await api.trace_summary(execution_id)
    trace = Trace(status=summary.status, duration_ms=summary.total_duration_ms)
    if raw:
        return _raw(trace, summary.model_dump(mode="json"))
    budget = [MAX_SPANS]
    root = _tree(summary.span_tree, budget) if summary.span_tree else None
    total = _count(summary.span_tree)
    note = f"{total - MAX_SPANS} of {total} spans cut; raw=true has them" if total > MAX_SPANS else None
    return trace.model_copy(update={"span": root, "note": note})


def _raw(trace: Trace, data: Any) -> Trace:
    value, note = capped(data, RAW_LIMIT, "trace", "a narrower view")
    return trace.model_copy(update={"raw": value, "note": note})


def _tree(node: TraceSpan, budget: list[int]) -> Span:
    """The span and as many descendants as the budget allows (depth first)."""
    budget[0] -= 1
    start, end = node.start_time_unix_nano, node.end_time_unix_nano
    duration = round((end - start) / 1e6, 3) if start is not None and end is not None else None
    status = node.attributes.get("status")
    children: list[Any] = []
    for child in node.children:
        if budget[0] <= 0:
            break
        children.append(_tree(child, budget).model_dump(mode="json"))
    return Span(name=node.name, duration_ms=duration, status=str(status) if status else None, children=children or None)


def _count(node: TraceSpan | None) -> int:
    return 0 if node is None else 1 + sum(_count(child) for child in node.children)


def _otel_summary(data: dict[str, Any]) -> tuple[int, list[str]]:
    """(span count, service names) of a Tempo-format trace."""
    count = 0
    services: set[str] = set()
    for batch in data.get("batches") or []:
        if not isinstance(batch, dict):
            continue
        for attribute in (batch.get("resource") or {}).get("attributes") or []:
            if isinstance(attribute, dict) and attribute.get("key") == "service.name":
                services.add(str((attribute.get("value") or {}).get("stringValue")))
        for scope in batch.get("scopeSpans", batch.get("instrumentationLibrarySpans")) or []:
            count += len(scope.get("spans") or []) if isinstance(scope, dict) else 0
    return count, sorted(services)[:20]


@tool(
    Risk.READ,
    "Read an execution's logs",
    operations=(EXECUTION_LOGS, EXECUTION_LOGS_STREAM),
    target=Target("execution", "execution_id"),
)
async def get_execution_logs(
    ctx: Context,
    execution_id: ExecutionId,
    run_id: RunIdFilter = None,
    cursor: Cursor = None,
    limit: Annotated[int, Field(ge=1, le=100, description="Log lines, 1-100.")] = 50,
    follow_seconds: Annotated[float, Field(ge=0, le=50, description="Follow live (seconds).")] = 0,
) -> LogPage:
    """Read an execution's logs, oldest first, or live for follow_seconds. Pass next_cursor back as
    cursor for more (same follow_seconds mode)."""
    api = app_state(ctx).api.observability
    run = str(run_id) if run_id else None
    if follow_seconds <= 0:
        page = await api.execution_logs(execution_id, run_id=run, cursor=cursor, limit=limit)
        lines = [_line(r) for r in page.results]
        return LogPage(logs=lines, next_cursor=page.next_cursor, note=_cut_note(page.results))
    async with api.execution_logs_stream(execution_id, run_id=run, resume=cursor) as frames:
        read = await read_bounded(frames, max_events=limit, max_seconds=follow_seconds, after=cursor)
    parsed = (parse_frame(frame, LogRecord) for frame in read.frames if frame.event in ("message", "log"))
    records = [record for record in parsed if record is not None]
    if read.error:
        status = f"stream error: {read.error.detail}; call again with cursor to resume"
    elif read.ended:
        status = "the stream ended"
    elif len(read.frames) >= limit:
        status = "limit reached; call again with cursor and follow_seconds for more"
    else:
        status = None
    return LogPage(
        logs=[_line(r) for r in records], next_cursor=read.cursor, note=join_notes(status, _cut_note(records))
    )


def _line(record: LogRecord) -> LogLine:
    return LogLine(time=record.timestamp, level=record.severity_text, message=record.body[:MESSAGE_CHARS])


def _cut_note(records: list[LogRecord]) -> str | None:
    cut = sum(1 for r in records if len(r.body) > MESSAGE_CHARS)
    return f"{cut} message(s) cut to {MESSAGE_CHARS} characters" if cut else None


@tool(
    Risk.READ,
    "Get workflow metrics",
    operations=(WORKFLOW_METRICS,),
    target=Target("workflow", "workflow"),
)
async def get_workflow_metrics(
    ctx: Context,
    workflow: WorkflowIdentifier,
    since: Since = None,
    until: Until = None,
    raw: Annotated[bool, Field(description="Every latency point.")] = False,
) -> Metrics:
    """A workflow's execution, success and error counts, average latency and retry rate, for the
    executions started between since and until (all of them by default)."""
    state = app_state(ctx)
    name = await workflow_name_of(state, workflow)
    assert name is not None
    metrics = await state.api.observability.metrics(name, start_time=iso(since), end_time=iso(until))
    points: list[Any] = [list(p) for p in metrics.latency_over_time.value]
    note = None
    if not raw and len(points) > MAX_POINTS:
        step = len(points) / MAX_POINTS
        note = f"latency_over_time sampled to {MAX_POINTS} of {len(points)} points; raw=true has them all"
        points = [points[int(i * step)] for i in range(MAX_POINTS)]
    value, cut = capped(points, RAW_LIMIT, "latency_over_time", "a narrower time window")
    return Metrics(
        executions=int(metrics.execution_count.value),
        succeeded=int(metrics.success_count.value),
        failed=int(metrics.error_count.value),
        average_latency_ms=float(metrics.average_latency_ms.value),
        retry_rate=float(metrics.retry_rate.value),
        latency_over_time=value if isinstance(value, list) else [],
        note=join_notes(note, cut),
    )

"""Trace views (OTel/Tempo, span tree, flat events) derived from a run's recorded events."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .ids import nanos
from .models import ExecutionRecord, RunRecord, StreamEvent
from .store import Store

# `WorkflowExecutionTraceEvent`: a span's events carry no progress fields (those are for /trace/events only).
TRACE_EVENT_KEYS = frozenset({"type", "name", "id", "timestamp_unix_nano", "attributes", "internal"})


def _span_id(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:16]


def _scalar(value: Any) -> Any:
    """Trace attribute values are scalars or lists; nested objects become JSON text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def run_events(store: Store, run: RunRecord) -> list[StreamEvent]:
    """The published events of one run, in order."""
    return [e for e in store.events if e.run_id == run.run_id]


def _activity_spans(events: list[StreamEvent]) -> list[tuple[str, str, int, int | None]]:
    """(activity_id, name, start ns, end ns) for every activity of the run."""
    spans: dict[str, list[Any]] = {}
    for e in events:
        if e.activity_id is None:
            continue
        if e.event_type == "ACTIVITY_TASK_STARTED":
            spans[e.activity_id] = [e.activity_id, e.activity_name or "activity", nanos(e.timestamp), None]
        elif e.activity_id in spans:
            spans[e.activity_id][3] = nanos(e.timestamp)
    return [(s[0], s[1], s[2], s[3]) for s in spans.values()]


def _end_ns(run: RunRecord) -> int | None:
    return None if run.end_time is None else nanos(run.end_time)


def trace_events(
    store: Store, execution: ExecutionRecord, run: RunRecord, include_internal: bool, merge_same_id: bool
) -> list[dict[str, Any]]:
    """`WorkflowExecutionTraceEvent`s (and progress events for custom tasks) of one run."""
    out: list[dict[str, Any]] = []
    progress: dict[str, dict[str, Any]] = {}
    for e in run_events(store, run):
        attrs = {k: _scalar(v) for k, v in e.data["attributes"].items()}
        if e.event_type.startswith("CUSTOM_TASK_"):
            task_id = str(e.data["attributes"]["custom_task_id"])
            status = {"CUSTOM_TASK_COMPLETED": "COMPLETED", "CUSTOM_TASK_FAILED": "FAILED"}.get(e.event_type, "RUNNING")
            ms = nanos(e.timestamp) // 1_000_000
            item = {
                "type": "EVENT_PROGRESS",
                "name": e.event_type,
                "id": task_id if merge_same_id else e.data["event_id"],
                "timestamp_unix_nano": nanos(e.timestamp),
                "attributes": attrs,
                "internal": False,
                "status": status,
                "start_time_unix_ms": progress[task_id]["start_time_unix_ms"] if task_id in progress else ms,
                "end_time_unix_ms": None if status == "RUNNING" else ms,
                "error": e.data["attributes"]["failure"]["message"] if status == "FAILED" else None,
            }
            if merge_same_id and task_id in progress:
                progress[task_id].update(item)
                continue
            progress[task_id] = item
            out.append(item)
            continue
        out.append(
            {
                "type": "EVENT",
                "name": e.event_type,
                "id": e.data["event_id"],
                "timestamp_unix_nano": nanos(e.timestamp),
                "attributes": attrs,
                "internal": False,
            }
        )
    if include_internal:
        for h in run.history:
            if h["eventType"] != "WorkflowTaskCompleted":
                continue
            out.append(
                {
                    "type": "EVENT",
                    "name": "WORKFLOW_TASK_COMPLETED",
                    "id": str(h["eventId"]),
                    "timestamp_unix_nano": _iso_nanos(h["eventTime"]),
                    "attributes": {"event_id": h["eventId"], "event_type": "WORKFLOW_TASK_COMPLETED"},
                    "internal": True,
                }
            )
        out.sort(key=lambda item: int(item["timestamp_unix_nano"]))
    return out


def _iso_nanos(text: str) -> int:
    from datetime import datetime

    return nanos(datetime.fromisoformat(text.replace("Z", "+00:00")))


def summary_tree(store: Store, execution: ExecutionRecord, run: RunRecord) -> dict[str, Any]:
    """`WorkflowExecutionTraceSummarySpan`: the workflow span with one child per activity."""
    events = run_events(store, run)
    children: list[dict[str, Any]] = [
        {
            "span_id": _span_id(run.run_id, activity_id),
            "name": f"RunActivity:{name}",
            "start_time_unix_nano": start,
            "end_time_unix_nano": end,
            "attributes": {"activity_id": activity_id, "activity_name": name},
            "events": [],
            "children": [],
        }
        for activity_id, name, start, end in _activity_spans(events)
    ]
    return {
        "span_id": _span_id(run.run_id),
        "name": f"RunWorkflow:{execution.workflow_name}",
        "start_time_unix_nano": nanos(run.start_time),
        "end_time_unix_nano": _end_ns(run),
        "attributes": {
            "workflow_name": execution.workflow_name,
            "execution_id": execution.execution_id,
            "run_id": run.run_id,
            "status": run.status,
        },
        "events": [
            {k: v for k, v in e.items() if k in TRACE_EVENT_KEYS}
            for e in trace_events(store, execution, run, False, False)
        ],
        "children": children,
    }


def _attr(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def otel_trace(store: Store, execution: ExecutionRecord, run: RunRecord) -> dict[str, Any]:
    """`TempoGetTraceResponse` with a workflow span and its activity spans."""
    end = _end_ns(run) or nanos(run.start_time)
    root_id = _span_id(run.run_id)
    spans: list[dict[str, Any]] = [
        {
            "traceId": run.trace_id,
            "spanId": root_id,
            "parentSpanId": None,
            "name": f"RunWorkflow:{execution.workflow_name}",
            "kind": "SPAN_KIND_SERVER",
            "startTimeUnixNano": str(nanos(run.start_time)),
            "endTimeUnixNano": str(end),
            "attributes": [_attr("workflow.name", execution.workflow_name), _attr("run.status", run.status)],
            "events": [],
        }
    ]
    for activity_id, name, start, stop in _activity_spans(run_events(store, run)):
        spans.append(
            {
                "traceId": run.trace_id,
                "spanId": _span_id(run.run_id, activity_id),
                "parentSpanId": root_id,
                "name": f"RunActivity:{name}",
                "kind": "SPAN_KIND_INTERNAL",
                "startTimeUnixNano": str(start),
                "endTimeUnixNano": str(stop or start),
                "attributes": [_attr("activity.name", name)],
                "events": [],
            }
        )
    return {
        "batches": [
            {
                "resource": {"attributes": [_attr("service.name", "mcp-workflows-sandbox")]},
                "scopeSpans": [{"scope": {"name": "mcp-workflows-sandbox"}, "spans": spans}],
            }
        ]
    }

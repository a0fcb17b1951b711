"""The `events` toolset: what happened across executions, as a page or a bounded live follow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, cast, get_args

import pydantic_core
from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_workflows.api.events import LIST_EVENTS, STREAM_EVENTS
from mcp_workflows.api.models.events import WorkflowEvent, WorkflowEventType
from mcp_workflows.api.operations import Risk
from mcp_workflows.api.streams import read_bounded
from mcp_workflows.server.catalog import tool
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.state import app_state
from mcp_workflows.server.tools.shared import (
    Cursor,
    NextCursor,
    RunIdFilter,
    ToolResult,
    WorkflowFilter,
    capped,
    iso_from_ns,
    join_notes,
    workflow_name_of,
)

EVENT_TYPES: frozenset[str] = frozenset(get_args(WorkflowEventType))
SUMMARY_CHARS = 200
RAW_LIMIT = 50_000


class EventLine(ToolResult):
    type: str
    seq: int | None = None
    time: str | None = None
    execution_id: str | None = None
    summary: str | None = None
    attributes: Any = None


class EventPage(ToolResult):
    events: list[EventLine]
    next_cursor: NextCursor = None
    next_start_seq: int | None = None
    note: str | None = None


@tool(Risk.READ, "Read workflow events", operations=(LIST_EVENTS, STREAM_EVENTS))
async def list_events(
    ctx: Context,
    execution_id: Annotated[
        str | None, Field(max_length=256, description="Only this execution's events (from list_executions).")
    ] = None,
    include_children: Annotated[
        bool, Field(description="With execution_id: its child executions' events too.")
    ] = False,
    run_id: RunIdFilter = None,
    cursor: Cursor = None,
    limit: Annotated[int, Field(ge=1, le=200, description="1-200.")] = 50,
    follow_seconds: Annotated[float, Field(ge=0, le=50, description="Follow live (seconds).")] = 0,
    start_seq: Annotated[int | None, Field(ge=0, description="follow: next_start_seq.")] = None,
    workflow: WorkflowFilter = None,
    event_types: Annotated[
        list[Annotated[str, Field(max_length=40)]] | None,
        Field(max_length=17, description="Only these types, e.g. ACTIVITY_TASK_FAILED."),
    ] = None,
    raw: Annotated[bool, Field(description="Include attributes (size-capped).")] = False,
) -> EventPage:
    """Read workflow events (activities, progress, failures with their message). Pass next_cursor
    back as cursor for more; to follow live, follow_seconds with start_seq=next_start_seq."""
    types = _checked_types(event_types)
    state = app_state(ctx)
    api = state.api.events
    workflow_name = await workflow_name_of(state, workflow)
    run = str(run_id) if run_id else None
    root, one = (execution_id, None) if include_children else (None, execution_id)
    if follow_seconds <= 0:
        if start_seq is not None:
            raise ToolInputError("start_seq needs follow_seconds > 0; to page through stored events pass cursor.")
        page = await api.list(
            workflow_exec_id=one, root_workflow_exec_id=root, workflow_run_id=run, cursor=cursor, limit=limit
        )
        kept = [(e, None) for e in page.events if _matches(e, workflow_name, None, types)]
        filtered = len(kept) < len(page.events)
        lines, cut = _lines(kept, raw)
        note = "filtered on this page only; more may follow on next_cursor" if filtered else None
        return EventPage(events=lines, next_cursor=page.next_cursor, note=join_notes(note, cut))
    if cursor is not None:
        raise ToolInputError("cursor pages stored events; to follow live pass start_seq (next_start_seq) instead.")
    async with api.stream(
        start_seq=start_seq,
        workflow_exec_id=one,
        root_workflow_exec_id=root,
        workflow_name=workflow_name,
        workflow_event_types=types,
    ) as frames:
        read = await read_bounded(frames, max_events=limit, max_seconds=follow_seconds)
    seen = [(e.data, e.broker_sequence) for e in read.events()]
    lines, cut = _lines([(e, s) for e, s in seen if _matches(e, None, run, None)], raw)
    if read.error:
        status = f"stream error: {read.error.detail}; resume with next_start_seq"
    elif len(read.frames) >= limit:
        status = "limit reached; pass next_start_seq as start_seq for more"
    else:
        status = None
    next_seq = read.next_start_seq if read.next_start_seq is not None else (start_seq or 0)
    return EventPage(events=lines, next_start_seq=next_seq, note=join_notes(status, cut))


def _checked_types(event_types: list[str] | None) -> list[WorkflowEventType] | None:
    if not event_types:
        return None
    unknown = sorted(set(event_types) - EVENT_TYPES)
    if unknown:
        raise ToolInputError(
            f"event_types: unknown {', '.join(unknown)}; valid types: {', '.join(sorted(EVENT_TYPES))}."
        )
    return [cast(WorkflowEventType, t) for t in dict.fromkeys(event_types)]


def _matches(
    event: WorkflowEvent, workflow_name: str | None, run_id: str | None, types: list[WorkflowEventType] | None
) -> bool:
    """Filters the upstream call could not apply (the list has no name or type filter, the stream no run)."""
    return (
        (workflow_name is None or event.workflow_name == workflow_name)
        and (run_id is None or event.workflow_run_id == run_id)
        and (types is None or event.event_type in types)
    )


def _lines(events: Sequence[tuple[WorkflowEvent, int | None]], raw: bool) -> tuple[list[EventLine], str | None]:
    """Compact lines; with raw, attributes capped so the whole page stays under RAW_LIMIT."""
    each = max(500, RAW_LIMIT // max(1, len(events)))
    cut = 0
    lines = []
    for event, seq in events:
        attributes = None
        if raw:
            attributes, note = capped(event.attributes, each, "attributes", "")
            cut += note is not None
        lines.append(
            EventLine(
                type=event.event_type,
                seq=seq,
                time=iso_from_ns(event.event_timestamp),
                execution_id=event.workflow_exec_id,
                summary=summarise(event),
                attributes=attributes,
            )
        )
    note = f"attributes of {cut} event(s) cut to {each} characters; use a smaller limit" if cut else None
    return lines, note


def summarise(event: WorkflowEvent) -> str | None:
    """A short line about what the event says: the failure message, the activity or task, a result."""
    attributes = event.attributes
    parts: list[str] = []
    name = attributes.get("activity_name") or attributes.get("custom_task_type") or attributes.get("name")
    if name:
        parts.append(str(name))
    if attributes.get("attempt") and event.event_type.endswith(("RETRYING", "FAILED")):
        parts.append(f"attempt {attributes['attempt']}")
    failure = attributes.get("failure")
    if isinstance(failure, dict) and failure.get("message"):
        parts.append(f"failure: {failure['message']}")
    elif isinstance(failure, str):
        parts.append(f"failure: {failure}")
    for key in ("result", "payload"):
        value = attributes.get(key)
        if isinstance(value, dict) and "value" in value:
            value = value["value"]
        if value is not None:
            parts.append(f"{key}: {_short(value)}")
            break
    text = "; ".join(parts)
    return text[:SUMMARY_CHARS] if text else None


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else pydantic_core.to_json(value).decode()
    return text if len(text) <= 100 else text[:99] + "…"

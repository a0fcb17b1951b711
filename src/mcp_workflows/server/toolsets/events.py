"""The `events` toolset: what happened across executions, as a page or a bounded live follow."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field, ValidationError

from mcp_workflows.api.models.events import StreamEvent, WorkflowEvent
from mcp_workflows.api.sse import read_bounded
from mcp_workflows.server.state import app_state
from mcp_workflows.server.toolsets.common import Cursor, NextCursor, ToolResult, capped

Id = Annotated[str | None, Field(max_length=256)]


class EventLine(ToolResult):
    type: str
    execution_id: str | None = None
    seq: int | None = None
    time: int | str | None = None
    summary: str | None = None
    attributes: Any = None


class EventPage(ToolResult):
    events: list[EventLine]
    next_cursor: NextCursor = None
    next_start_seq: int | None = None
    note: str | None = None


async def list_events(
    ctx: Context,
    workflow_exec_id: Annotated[str | None, Field(max_length=256, description="One execution's events.")] = None,
    root_workflow_exec_id: Annotated[
        str | None, Field(max_length=256, description="An execution and its children.")
    ] = None,
    workflow_name: Annotated[str | None, Field(max_length=256, description="follow only: one workflow.")] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Field(ge=1, le=200, description="Events, 1-200.")] = 50,
    follow_seconds: Annotated[float, Field(ge=0, le=50, description="Follow live events this long.")] = 0,
    start_seq: Annotated[int | None, Field(ge=0, description="follow: resume from next_start_seq.")] = None,
    raw: Annotated[bool, Field(description="Include each event's attributes.")] = False,
) -> EventPage:
    """Read workflow events (starts, activities, progress, completions, failures with their
    message). Paged with cursor, or followed live for follow_seconds from start_seq."""
    api = app_state(ctx).api.events
    if follow_seconds <= 0:
        page = await api.list(
            workflow_exec_id=workflow_exec_id, root_workflow_exec_id=root_workflow_exec_id, cursor=cursor, limit=limit
        )
        return EventPage(events=[_line(e, None, raw) for e in page.events], next_cursor=page.next_cursor)
    async with api.stream(
        start_seq=start_seq,
        workflow_exec_id=workflow_exec_id,
        root_workflow_exec_id=root_workflow_exec_id,
        workflow_name=workflow_name,
    ) as frames:
        read = await read_bounded(frames, max_events=limit, max_seconds=follow_seconds)
    lines: list[EventLine] = []
    last_seq = start_seq - 1 if start_seq else None
    for frame in read.frames:
        try:
            event = StreamEvent.model_validate(frame.json())
        except ValidationError:
            continue
        lines.append(_line(event.data, event.broker_sequence, raw))
        last_seq = event.broker_sequence
    note = f"stream error: {read.error.detail}" if read.error else None
    return EventPage(events=lines, next_start_seq=last_seq + 1 if last_seq is not None else start_seq, note=note)


def _line(event: WorkflowEvent, seq: int | None, raw: bool) -> EventLine:
    attributes: dict[str, Any] = event.attributes
    summary = None
    failure = attributes.get("failure")
    if isinstance(failure, dict) and failure.get("message"):
        summary = str(failure["message"])[:300]
    elif attributes.get("activity_name") or attributes.get("name"):
        summary = str(attributes.get("activity_name") or attributes.get("name"))
    payload = attributes.get("payload")
    if isinstance(payload, dict) and "value" in payload:
        summary = f"{summary or ''} {pydantic_json(payload['value'])}".strip()[:300]
    value, _ = capped(attributes, 5_000, "attributes", "") if raw else (None, None)
    return EventLine(
        type=event.event_type,
        execution_id=event.workflow_exec_id,
        seq=seq,
        time=event.event_timestamp,
        summary=summary,
        attributes=value,
    )


def pydantic_json(value: Any) -> str:
    import pydantic_core

    return pydantic_core.to_json(value).decode()[:200]


DESCRIBE: dict[str, Any] = {}
TOOLS = {fn.__name__: fn for fn in (list_events,)}

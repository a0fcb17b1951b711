"""`GET /v1/workflows/events/list`: a page of typed workflow events, oldest first."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..params import paginate, parse_query
from ..runtime import sandbox_of


class ListEventsQuery(BaseModel):
    root_workflow_exec_id: str | None = None
    workflow_exec_id: str | None = None
    workflow_run_id: str | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    cursor: str | None = None


async def list_events(request: Request) -> Response:
    """Events filtered by execution, root or run; `next_cursor` pages."""
    sandbox = sandbox_of(request)
    q = parse_query(request, ListEventsQuery)
    events = [
        e
        for e in sandbox.store.events
        if (q.root_workflow_exec_id is None or e.data["root_workflow_exec_id"] == q.root_workflow_exec_id)
        and (q.workflow_exec_id is None or e.execution_id == q.workflow_exec_id)
        and (q.workflow_run_id is None or e.run_id == q.workflow_run_id)
    ]
    page, next_cursor = paginate(events, q.cursor, q.limit)
    return JSONResponse({"events": [e.data for e in page], "next_cursor": next_cursor})

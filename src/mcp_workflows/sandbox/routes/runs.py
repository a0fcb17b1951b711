"""Runs: one row per run of every execution, and a run's history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import not_found
from ..ids import as_utc
from ..models import ExecutionRecord, RunRecord
from ..params import paginate, parse_query, path_uuid
from ..runtime import Sandbox, sandbox_of
from .executions import history_json
from .paths import P
from .workflows import ExecutionStatus

SearchKey = Annotated[str, StringConstraints(pattern=r"^[^:]+:.+$")]


class ListRunsQuery(BaseModel):
    workflow_identifier: str | None = None
    root_execution_id: str | None = None
    search: str | None = None
    status: list[ExecutionStatus] | None = None
    deployment_name: str | None = None
    sort_by: Literal["start_time", "end_time"] | None = None
    order: Literal["asc", "desc"] = "desc"
    start_time_after: datetime | None = None
    start_time_before: datetime | None = None
    end_time_after: datetime | None = None
    end_time_before: datetime | None = None
    user_id: str | None = None
    workflow_tags: list[str] | None = Field(default=None, max_length=20)
    include_internal: bool = True
    page_size: int = Field(default=50, ge=1, le=1000)
    next_page_token: str | None = None
    search_key: list[SearchKey] | None = Field(default=None, max_length=3)


class HistoryQuery(BaseModel):
    decode_payloads: bool = False


def _keep(sandbox: Sandbox, q: ListRunsQuery, execution: ExecutionRecord, run: RunRecord) -> bool:
    store = sandbox.store
    workflow = store.workflows.get(execution.workflow_id)
    checks = [
        q.workflow_identifier is None or q.workflow_identifier in (execution.workflow_name, execution.workflow_id),
        q.root_execution_id is None or execution.root_execution_id == q.root_execution_id,
        not q.search or q.search.lower() in f"{execution.execution_id} {execution.workflow_name}".lower(),
        not q.status or run.status in q.status,
        q.deployment_name is None or execution.deployment_name == q.deployment_name,
        q.start_time_after is None or run.start_time >= as_utc(q.start_time_after),
        q.start_time_before is None or run.start_time <= as_utc(q.start_time_before),
        q.end_time_after is None or (run.end_time is not None and run.end_time >= as_utc(q.end_time_after)),
        q.end_time_before is None or (run.end_time is not None and run.end_time <= as_utc(q.end_time_before)),
        q.user_id is None or q.user_id in ("current", execution.user_id),
        not q.workflow_tags or (workflow is not None and set(q.workflow_tags) <= set(workflow.tags)),
        q.include_internal or workflow is None or not workflow.is_technical,
    ]
    attributes = execution.search_keys(run)
    for pair in q.search_key or []:
        key, _, value = pair.partition(":")
        checks.append(attributes.get(key) == value)
    return all(checks)


async def list_runs(request: Request) -> Response:
    """GET /v1/workflows/runs: every run, newest first by default, page_size/next_page_token pages."""
    sandbox = sandbox_of(request)
    q = parse_query(request, ListRunsQuery)
    rows = [(e, r) for e in sandbox.store.executions.values() for r in e.runs if _keep(sandbox, q, e, r)]
    if q.sort_by == "end_time":
        far = datetime.max.replace(tzinfo=rows[0][1].start_time.tzinfo) if rows else None
        rows.sort(key=lambda row: row[1].end_time or far or row[1].start_time, reverse=q.order == "desc")
    else:
        rows.sort(key=lambda row: row[1].start_time, reverse=q.order == "desc")
    page, token = paginate(rows, q.next_page_token, q.page_size, "next_page_token")
    return JSONResponse({"executions": [e.run_json(r, with_result=False) for e, r in page], "next_page_token": token})


def _run(request: Request) -> tuple[ExecutionRecord, RunRecord]:
    sandbox = sandbox_of(request)
    raw = request.path_params["run_id"]
    key = path_uuid(raw, "run_id")
    found = sandbox.store.runs.get(key)
    if found is None:
        raise not_found("Run", raw)
    return found


async def get_run(request: Request) -> Response:
    """GET /v1/workflows/runs/{run_id}."""
    execution, run = _run(request)
    return JSONResponse(execution.run_json(run))


async def get_run_history(request: Request) -> Response:
    """GET /v1/workflows/runs/{run_id}/history."""
    execution, run = _run(request)
    parse_query(request, HistoryQuery)
    return JSONResponse(history_json(execution, run))


ROUTES = [
    Route(P + "/runs", list_runs, methods=["GET"]),
    Route(P + "/runs/{run_id}", get_run, methods=["GET"]),
    Route(P + "/runs/{run_id}/history", get_run_history, methods=["GET"]),
]

"""`/_sandbox/...`: sandbox-only controls for tests (faults, counters, reset, new workflows); not part of the
upstream API."""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..config import SERVICE_NAME, FaultConfig
from ..errors import conflict, not_found, validation_error
from ..params import parse_body, read_json
from ..runtime import sandbox_of


async def get_faults(request: Request) -> Response:
    """GET /_sandbox/faults: the rules with their remaining hits."""
    return JSONResponse(sandbox_of(request).faults.snapshot())


async def set_faults(request: Request) -> Response:
    """POST /_sandbox/faults: replace the rules (`{"rules": [...]}` or a bare list)."""
    sandbox = sandbox_of(request)
    raw = await read_json(request, required=True)
    try:
        config = FaultConfig.parse(raw)
    except ValidationError as exc:
        raise validation_error([{**e, "loc": ["body", *e["loc"]]} for e in exc.errors(include_url=False)]) from exc
    sandbox.faults.configure(config)
    return JSONResponse(sandbox.faults.snapshot())


async def get_stats(request: Request) -> Response:
    """GET /_sandbox/stats: upstream requests seen, per path and per `METHOD path`."""
    return JSONResponse(sandbox_of(request).stats.snapshot())


async def reset(request: Request) -> Response:
    """POST /_sandbox/reset: back to the demo state (executions, schedules, faults, counters)."""
    await sandbox_of(request).reset()
    return JSONResponse({"status": "reset"})


class NewWorkflow(BaseModel):
    """A workflow a worker would register: a copy of demo workflow `like` under a new name."""

    name: str = Field(min_length=1, max_length=256)
    like: str = Field(description="The demo workflow whose code it runs.")
    display_name: str | None = None
    description: str | None = None
    input_schema: dict[str, Any] | None = None
    available_in_chat_assistant: bool | None = None


async def register_workflow(request: Request) -> Response:
    """POST /_sandbox/workflows: register a new workflow, as a deploy of new code would (201)."""
    store = sandbox_of(request).store
    body = await parse_body(request, NewWorkflow)
    program = store.programs.get(body.like)
    if program is None:
        raise not_found("Demo workflow", body.like)
    if body.name in store.programs:
        raise conflict(f"Workflow '{body.name}' already exists", "WORKFLOW_EXISTS")
    changes = body.model_dump(exclude={"like"}, exclude_none=True)
    workflow = store.register(dataclasses.replace(program, archived=False, shared_namespace=None, **changes))
    return JSONResponse({"workflow": workflow.to_workflow()}, status_code=201)


async def health(request: Request) -> Response:
    """GET /_sandbox/health: also names the service, which lets `serve` start without a key on it."""
    return JSONResponse({"status": "ok", "service": SERVICE_NAME})


ROUTES = [
    Route("/_sandbox/health", health, methods=["GET"]),
    Route("/_sandbox/faults", get_faults, methods=["GET"]),
    Route("/_sandbox/faults", set_faults, methods=["POST"]),
    Route("/_sandbox/stats", get_stats, methods=["GET"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
    Route("/_sandbox/workflows", register_workflow, methods=["POST"]),
]

"""The sandbox ASGI app: the upstream `/v1/workflows` paths over one in-memory Sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route

from .config import SandboxConfig
from .errors import ApiError, api_error_handler, http_exception_handler
from .faults import FaultMiddleware, install_log_filter
from .routes import admin, deployments, events, executions, observability, runs, schedules, workflows
from .routes.paths import P
from .runtime import Sandbox

AREAS = (workflows, executions, observability, runs, events, schedules, deployments)


def _routes() -> list[Route]:
    """Every area's routes, those with a fixed segment after the prefix before the catch-all
    `/v1/workflows/{workflow_identifier}...` ones, as the upstream router orders them."""
    routes = [route for area in AREAS for route in area.ROUTES]
    catch_all = f"{P}/{{"
    return sorted(routes, key=lambda route: route.path.startswith(catch_all)) + admin.ROUTES


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """Build the sandbox app; its lifespan starts the schedule timer and stops every execution on exit."""
    sandbox = Sandbox(config or SandboxConfig())
    install_log_filter()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sandbox.start()
        try:
            yield
        finally:
            await sandbox.stop()

    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(FaultMiddleware, faults=sandbox.faults, stats=sandbox.stats)],
        exception_handlers={ApiError: api_error_handler, HTTPException: http_exception_handler},
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app

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
from .routes import admin, deployments, events, executions, runs, schedules, streams, workflows
from .runtime import Sandbox

P = "/v1/workflows"


def _routes() -> list[Route]:
    """Fixed path segments come before `{workflow_identifier}`, as the upstream router does."""
    return [
        # workflows and registrations
        Route(P, workflows.list_workflows, methods=["GET"]),
        Route(f"{P}/archive", workflows.bulk_archive, methods=["PUT"]),
        Route(f"{P}/unarchive", workflows.bulk_unarchive, methods=["PUT"]),
        Route(f"{P}/registrations", workflows.list_registrations, methods=["GET"]),
        Route(f"{P}/registrations/{{workflow_registration_id}}", workflows.get_registration, methods=["GET"]),
        Route(
            f"{P}/registrations/{{workflow_registration_id}}/execute",
            workflows.execute_registration,
            methods=["POST"],
        ),
        # executions
        Route(f"{P}/executions/cancel", executions.batch_cancel, methods=["POST"]),
        Route(f"{P}/executions/terminate", executions.batch_terminate, methods=["POST"]),
        Route(f"{P}/executions/{{execution_id}}", executions.get_execution, methods=["GET"]),
        Route(f"{P}/executions/{{execution_id}}/history", executions.get_history, methods=["GET"]),
        Route(f"{P}/executions/{{execution_id}}/signals", executions.signal, methods=["POST"]),
        Route(f"{P}/executions/{{execution_id}}/queries", executions.query, methods=["POST"]),
        Route(f"{P}/executions/{{execution_id}}/updates", executions.update, methods=["POST"]),
        Route(f"{P}/executions/{{execution_id}}/cancel", executions.cancel, methods=["POST"]),
        Route(f"{P}/executions/{{execution_id}}/terminate", executions.terminate, methods=["POST"]),
        Route(f"{P}/executions/{{execution_id}}/reset", executions.reset, methods=["POST"]),
        Route(f"{P}/executions/{{execution_id}}/trace/info", executions.trace_info, methods=["GET"]),
        Route(f"{P}/executions/{{execution_id}}/trace/otel", executions.trace_otel, methods=["GET"]),
        Route(f"{P}/executions/{{execution_id}}/trace/summary", executions.trace_summary, methods=["GET"]),
        Route(f"{P}/executions/{{execution_id}}/trace/events", executions.trace_events_route, methods=["GET"]),
        Route(f"{P}/executions/{{execution_id}}/logs", executions.get_logs, methods=["GET"]),
        Route(f"{P}/executions/{{execution_id}}/stream", streams.execution_stream, methods=["GET"]),
        Route(f"{P}/executions/{{execution_id}}/logs/stream", streams.execution_logs_stream, methods=["GET"]),
        # runs and events
        Route(f"{P}/runs", runs.list_runs, methods=["GET"]),
        Route(f"{P}/runs/{{run_id}}", runs.get_run, methods=["GET"]),
        Route(f"{P}/runs/{{run_id}}/history", runs.get_run_history, methods=["GET"]),
        Route(f"{P}/events/stream", streams.events_stream, methods=["GET"]),
        Route(f"{P}/events/list", events.list_events, methods=["GET"]),
        # schedules
        Route(f"{P}/schedules", schedules.list_schedules, methods=["GET"]),
        Route(f"{P}/schedules", schedules.create_schedule, methods=["POST"]),
        Route(f"{P}/schedules/{{schedule_id}}", schedules.get_schedule, methods=["GET"]),
        Route(f"{P}/schedules/{{schedule_id}}", schedules.update_schedule, methods=["PATCH"]),
        Route(f"{P}/schedules/{{schedule_id}}", schedules.delete_schedule, methods=["DELETE"]),
        Route(f"{P}/schedules/{{schedule_id}}/pause", schedules.pause_schedule, methods=["POST"]),
        Route(f"{P}/schedules/{{schedule_id}}/resume", schedules.resume_schedule, methods=["POST"]),
        Route(f"{P}/schedules/{{schedule_id}}/trigger", schedules.trigger_schedule, methods=["POST"]),
        # deployments
        Route(f"{P}/deployments", deployments.list_deployments, methods=["GET"]),
        Route(f"{P}/deployments", deployments.create_deployment, methods=["POST"]),
        Route(f"{P}/deployments/{{name}}", deployments.get_deployment, methods=["GET"]),
        Route(f"{P}/deployments/{{name}}", deployments.update_deployment, methods=["PATCH"]),
        Route(f"{P}/deployments/{{name}}", deployments.delete_deployment, methods=["DELETE"]),
        Route(f"{P}/deployments/{{name}}/stop", deployments.stop_deployment, methods=["POST"]),
        Route(f"{P}/deployments/{{name}}/start", deployments.start_deployment, methods=["POST"]),
        Route(f"{P}/deployments/{{name}}/restart", deployments.restart_deployment, methods=["POST"]),
        Route(f"{P}/deployments/{{name}}/workers", deployments.list_workers, methods=["GET"]),
        Route(f"{P}/deployments/{{name}}/logs", deployments.get_logs, methods=["GET"]),
        Route(f"{P}/deployments/{{name}}/logs/stream", streams.deployment_logs_stream, methods=["GET"]),
        # the catch-all workflow identifier routes come last
        Route(f"{P}/{{workflow_identifier}}", workflows.get_workflow, methods=["GET"]),
        Route(f"{P}/{{workflow_identifier}}", workflows.update_workflow, methods=["PUT"]),
        Route(f"{P}/{{workflow_identifier}}/archive", workflows.archive_workflow, methods=["PUT"]),
        Route(f"{P}/{{workflow_identifier}}/unarchive", workflows.unarchive_workflow, methods=["PUT"]),
        Route(f"{P}/{{workflow_identifier}}/execute", workflows.execute_workflow, methods=["POST"]),
        Route(f"{P}/{{workflow_name}}/metrics", runs.get_metrics, methods=["GET"]),
        # sandbox controls
        Route("/_sandbox/health", admin.health, methods=["GET"]),
        Route("/_sandbox/faults", admin.get_faults, methods=["GET"]),
        Route("/_sandbox/faults", admin.set_faults, methods=["POST"]),
        Route("/_sandbox/stats", admin.get_stats, methods=["GET"]),
        Route("/_sandbox/reset", admin.reset, methods=["POST"]),
    ]


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

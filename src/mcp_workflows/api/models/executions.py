"""Executions (the `workflows.executions` area of the spec)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mcp_workflows.api.models.base import RequestModel, UpstreamModel

ExecutionStatus = Literal[
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELED",
    "TERMINATED",
    "CONTINUED_AS_NEW",
    "TIMED_OUT",
    "RETRYING_AFTER_ERROR",
]
TERMINAL_STATUSES: frozenset[str] = frozenset(
    {"COMPLETED", "FAILED", "CANCELED", "TERMINATED", "CONTINUED_AS_NEW", "TIMED_OUT"}
)


class ExecutionRequest(RequestModel):
    """`WorkflowExecutionRequest` without the deprecated `task_queue`."""

    execution_id: str | None = Field(default=None, max_length=256)
    input: dict[str, Any] | None = None
    wait_for_result: bool = False
    timeout_seconds: float | None = None
    deployment_name: str | None = None
    custom_tracing_attributes: dict[str, str] | None = None


class Execution(UpstreamModel):
    """`WorkflowExecutionResponse`."""

    workflow_name: str
    execution_id: str
    root_execution_id: str | None = None
    parent_execution_id: str | None = None
    workflow_id: str | None = None
    deployment_name: str | None = None
    run_id: str | None = None
    user_id: str | None = None
    status: ExecutionStatus | None = None
    start_time: str | None = None
    end_time: str | None = None
    total_duration_ms: int | None = None
    result: Any = None

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class ExecutionSyncResult(UpstreamModel):
    """`WorkflowExecutionSyncResponse` (the answer to `wait_for_result=true`)."""

    workflow_name: str
    execution_id: str
    result: Any = None

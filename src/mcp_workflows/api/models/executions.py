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


class ExecutionSummary(UpstreamModel):
    """`WorkflowExecutionWithoutResultResponse`: one row of the runs listing."""

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

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class Execution(ExecutionSummary):
    """`WorkflowExecutionResponse`: a runs-listing row plus the result."""

    result: Any = None


class ExecutionSyncResult(UpstreamModel):
    """`WorkflowExecutionSyncResponse` (the answer to `wait_for_result=true`)."""

    workflow_name: str
    execution_id: str
    result: Any = None


class ExecutionPage(UpstreamModel):
    """`WorkflowExecutionListResponse` (page_size / next_page_token pagination)."""

    executions: list[ExecutionSummary]
    next_page_token: str | None = None


class HandlerCall(RequestModel):
    """`SignalInvocationBody` / `QueryInvocationBody` / `UpdateInvocationBody`."""

    name: str = Field(min_length=1)
    input: dict[str, Any] | None = None


class QueryReply(UpstreamModel):
    query_name: str
    result: Any = None


class UpdateReply(UpstreamModel):
    update_name: str
    result: Any = None


class SignalAccepted(UpstreamModel):
    message: str = "Signal accepted"


class ResetRequest(RequestModel):
    """`ResetInvocationBody`: roll back to `event_id` (a WORKFLOW_TASK_COMPLETED event of the history)."""

    event_id: int
    reason: str | None = None
    exclude_signals: bool = False
    exclude_updates: bool = False


class BatchExecutionRequest(RequestModel):
    """`BatchExecutionBody`."""

    execution_ids: list[str] = Field(min_length=1)


class BatchExecutionResult(UpstreamModel):
    """`BatchExecutionResult`: one execution's outcome in a batch cancel / terminate."""

    status: str
    error: str | None = None


class BatchExecutionResponse(UpstreamModel):
    """`BatchExecutionResponse`: execution id -> result; a 200 does not mean every item succeeded."""

    results: dict[str, BatchExecutionResult] = Field(default_factory=dict)

    @property
    def failed(self) -> dict[str, BatchExecutionResult]:
        return {execution_id: r for execution_id, r in self.results.items() if r.error}

"""Executions: read, steer and stop one run of a workflow, and follow its event stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.events import EventSource
from mcp_workflows.api.models.executions import (
    BatchExecutionRequest,
    BatchExecutionResponse,
    Execution,
    HandlerCall,
    QueryReply,
    ResetRequest,
    SignalAccepted,
    UpdateReply,
)
from mcp_workflows.api.operations import Operation, Risk
from mcp_workflows.api.streams import Frames, open_stream

_P = "/v1/workflows/executions"
_ONE = _P + "/{execution_id}"
GET_EXECUTION = Operation("get_workflow_execution_v1_workflows_executions__execution_id__get", "GET", _ONE, Risk.READ)
GET_HISTORY = Operation(
    "get_workflow_execution_history_v1_workflows_executions__execution_id__history_get",
    "GET",
    _ONE + "/history",
    Risk.READ,
)
SIGNAL = Operation(
    "signal_workflow_execution_v1_workflows_executions__execution_id__signals_post",
    "POST",
    _ONE + "/signals",
    Risk.EXECUTE,
)
QUERY = Operation(
    "query_workflow_execution_v1_workflows_executions__execution_id__queries_post", "POST", _ONE + "/queries", Risk.READ
)
UPDATE = Operation(
    "update_workflow_execution_v1_workflows_executions__execution_id__updates_post",
    "POST",
    _ONE + "/updates",
    Risk.EXECUTE,
)
CANCEL = Operation(
    "cancel_workflow_execution_v1_workflows_executions__execution_id__cancel_post",
    "POST",
    _ONE + "/cancel",
    Risk.DESTRUCTIVE,
)
TERMINATE = Operation(
    "terminate_workflow_execution_v1_workflows_executions__execution_id__terminate_post",
    "POST",
    _ONE + "/terminate",
    Risk.DESTRUCTIVE,
)
BATCH_CANCEL = Operation(
    "batch_cancel_workflow_executions_v1_workflows_executions_cancel_post", "POST", _P + "/cancel", Risk.DESTRUCTIVE
)
BATCH_TERMINATE = Operation(
    "batch_terminate_workflow_executions_v1_workflows_executions_terminate_post",
    "POST",
    _P + "/terminate",
    Risk.DESTRUCTIVE,
)
RESET = Operation(
    "reset_workflow_v1_workflows_executions__execution_id__reset_post", "POST", _ONE + "/reset", Risk.DESTRUCTIVE
)
STREAM = Operation("stream_v1_workflows_executions__execution_id__stream_get", "GET", _ONE + "/stream", Risk.READ)


class ExecutionsAPI:
    """`/v1/workflows/executions`. Signal, query, update, cancel, terminate act on the latest run."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    def _target(self, execution_id: str) -> dict[str, Any]:
        return {"path_params": {"execution_id": execution_id}, "target": Target("execution", execution_id)}

    async def get(self, execution_id: str) -> Execution:
        return Execution.model_validate(await self._http.call(GET_EXECUTION, **self._target(execution_id)))

    async def history(self, execution_id: str, *, decode_payloads: bool | None = None) -> Any:
        """Raw event history (untyped upstream)."""
        return await self._http.call(
            GET_HISTORY, params={"decode_payloads": decode_payloads}, **self._target(execution_id)
        )

    async def signal(self, execution_id: str, call: HandlerCall, *, retry: bool = False) -> SignalAccepted:
        """A signal may be delivered twice if retried, so retries are the caller's choice."""
        data = await self._http.call(SIGNAL, json=call.model_dump(), idempotent=retry, **self._target(execution_id))
        return SignalAccepted.model_validate(data or {})

    async def query(self, execution_id: str, call: HandlerCall) -> QueryReply:
        """Queries only read state: safe to retry."""
        data = await self._http.call(QUERY, json=call.model_dump(), idempotent=True, **self._target(execution_id))
        return QueryReply.model_validate(data)

    async def update(self, execution_id: str, call: HandlerCall, *, retry: bool = False) -> UpdateReply:
        data = await self._http.call(UPDATE, json=call.model_dump(), idempotent=retry, **self._target(execution_id))
        return UpdateReply.model_validate(data)

    async def cancel(self, execution_id: str) -> None:
        """Graceful stop (204): the workflow gets a cancellation it can handle."""
        await self._http.call(CANCEL, **self._target(execution_id))

    async def terminate(self, execution_id: str) -> None:
        """Forced, immediate stop (204): no cleanup code runs."""
        await self._http.call(TERMINATE, **self._target(execution_id))

    async def batch_cancel(self, execution_ids: list[str]) -> BatchExecutionResponse:
        """Cancel many; read each item's result, a 200 is not success for all."""
        return await self._batch(BATCH_CANCEL, execution_ids)

    async def batch_terminate(self, execution_ids: list[str]) -> BatchExecutionResponse:
        """Terminate many; read each item's result, a 200 is not success for all."""
        return await self._batch(BATCH_TERMINATE, execution_ids)

    async def _batch(self, operation: Operation, execution_ids: list[str]) -> BatchExecutionResponse:
        body = BatchExecutionRequest(execution_ids=execution_ids)
        data = await self._http.call(operation, json=body.model_dump())
        return BatchExecutionResponse.model_validate(data or {})

    async def reset(self, execution_id: str, request: ResetRequest) -> None:
        """Roll back to `request.event_id` and replay from there (204); later progress is lost."""
        await self._http.call(RESET, json=request.model_dump(exclude_none=True), **self._target(execution_id))

    @asynccontextmanager
    async def stream(
        self, execution_id: str, *, after: str | None = None, event_source: EventSource | None = None
    ) -> AsyncIterator[Frames]:
        """The execution's events as they happen (frames whose data is a `StreamEvent`).

        `after` is the SSE id of the last frame seen (`BoundedRead.cursor`), sent as the
        `last_event_id` query parameter (the only resume input the spec declares here).
        `event_source`: DATABASE (stored), LIVE, or HYBRID. Read it bounded (`sse.read_bounded`).
        """
        async with open_stream(
            self._http,
            STREAM,
            params={"last_event_id": after, "event_source": event_source},
            **self._target(execution_id),
        ) as frames:
            yield frames

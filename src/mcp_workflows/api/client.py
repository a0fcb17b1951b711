"""`WorkflowsClient`: one object per process that owns the HTTP client and groups the areas."""

from __future__ import annotations

from types import TracebackType

import httpx2

from mcp_workflows.api.deployments import DeploymentsAPI
from mcp_workflows.api.events import EventsAPI
from mcp_workflows.api.executions import ExecutionsAPI
from mcp_workflows.api.http import ApiHttp, RetryPolicy
from mcp_workflows.api.observability import ObservabilityAPI
from mcp_workflows.api.runs import RunsAPI
from mcp_workflows.api.schedules import SchedulesAPI
from mcp_workflows.api.workflows import WorkflowsAPI


class WorkflowsClient:
    """The typed Workflows API. Open it once (async with) and share it."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        request_timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        retry: RetryPolicy | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = ApiHttp(
            base_url=base_url,
            api_key=api_key,
            request_timeout_s=request_timeout_s,
            connect_timeout_s=connect_timeout_s,
            retry=retry,
            transport=transport,
        )
        self.workflows = WorkflowsAPI(self.http)
        self.executions = ExecutionsAPI(self.http)
        self.runs = RunsAPI(self.http)
        self.schedules = SchedulesAPI(self.http)
        self.deployments = DeploymentsAPI(self.http)
        self.events = EventsAPI(self.http)
        self.observability = ObservabilityAPI(self.http)

    async def __aenter__(self) -> WorkflowsClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.http.aclose()

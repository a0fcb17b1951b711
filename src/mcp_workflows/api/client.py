"""`WorkflowsClient`: one object per process that owns the HTTP client and groups the areas.

Each area (and its pydantic models) is imported on first use, so opening the client at start-up
costs nothing but the object itself.
"""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

import httpx2

from mcp_workflows.api.http import ApiHttp, RetryPolicy

if TYPE_CHECKING:
    from mcp_workflows.api.deployments import DeploymentsAPI
    from mcp_workflows.api.events import EventsAPI
    from mcp_workflows.api.executions import ExecutionsAPI
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

    @cached_property
    def workflows(self) -> WorkflowsAPI:
        from mcp_workflows.api.workflows import WorkflowsAPI

        return WorkflowsAPI(self.http)

    @cached_property
    def executions(self) -> ExecutionsAPI:
        from mcp_workflows.api.executions import ExecutionsAPI

        return ExecutionsAPI(self.http)

    @cached_property
    def runs(self) -> RunsAPI:
        from mcp_workflows.api.runs import RunsAPI

        return RunsAPI(self.http)

    @cached_property
    def schedules(self) -> SchedulesAPI:
        from mcp_workflows.api.schedules import SchedulesAPI

        return SchedulesAPI(self.http)

    @cached_property
    def deployments(self) -> DeploymentsAPI:
        from mcp_workflows.api.deployments import DeploymentsAPI

        return DeploymentsAPI(self.http)

    @cached_property
    def events(self) -> EventsAPI:
        from mcp_workflows.api.events import EventsAPI

        return EventsAPI(self.http)

    @cached_property
    def observability(self) -> ObservabilityAPI:
        from mcp_workflows.api.observability import ObservabilityAPI

        return ObservabilityAPI(self.http)

    async def __aenter__(self) -> WorkflowsClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.http.aclose()

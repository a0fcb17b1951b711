"""Executions: read and steer one run of a workflow."""

from __future__ import annotations

from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.executions import Execution
from mcp_workflows.api.operations import Operation

_P = "/v1/workflows/executions"
GET_EXECUTION = Operation(
    "get_workflow_execution_v1_workflows_executions__execution_id__get", "GET", _P + "/{execution_id}"
)


class ExecutionsAPI:
    """`/v1/workflows/executions`."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    async def get(self, execution_id: str) -> Execution:
        data = await self._http.call(
            GET_EXECUTION,
            path_params={"execution_id": execution_id},
            target=Target("execution", execution_id),
        )
        return Execution.model_validate(data)

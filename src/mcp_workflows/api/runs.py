"""Runs: the only way to list executions (page_size / next_page_token pagination)."""

from __future__ import annotations

from typing import Any

from mcp_workflows.api.http import ApiHttp, Target
from mcp_workflows.api.models.executions import Execution, ExecutionPage
from mcp_workflows.api.operations import Operation, Risk

_P = "/v1/workflows/runs"
LIST_RUNS = Operation("list_runs_v1_workflows_runs_get", "GET", _P, Risk.READ)
GET_RUN = Operation("get_run_v1_workflows_runs__run_id__get", "GET", _P + "/{run_id}", Risk.READ)
GET_RUN_HISTORY = Operation(
    "get_run_history_v1_workflows_runs__run_id__history_get", "GET", _P + "/{run_id}/history", Risk.READ
)


class RunsAPI:
    """`/v1/workflows/runs`."""

    def __init__(self, http: ApiHttp) -> None:
        self._http = http

    async def list(
        self,
        *,
        workflow_identifier: str | None = None,
        root_execution_id: str | None = None,
        search: str | None = None,
        status: list[str] | None = None,
        deployment_name: str | None = None,
        user_id: str | None = None,
        workflow_tags: list[str] | None = None,
        search_key: list[str] | None = None,
        include_internal: bool | None = None,
        start_time_after: str | None = None,
        start_time_before: str | None = None,
        end_time_after: str | None = None,
        end_time_before: str | None = None,
        sort_by: str | None = None,
        order: str | None = None,
        page_size: int | None = None,
        next_page_token: str | None = None,
    ) -> ExecutionPage:
        params = {k: v for k, v in locals().items() if k != "self"}
        return ExecutionPage.model_validate(await self._http.call(LIST_RUNS, params=params))

    async def get(self, run_id: str) -> Execution:
        data = await self._http.call(GET_RUN, path_params={"run_id": run_id}, target=Target("run", run_id))
        return Execution.model_validate(data)

    async def history(self, run_id: str, *, decode_payloads: bool | None = None) -> Any:
        return await self._http.call(
            GET_RUN_HISTORY,
            path_params={"run_id": run_id},
            params={"decode_payloads": decode_payloads},
            target=Target("run", run_id),
        )

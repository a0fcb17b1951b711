"""Endpoints of the `runs` area."""

from __future__ import annotations

from mcp_workflows.api.operations import Operation

_P = "/v1/workflows/runs"
LIST_RUNS = Operation("list_runs_v1_workflows_runs_get", "GET", _P)
GET_RUN = Operation("get_run_v1_workflows_runs__run_id__get", "GET", _P + "/{run_id}")
GET_RUN_HISTORY = Operation("get_run_history_v1_workflows_runs__run_id__history_get", "GET", _P + "/{run_id}/history")

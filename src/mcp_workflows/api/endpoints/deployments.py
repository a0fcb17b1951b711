"""Endpoints of the `deployments` area."""

from __future__ import annotations

from mcp_workflows.api.operations import Operation

_P = "/v1/workflows/deployments"
_ONE = _P + "/{name}"
LIST_DEPLOYMENTS = Operation("list_deployments_v1_workflows_deployments_get", "GET", _P)
GET_DEPLOYMENT = Operation("get_deployment_v1_workflows_deployments__name__get", "GET", _ONE)
LIST_WORKERS = Operation(
    "list_deployment_workers_v1_workflows_deployments__name__workers_get", "GET", _ONE + "/workers"
)
DEPLOYMENT_LOGS = Operation("get_deployment_logs", "GET", _ONE + "/logs")
DEPLOYMENT_LOGS_STREAM = Operation("stream_deployment_logs", "GET", _ONE + "/logs/stream")
CREATE_DEPLOYMENT = Operation("create_deployment_v1_workflows_deployments_post", "POST", _P)
UPDATE_DEPLOYMENT = Operation("update_deployment_v1_workflows_deployments__name__patch", "PATCH", _ONE)
DELETE_DEPLOYMENT = Operation("delete_deployment_v1_workflows_deployments__name__delete", "DELETE", _ONE)
STOP_DEPLOYMENT = Operation("stop_deployment_v1_workflows_deployments__name__stop_post", "POST", _ONE + "/stop")
START_DEPLOYMENT = Operation("start_deployment_v1_workflows_deployments__name__start_post", "POST", _ONE + "/start")
RESTART_DEPLOYMENT = Operation(
    "restart_deployment_v1_workflows_deployments__name__restart_post", "POST", _ONE + "/restart"
)

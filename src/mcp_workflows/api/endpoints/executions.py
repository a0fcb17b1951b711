"""Endpoints of the `executions` area."""

from __future__ import annotations

from mcp_workflows.api.operations import Operation

_P = "/v1/workflows/executions"
_ONE = _P + "/{execution_id}"
GET_EXECUTION = Operation("get_workflow_execution_v1_workflows_executions__execution_id__get", "GET", _ONE)
GET_HISTORY = Operation(
    "get_workflow_execution_history_v1_workflows_executions__execution_id__history_get", "GET", _ONE + "/history"
)
SIGNAL = Operation(
    "signal_workflow_execution_v1_workflows_executions__execution_id__signals_post", "POST", _ONE + "/signals"
)
QUERY = Operation(
    "query_workflow_execution_v1_workflows_executions__execution_id__queries_post", "POST", _ONE + "/queries"
)
UPDATE = Operation(
    "update_workflow_execution_v1_workflows_executions__execution_id__updates_post", "POST", _ONE + "/updates"
)
CANCEL = Operation(
    "cancel_workflow_execution_v1_workflows_executions__execution_id__cancel_post", "POST", _ONE + "/cancel"
)
TERMINATE = Operation(
    "terminate_workflow_execution_v1_workflows_executions__execution_id__terminate_post", "POST", _ONE + "/terminate"
)
BATCH_CANCEL = Operation("batch_cancel_workflow_executions_v1_workflows_executions_cancel_post", "POST", _P + "/cancel")
BATCH_TERMINATE = Operation(
    "batch_terminate_workflow_executions_v1_workflows_executions_terminate_post", "POST", _P + "/terminate"
)
RESET = Operation("reset_workflow_v1_workflows_executions__execution_id__reset_post", "POST", _ONE + "/reset")
STREAM = Operation("stream_v1_workflows_executions__execution_id__stream_get", "GET", _ONE + "/stream")

"""One valid call of every tool: arguments that pass validation, so the call reaches the upstream.

Tests that must reach every tool (redaction, path-parameter checks) start from here; a test in
test_secrets.py fails when a tool has no example, so a new tool cannot be skipped silently.
"""

from __future__ import annotations

from typing import Any

UUID = "0b4f3a52-7c1e-4d2a-9f6b-1e2d3c4b5a69"

EXAMPLE_ARGS: dict[str, dict[str, Any]] = {
    "enable_toolsets": {"toolsets": ["runs"]},
    "list_workflows": {},
    "get_workflow": {"workflow": "greeting"},
    "update_workflow": {"workflow": "greeting", "display_name": "Hello"},
    "archive_workflow": {"workflow": "greeting"},
    "unarchive_workflow": {"workflow": "greeting"},
    "bulk_archive_workflows": {"workflows": [UUID]},
    "list_workflow_registrations": {},
    "get_workflow_registration": {"registration_id": UUID},
    "execute_workflow": {"workflow": "greeting", "input": {"name": "Ana"}, "wait_seconds": 0},
    "execute_workflow_registration": {"registration_id": UUID, "input": {}, "wait_seconds": 0},
    "get_execution": {"execution_id": "exec-1"},
    "wait_for_execution": {"execution_id": "exec-1", "wait_seconds": 0},
    "query_execution": {"execution_id": "exec-1", "handler": "status"},
    "signal_execution": {"execution_id": "exec-1", "handler": "approve"},
    "update_execution": {"execution_id": "exec-1", "handler": "increment"},
    "submit_input": {"execution_id": "exec-1", "input": {"approved": True}, "wait_seconds": 0},
    "cancel_execution": {"execution_ids": ["exec-1"]},
    "reset_execution": {"execution_id": "exec-1", "event_id": 3},
    "list_executions": {},
    "get_run": {"run_id": UUID},
    "get_execution_history": {"execution_id": "exec-1"},
    "get_execution_trace": {"execution_id": "exec-1"},
    "get_execution_logs": {"execution_id": "exec-1"},
    "get_workflow_metrics": {"workflow": "greeting"},
    "list_events": {},
    "list_schedules": {},
    "get_schedule": {"schedule_id": "nightly"},
    "create_schedule": {"workflow": "greeting", "input": {"name": "Ana"}, "every": ["PT1H"]},
    "update_schedule": {"schedule_id": "nightly", "max_executions": 3},
    "pause_schedule": {"schedule_id": "nightly"},
    "trigger_schedule": {"schedule_id": "nightly"},
    "delete_schedule": {"schedule_id": "nightly"},
    "list_deployments": {},
    "get_deployment": {"deployment": "dep"},
    "list_deployment_workers": {"deployment": "dep"},
    "get_deployment_logs": {"deployment": "dep"},
    "create_deployment": {"deployment": "dep", "github_url": "https://github.com/acme/workers"},
    "update_deployment": {"deployment": "dep", "replicas": 2},
    "manage_deployment": {"deployment": "dep", "action": "restart"},
}

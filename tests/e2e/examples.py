"""One valid call of every tool: arguments that pass validation, so the call reaches the upstream.

Tests that must reach every tool (redaction, path-parameter checks) start from here; a test in
test_secrets.py fails when a tool has no example, so a new tool cannot be skipped silently.
"""

from __future__ import annotations

from typing import Any

UUID = "0b4f3a52-7c1e-4d2a-9f6b-1e2d3c4b5a69"

EXAMPLE_ARGS: dict[str, dict[str, Any]] = {
    "list_workflows": {},
    "get_workflow": {"workflow_identifier": "greeting"},
    "update_workflow": {"workflow_identifier": "greeting", "display_name": "Hello"},
    "archive_workflow": {"workflow_identifier": "greeting"},
    "unarchive_workflow": {"workflow_identifier": "greeting"},
    "bulk_archive_workflows": {"workflow_ids": [UUID]},
    "list_workflow_registrations": {},
    "get_workflow_registration": {"registration_id": UUID},
    "execute_workflow": {"workflow_identifier": "greeting", "input": {"name": "Ana"}, "wait_seconds": 0},
    "execute_workflow_registration": {"registration_id": UUID, "input": {}, "wait_seconds": 0},
    "get_execution": {"execution_id": "exec-1"},
    "wait_for_execution": {"execution_id": "exec-1", "wait_seconds": 0},
    "query_execution": {"execution_id": "exec-1", "name": "status"},
    "signal_execution": {"execution_id": "exec-1", "name": "approve"},
    "update_execution": {"execution_id": "exec-1", "name": "increment"},
    "cancel_execution": {"execution_ids": ["exec-1"]},
    "reset_execution": {"execution_id": "exec-1", "event_id": 3},
    "list_runs": {},
    "get_run": {"run_id": UUID},
    "get_execution_history": {"execution_id": "exec-1"},
    "get_execution_trace": {"execution_id": "exec-1"},
    "get_execution_logs": {"execution_id": "exec-1"},
    "get_workflow_metrics": {"workflow_name": "greeting"},
    "list_events": {},
    "list_schedules": {},
    "get_schedule": {"schedule_id": "nightly"},
    "create_schedule": {"workflow_identifier": "greeting", "input": {"name": "Ana"}, "every": ["PT1H"]},
    "update_schedule": {"schedule_id": "nightly", "max_executions": 3},
    "pause_schedule": {"schedule_id": "nightly"},
    "trigger_schedule": {"schedule_id": "nightly"},
    "delete_schedule": {"schedule_id": "nightly"},
    "list_deployments": {},
    "get_deployment": {"name": "dep"},
    "list_deployment_workers": {"name": "dep"},
    "get_deployment_logs": {"name": "dep"},
    "create_deployment": {"name": "dep", "github_url": "https://github.com/acme/workers"},
    "update_deployment": {"name": "dep", "replicas": 2},
    "manage_deployment": {"name": "dep", "action": "restart"},
}

"""What every api/ method sends (method, path, query, JSON body) and how it reads the answer.

Each case calls one method against a recording mock transport. The test checks the exact request,
that it routes to the expected spec operation, that query keys are the operation's declared
parameters (arrays as repeated keys), and that the JSON body validates against the spec's request
body schema. The canned replies are themselves checked against the spec's response schemas, so a
model that parses them accepts what the real API sends. Together the cases cover all 49 JSON
operations; the 4 streams are covered in test_sse.py.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.models.deployments import (
    Deployment,
    DeploymentArchive,
    DeploymentResources,
    DeploymentSpec,
    ManagedDeployment,
)
from mcp_workflows.api.models.events import EventPage
from mcp_workflows.api.models.executions import (
    BatchExecutionResponse,
    Execution,
    ExecutionPage,
    ExecutionRequest,
    ExecutionSyncResult,
    HandlerCall,
    QueryReply,
    ResetRequest,
    SignalAccepted,
    UpdateReply,
)
from mcp_workflows.api.models.observability import (
    LogPage,
    TraceEvents,
    TraceInfo,
    TraceOtel,
    TraceSummary,
    WorkflowMetrics,
)
from mcp_workflows.api.models.schedules import (
    PartialScheduleDefinition,
    Schedule,
    ScheduleCalendar,
    ScheduleCreate,
    ScheduleDefinition,
    ScheduleInterval,
    SchedulePage,
    SchedulePolicy,
    ScheduleRange,
    ScheduleRef,
)
from mcp_workflows.api.models.workflows import WorkflowUpdate
from mcp_workflows.api.operations import upstream_operations

from .conftest import SPEC_OPERATIONS, Recorder, match_operation, schema_errors

pytestmark = pytest.mark.anyio

UUID_A = "00000000-0000-4000-8000-00000000000a"
UUID_B = "00000000-0000-4000-8000-00000000000b"
T0 = "2026-01-01T00:00:00Z"
T1 = "2026-01-02T00:00:00Z"

WORKFLOW = {
    "id": UUID_A,
    "name": "greeting",
    "display_name": "Greeting",
    "type": "code",
    "customer_id": UUID_B,
    "workspace_id": UUID_B,
    "archived": False,
    "tags": ["a"],
}
REGISTRATION = {"id": UUID_B, "workflow_id": UUID_A, "definition": {"input_schema": {"type": "object"}}}
EXECUTION = {
    "workflow_name": "greeting",
    "execution_id": "e1",
    "root_execution_id": "e1",
    "status": "RUNNING",
    "start_time": T0,
    "end_time": None,
    "result": None,
}
ENDED = {**EXECUTION, "status": "COMPLETED", "end_time": T1, "result": {"text": "hi"}}
MANAGED = {
    "service_id": "svc",
    "name": "dep",
    "spec": {
        "github_url": "https://github.com/acme/worker",
        "revision": "main",
        "backend_spec": {"type": "mistral_cloud"},
    },
    "resources": {"replicas": 1},
    "status": {"phase": "BUILDING", "ready_replicas": 0, "build_state": {"phase": "RUNNING"}},
    "created_at": T0,
    "updated_at": T0,
}
DEPLOYMENT = {
    "id": UUID_A,
    "name": "dep",
    "is_active": True,
    "created_at": T0,
    "last_heartbeat": T0,
    "updated_at": T0,
    "worker_count": 2,
    "active_worker_count": 1,
    "locations": ["managed"],
    "managed": MANAGED,
}
WORKER = {"name": "w1", "created_at": T0, "last_heartbeat": T0, "updated_at": T0, "is_active": True}
SCHEDULE = {
    "schedule_id": "s1",
    "workflow_name": "greeting",
    "input": {"name": "x"},
    "paused": False,
    "cron_expressions": ["0 9 * * *"],
    "policy": {"overlap": 2, "catchup_window_seconds": 60, "pause_on_failure": True},
    "future_executions": [{"scheduled_at": T1}],
    "recent_executions": [{"execution_id": "e0", "scheduled_at": T0, "started_at": T0}],
}
LOG = {"timestamp": T0, "trace_id": "t", "span_id": "s", "severity_text": "INFO", "body": "hello", "log_attributes": {}}
EVENT = {
    "event_id": "ev1",
    "event_timestamp": 1_767_225_600_000_000_000,
    "root_workflow_exec_id": "e1",
    "parent_workflow_exec_id": None,
    "continued_run_id": None,
    "first_execution_run_id": None,
    "schedule_id": None,
    "workflow_exec_id": "e1",
    "workflow_run_id": "r1",
    "workflow_name": "greeting",
    "event_type": "WORKFLOW_EXECUTION_STARTED",
    "attributes": {"task_id": "1", "workflow_name": "greeting", "input": {"type": "json", "value": {}}},
}
TRACED = {**ENDED, "run_id": UUID_B}
SPAN = {
    "span_id": "s1",
    "name": "workflow",
    "start_time_unix_nano": 1,
    "end_time_unix_nano": 2,
    "attributes": {"k": "v"},
    "events": [{"id": "1", "name": "started", "timestamp_unix_nano": 1, "attributes": {}}],
    "children": [],
}
METRICS = {
    "execution_count": {"value": 10},
    "success_count": {"value": 8},
    "error_count": {"value": 2},
    "average_latency_ms": {"value": 12.5},
    "retry_rate": {"value": 0.1},
    "latency_over_time": {"value": [[1767225600, 12.5]]},
}


@dataclass
class Case:
    """One api/ call and the exact request it must produce."""

    label: str
    call: Callable[[WorkflowsClient], Awaitable[Any]]
    operation_id: str
    path: str
    query: dict[str, list[str]] = field(default_factory=lambda: {})
    body: Any = None
    status: int = 200
    reply: Any = None
    check: Callable[[Any], object] | None = None


def _is(kind: type, **expected: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert isinstance(result, kind), type(result)
        for name, value in expected.items():
            assert getattr(result, name) == value, name

    return check


CASES: list[Case] = [
    # workflows and registrations
    Case(
        "list workflows",
        lambda c: c.workflows.list(search="gr", tags=["a", "b"], archived=False, limit=5, cursor="c1"),
        "get_workflows_v1_workflows_get",
        "/v1/workflows",
        {"search": ["gr"], "tags": ["a", "b"], "archived": ["false"], "limit": ["5"], "cursor": ["c1"]},
        reply={"workflows": [WORKFLOW], "next_cursor": "c2"},
        check=lambda r: (r.next_cursor == "c2" and r.workflows[0].name == "greeting") or pytest.fail(str(r)),
    ),
    Case(
        "get workflow",
        lambda c: c.workflows.get("greeting"),
        "get_workflow_v1_workflows__workflow_identifier__get",
        "/v1/workflows/greeting",
        reply={"workflow": {**WORKFLOW, "active": True}},
        check=lambda r: r.active is True or pytest.fail(str(r)),
    ),
    Case(
        "update workflow",
        lambda c: c.workflows.update("greeting", WorkflowUpdate(display_name="Hi", tags=[])),
        "update_workflow_v1_workflows__workflow_identifier__put",
        "/v1/workflows/greeting",
        body={"display_name": "Hi", "tags": []},
        reply={"workflow": WORKFLOW},
    ),
    Case(
        "archive workflow",
        lambda c: c.workflows.archive(UUID_A),
        "archive_workflow_v1_workflows__workflow_identifier__archive_put",
        f"/v1/workflows/{UUID_A}/archive",
        reply={"workflow": {**WORKFLOW, "archived": True}},
        check=lambda r: r.archived or pytest.fail(str(r)),
    ),
    Case(
        "unarchive workflow",
        lambda c: c.workflows.unarchive(UUID_A),
        "unarchive_workflow_v1_workflows__workflow_identifier__unarchive_put",
        f"/v1/workflows/{UUID_A}/unarchive",
        reply={"workflow": WORKFLOW},
    ),
    Case(
        "add workflow tags",
        lambda c: c.workflows.add_tags("greeting", ["nightly", "ops"]),
        "add_workflow_tags_v1_workflows__workflow_identifier__tags_post",
        "/v1/workflows/greeting/tags",
        body={"tags": ["nightly", "ops"]},
        status=204,
    ),
    Case(
        "bulk archive",
        lambda c: c.workflows.bulk_archive([UUID_A, UUID_B]),
        "bulk_archive_workflows_v1_workflows_archive_put",
        "/v1/workflows/archive",
        body={"workflow_ids": [UUID_A, UUID_B]},
        reply={"archived": [WORKFLOW], "errored": [{"workflow_id": UUID_B, "message": "not found"}]},
        check=lambda r: (len(r.done) == 1 and r.errored[0]["workflow_id"] == UUID_B) or pytest.fail(str(r)),
    ),
    Case(
        "bulk unarchive",
        lambda c: c.workflows.bulk_unarchive([UUID_A]),
        "bulk_unarchive_workflows_v1_workflows_unarchive_put",
        "/v1/workflows/unarchive",
        body={"workflow_ids": [UUID_A]},
        reply={"unarchived": [WORKFLOW], "errored": []},
        check=lambda r: (len(r.done) == 1 and not r.errored) or pytest.fail(str(r)),
    ),
    Case(
        "list registrations",
        lambda c: c.workflows.list_registrations(workflow_id=UUID_A, active_only=True, with_workflow=True, limit=2),
        "get_workflow_registrations_v1_workflows_registrations_get",
        "/v1/workflows/registrations",
        {"workflow_id": [UUID_A], "active_only": ["true"], "with_workflow": ["true"], "limit": ["2"]},
        reply={"workflow_registrations": [REGISTRATION], "next_cursor": None, "workflow_versions": []},
    ),
    Case(
        "get registration",
        lambda c: c.workflows.get_registration(UUID_B, with_workflow=True),
        "get_workflow_registration_v1_workflows_registrations__workflow_registration_id__get",
        f"/v1/workflows/registrations/{UUID_B}",
        {"with_workflow": ["true"]},
        reply={
            "workflow_registration": {**REGISTRATION, "active": True},
            "workflow_version": {**REGISTRATION, "active": True},
        },
    ),
    Case(
        "execute",
        lambda c: c.workflows.execute("greeting", ExecutionRequest(execution_id="e1", input={"name": "x"})),
        "execute_workflow_v1_workflows__workflow_identifier__execute_post",
        "/v1/workflows/greeting/execute",
        body={"execution_id": "e1", "input": {"name": "x"}, "wait_for_result": False},
        reply=EXECUTION,
        check=_is(Execution, execution_id="e1", status="RUNNING"),
    ),
    Case(
        "execute registration and wait",
        lambda c: c.workflows.execute_registration(UUID_B, ExecutionRequest(wait_for_result=True, timeout_seconds=5)),
        "execute_workflow_registration_v1_workflows_registrations__workflow_registration_id__execute_post",
        f"/v1/workflows/registrations/{UUID_B}/execute",
        body={"wait_for_result": True, "timeout_seconds": 5.0},
        reply={"workflow_name": "greeting", "execution_id": "e1", "result": {"text": "hi"}},
        check=_is(ExecutionSyncResult, result={"text": "hi"}),
    ),
    # executions
    Case(
        "get execution",
        lambda c: c.executions.get("e1"),
        "get_workflow_execution_v1_workflows_executions__execution_id__get",
        "/v1/workflows/executions/e1",
        reply=ENDED,
        check=lambda r: r.is_terminal or pytest.fail(str(r)),
    ),
    Case(
        "execution history",
        lambda c: c.executions.history("e1", decode_payloads=True),
        "get_workflow_execution_history_v1_workflows_executions__execution_id__history_get",
        "/v1/workflows/executions/e1/history",
        {"decode_payloads": ["true"]},
        reply={"events": [{"eventId": "1"}]},
        check=lambda r: r == {"events": [{"eventId": "1"}]} or pytest.fail(str(r)),
    ),
    Case(
        "signal",
        lambda c: c.executions.signal("e1", HandlerCall(name="approve", input={"ok": True})),
        "signal_workflow_execution_v1_workflows_executions__execution_id__signals_post",
        "/v1/workflows/executions/e1/signals",
        body={"name": "approve", "input": {"ok": True}},
        status=202,
        reply={"message": "Signal accepted"},
        check=_is(SignalAccepted, message="Signal accepted"),
    ),
    Case(
        "query",
        lambda c: c.executions.query("e1", HandlerCall(name="status")),
        "query_workflow_execution_v1_workflows_executions__execution_id__queries_post",
        "/v1/workflows/executions/e1/queries",
        body={"name": "status", "input": None},
        reply={"query_name": "status", "result": {"step": 2}},
        check=_is(QueryReply, result={"step": 2}),
    ),
    Case(
        "update",
        lambda c: c.executions.update("e1", HandlerCall(name="set", input={"v": 2})),
        "update_workflow_execution_v1_workflows_executions__execution_id__updates_post",
        "/v1/workflows/executions/e1/updates",
        body={"name": "set", "input": {"v": 2}},
        reply={"update_name": "set", "result": 2},
        check=_is(UpdateReply, update_name="set", result=2),
    ),
    Case(
        "cancel",
        lambda c: c.executions.cancel("e1"),
        "cancel_workflow_execution_v1_workflows_executions__execution_id__cancel_post",
        "/v1/workflows/executions/e1/cancel",
        status=204,
        check=lambda r: r is None or pytest.fail(str(r)),
    ),
    Case(
        "terminate",
        lambda c: c.executions.terminate("e1"),
        "terminate_workflow_execution_v1_workflows_executions__execution_id__terminate_post",
        "/v1/workflows/executions/e1/terminate",
        status=204,
    ),
    Case(
        "batch cancel",
        lambda c: c.executions.batch_cancel(["e1", "e2"]),
        "batch_cancel_workflow_executions_v1_workflows_executions_cancel_post",
        "/v1/workflows/executions/cancel",
        body={"execution_ids": ["e1", "e2"]},
        reply={"results": {"e1": {"status": "canceled"}, "e2": {"status": "error", "error": "not running"}}},
        check=lambda r: (
            (isinstance(r, BatchExecutionResponse) and set(r.failed) == {"e2"} and r.results["e1"].error is None)
            or pytest.fail(str(r))
        ),
    ),
    Case(
        "batch terminate",
        lambda c: c.executions.batch_terminate(["e1"]),
        "batch_terminate_workflow_executions_v1_workflows_executions_terminate_post",
        "/v1/workflows/executions/terminate",
        body={"execution_ids": ["e1"]},
        reply={"results": {"e1": {"status": "terminated"}}},
    ),
    Case(
        "reset",
        lambda c: c.executions.reset("e1", ResetRequest(event_id=4, reason="retry", exclude_signals=True)),
        "reset_workflow_v1_workflows_executions__execution_id__reset_post",
        "/v1/workflows/executions/e1/reset",
        body={"event_id": 4, "reason": "retry", "exclude_signals": True, "exclude_updates": False},
        status=204,
    ),
    # observability
    Case(
        "trace info",
        lambda c: c.observability.trace_info("e1"),
        "get_workflow_execution_trace_info",
        "/v1/workflows/executions/e1/trace/info",
        reply={"otel_trace_id": "abc", "has_trace_data": True},
        check=_is(TraceInfo, otel_trace_id="abc", has_trace_data=True),
    ),
    Case(
        "trace otel",
        lambda c: c.observability.trace_otel("e1"),
        "get_workflow_execution_trace_otel",
        "/v1/workflows/executions/e1/trace/otel",
        reply={**TRACED, "data_source": "tempo", "otel_trace_id": "abc", "otel_trace_data": {"batches": []}},
        check=_is(TraceOtel, data_source="tempo", otel_trace_data={"batches": []}),
    ),
    Case(
        "trace summary",
        lambda c: c.observability.trace_summary("e1"),
        "get_workflow_execution_trace_summary",
        "/v1/workflows/executions/e1/trace/summary",
        reply={**TRACED, "span_tree": SPAN},
        check=lambda r: (
            (isinstance(r, TraceSummary) and r.span_tree is not None and r.span_tree.events[0].name == "started")
            or pytest.fail(str(r))
        ),
    ),
    Case(
        "trace events",
        lambda c: c.observability.trace_events("e1", include_internal_events=False, merge_same_id_events=True),
        "get_workflow_execution_trace_events",
        "/v1/workflows/executions/e1/trace/events",
        {"include_internal_events": ["false"], "merge_same_id_events": ["true"]},
        reply={**TRACED, "events": SPAN["events"]},
        check=lambda r: (isinstance(r, TraceEvents) and r.events[0].id == "1") or pytest.fail(str(r)),
    ),
    Case(
        "execution logs",
        lambda c: c.observability.execution_logs(
            "e1", run_id=UUID_B, activity_id="7", after=T0, before=T1, order="desc", limit=10
        ),
        "get_workflow_execution_logs",
        "/v1/workflows/executions/e1/logs",
        {
            "run_id": [UUID_B],
            "activity_id": ["7"],
            "after": [T0],
            "before": [T1],
            "order": ["desc"],
            "limit": ["10"],
        },
        reply={"results": [LOG], "next_cursor": "n1"},
        check=lambda r: (isinstance(r, LogPage) and r.results[0].body == "hello") or pytest.fail(str(r)),
    ),
    Case(
        "execution logs next page",
        lambda c: c.observability.execution_logs("e1", cursor="n1"),
        "get_workflow_execution_logs",
        "/v1/workflows/executions/e1/logs",
        {"cursor": ["n1"]},
        reply={"results": [], "next_cursor": None},
    ),
    Case(
        "workflow metrics",
        lambda c: c.observability.metrics("greeting", start_time=T0, end_time=T1),
        "get_workflow_metrics_v1_workflows__workflow_name__metrics_get",
        "/v1/workflows/greeting/metrics",
        {"start_time": [T0], "end_time": [T1]},
        reply=METRICS,
        check=lambda r: (
            (
                isinstance(r, WorkflowMetrics)
                and r.error_count.value == 2
                and r.latency_over_time.value == [(1767225600, 12.5)]
            )
            or pytest.fail(str(r))
        ),
    ),
    # runs
    Case(
        "list runs",
        lambda c: c.runs.list(
            workflow_identifier="greeting",
            root_execution_id="e0",
            search="gre",
            status=["RUNNING", "FAILED"],
            deployment_name="dep",
            user_id="current",
            workflow_tags=["a", "b"],
            search_key=["k:v", "x:y"],
            include_internal=False,
            start_time_after=T0,
            start_time_before=T1,
            end_time_after=T0,
            end_time_before=T1,
            sort_by="start_time",
            order="asc",
            page_size=20,
            next_page_token="p2",
        ),
        "list_runs_v1_workflows_runs_get",
        "/v1/workflows/runs",
        {
            "workflow_identifier": ["greeting"],
            "root_execution_id": ["e0"],
            "search": ["gre"],
            "status": ["RUNNING", "FAILED"],
            "deployment_name": ["dep"],
            "user_id": ["current"],
            "workflow_tags": ["a", "b"],
            "search_key": ["k:v", "x:y"],
            "include_internal": ["false"],
            "start_time_after": [T0],
            "start_time_before": [T1],
            "end_time_after": [T0],
            "end_time_before": [T1],
            "sort_by": ["start_time"],
            "order": ["asc"],
            "page_size": ["20"],
            "next_page_token": ["p2"],
        },
        reply={"executions": [{k: v for k, v in ENDED.items() if k != "result"}], "next_page_token": "p3"},
        check=lambda r: (
            (isinstance(r, ExecutionPage) and r.next_page_token == "p3" and r.executions[0].end_time == T1)
            or pytest.fail(str(r))
        ),
    ),
    Case(
        "get run",
        lambda c: c.runs.get(UUID_B),
        "get_run_v1_workflows_runs__run_id__get",
        f"/v1/workflows/runs/{UUID_B}",
        reply=ENDED,
        check=_is(Execution, status="COMPLETED"),
    ),
    Case(
        "run history",
        lambda c: c.runs.history(UUID_B, decode_payloads=False),
        "get_run_history_v1_workflows_runs__run_id__history_get",
        f"/v1/workflows/runs/{UUID_B}/history",
        {"decode_payloads": ["false"]},
        reply={"events": []},
    ),
    # schedules
    Case(
        "list schedules",
        lambda c: c.schedules.list(workflow_name="greeting", user_id="current", status="paused", search="gr"),
        "get_schedules_v1_workflows_schedules_get",
        "/v1/workflows/schedules",
        {
            "workflow_name": ["greeting"],
            "user_id": ["current"],
            "status": ["paused"],
            "search": ["gr"],
            "page_size": ["50"],
        },
        reply={"schedules": [SCHEDULE], "next_page_token": None},
        check=lambda r: (isinstance(r, SchedulePage) and r.schedules[0].policy.overlap == 2) or pytest.fail(str(r)),
    ),
    Case(
        "create schedule",
        lambda c: c.schedules.create(
            ScheduleCreate(
                schedule=ScheduleDefinition(
                    input={"name": "x"},
                    cron_expressions=["0 9 * * 1-5"],
                    intervals=[ScheduleInterval(every="PT4H", offset="PT30M")],
                    calendars=[ScheduleCalendar(hour=[ScheduleRange(start=9)], day_of_week=[ScheduleRange(start=1)])],
                    skip=[ScheduleCalendar(month=[ScheduleRange(start=12)], day_of_month=[ScheduleRange(start=25)])],
                    start_at=T0,
                    end_at=T1,
                    jitter="PT1M",
                    time_zone_name="Europe/Paris",
                    max_executions=10,
                    policy=SchedulePolicy(overlap=6, catchup_window_seconds=3600, pause_on_failure=True),
                ),
                workflow_identifier="greeting",
                deployment_name="dep",
                schedule_id="s1",
            )
        ),
        "schedule_workflow_v1_workflows_schedules_post",
        "/v1/workflows/schedules",
        body={
            "schedule": {
                "input": {"name": "x"},
                "cron_expressions": ["0 9 * * 1-5"],
                "intervals": [{"every": "PT4H", "offset": "PT30M"}],
                "calendars": [{"hour": [{"start": 9}], "day_of_week": [{"start": 1}]}],
                "skip": [{"month": [{"start": 12}], "day_of_month": [{"start": 25}]}],
                "start_at": T0,
                "end_at": T1,
                "jitter": "PT1M",
                "time_zone_name": "Europe/Paris",
                "max_executions": 10,
                "policy": {"overlap": 6, "catchup_window_seconds": 3600, "pause_on_failure": True},
            },
            "workflow_identifier": "greeting",
            "deployment_name": "dep",
            "schedule_id": "s1",
        },
        status=201,
        reply={"schedule_id": "s1"},
        check=lambda r: r == "s1" or pytest.fail(str(r)),
    ),
    Case(
        "create schedule with null input",
        lambda c: c.schedules.create(
            ScheduleCreate(schedule=ScheduleDefinition(input=None, intervals=[ScheduleInterval(every="PT1H")]))
        ),
        "schedule_workflow_v1_workflows_schedules_post",
        "/v1/workflows/schedules",
        body={"schedule": {"input": None, "intervals": [{"every": "PT1H"}]}},
        status=201,
        reply={"schedule_id": "generated"},
    ),
    Case(
        "get schedule",
        lambda c: c.schedules.get("s1"),
        "get_schedule_v1_workflows_schedules__schedule_id__get",
        "/v1/workflows/schedules/s1",
        reply=SCHEDULE,
        check=lambda r: (
            (
                isinstance(r, Schedule)
                and r.recent_executions[0].execution_id == "e0"
                and r.future_executions[0].scheduled_at == T1
            )
            or pytest.fail(str(r))
        ),
    ),
    Case(
        "patch schedule",
        lambda c: c.schedules.update("s1", PartialScheduleDefinition(cron_expressions=["0 10 * * *"])),
        "update_schedule_v1_workflows_schedules__schedule_id__patch",
        "/v1/workflows/schedules/s1",
        body={"schedule": {"cron_expressions": ["0 10 * * *"]}},
        reply={"schedule_id": "s1"},
        check=_is(ScheduleRef, schedule_id="s1"),
    ),
    Case(
        "delete schedule",
        lambda c: c.schedules.delete("s1"),
        "unschedule_workflow_v1_workflows_schedules__schedule_id__delete",
        "/v1/workflows/schedules/s1",
        status=204,
    ),
    Case(
        "pause schedule with note",
        lambda c: c.schedules.pause("s1", "holidays"),
        "pause_schedule_v1_workflows_schedules__schedule_id__pause_post",
        "/v1/workflows/schedules/s1/pause",
        body={"note": "holidays"},
        status=204,
    ),
    Case(
        "pause schedule without note",
        lambda c: c.schedules.pause("s1"),
        "pause_schedule_v1_workflows_schedules__schedule_id__pause_post",
        "/v1/workflows/schedules/s1/pause",
        status=204,
    ),
    Case(
        "resume schedule",
        lambda c: c.schedules.resume("s1", "back"),
        "resume_schedule_v1_workflows_schedules__schedule_id__resume_post",
        "/v1/workflows/schedules/s1/resume",
        body={"note": "back"},
        status=204,
    ),
    Case(
        "trigger schedule forcing overlap",
        lambda c: c.schedules.trigger("s1", 6),
        "trigger_schedule_v1_workflows_schedules__schedule_id__trigger_post",
        "/v1/workflows/schedules/s1/trigger",
        body={"overlap": 6},
        status=204,
    ),
    Case(
        "trigger schedule",
        lambda c: c.schedules.trigger("s1"),
        "trigger_schedule_v1_workflows_schedules__schedule_id__trigger_post",
        "/v1/workflows/schedules/s1/trigger",
        status=204,
    ),
    # deployments
    Case(
        "list deployments",
        lambda c: c.deployments.list(
            active_only=False,
            is_hardened=True,
            workflow_name="greeting",
            search="de",
            order_by="created_at",
            order="asc",
            limit=10,
            cursor="c1",
            workspace_id=UUID_B,
        ),
        "list_deployments_v1_workflows_deployments_get",
        "/v1/workflows/deployments",
        {
            "active_only": ["false"],
            "is_hardened": ["true"],
            "workflow_name": ["greeting"],
            "search": ["de"],
            "order_by": ["created_at"],
            "order": ["asc"],
            "limit": ["10"],
            "cursor": ["c1"],
            "workspace_id": [UUID_B],
        },
        reply={"deployments": [DEPLOYMENT], "next_cursor": None, "workspace_id": UUID_B},
        check=lambda r: (r.deployments[0].managed.status.build_state.phase == "RUNNING") or pytest.fail(str(r)),
    ),
    Case(
        "get deployment",
        lambda c: c.deployments.get("dep", workflow_name="greeting"),
        "get_deployment_v1_workflows_deployments__name__get",
        "/v1/workflows/deployments/dep",
        {"workflow_name": ["greeting"]},
        reply={**DEPLOYMENT, "workers": [WORKER]},
        check=lambda r: (
            (isinstance(r, Deployment) and r.workers is not None and r.workers[0].name == "w1") or pytest.fail(str(r))
        ),
    ),
    Case(
        "list workers",
        lambda c: c.deployments.workers("dep", worker_status="active", limit=5, cursor="c1"),
        "list_deployment_workers_v1_workflows_deployments__name__workers_get",
        "/v1/workflows/deployments/dep/workers",
        {"worker_status": ["active"], "limit": ["5"], "cursor": ["c1"]},
        reply={"workers": [WORKER], "next_cursor": None},
        check=lambda r: r.workers[0].is_active or pytest.fail(str(r)),
    ),
    Case(
        "deployment logs",
        lambda c: c.deployments.logs("dep", worker_name="w1", workflow_name="greeting", after=T0, order="asc"),
        "get_deployment_logs",
        "/v1/workflows/deployments/dep/logs",
        {"worker_name": ["w1"], "workflow_name": ["greeting"], "after": [T0], "order": ["asc"]},
        reply={"results": [LOG], "next_cursor": None},
    ),
    Case(
        "create deployment",
        lambda c: c.deployments.create(
            "dep",
            DeploymentSpec(
                github_url="https://github.com/acme/worker",
                revision="v1",
                backend_spec={"type": "mistral_cloud", "dockerfile_path": "Dockerfile"},
            ),
            DeploymentResources(replicas=2),
            hardened=True,
        ),
        "create_deployment_v1_workflows_deployments_post",
        "/v1/workflows/deployments",
        body={
            "name": "dep",
            "spec": {
                "github_url": "https://github.com/acme/worker",
                "revision": "v1",
                "backend_spec": {"type": "mistral_cloud", "dockerfile_path": "Dockerfile"},
            },
            "resources": {"replicas": 2},
            "hardened": True,
        },
        status=202,
        reply=MANAGED,
        check=lambda r: (isinstance(r, ManagedDeployment) and r.status.phase == "BUILDING") or pytest.fail(str(r)),
    ),
    Case(
        "patch deployment",
        lambda c: c.deployments.update(
            "dep", spec=DeploymentSpec(revision="v2"), resources=DeploymentResources(replicas=3)
        ),
        "update_deployment_v1_workflows_deployments__name__patch",
        "/v1/workflows/deployments/dep",
        body={"spec": {"revision": "v2"}, "resources": {"replicas": 3}},
        status=202,
        reply=MANAGED,
    ),
    Case(
        "deployment archive",
        lambda c: c.deployments.archive("dep"),
        "get_deployment_archive_v1_workflows_deployments__name__archive_get",
        "/v1/workflows/deployments/dep/archive",
        reply={"archive_id": "arch-1", "download_url": "https://files.example/arch-1?sig=x"},
        check=lambda r: (isinstance(r, DeploymentArchive) and r.archive_id == "arch-1") or pytest.fail(str(r)),
    ),
    Case(
        "unharden deployment",
        lambda c: c.deployments.unharden(UUID_A, workspace_id=UUID_B),
        "unharden_deployment_v1_workflows_deployments__deployment_id__unharden_post",
        f"/v1/workflows/deployments/{UUID_A}/unharden",
        {"workspace_id": [UUID_B]},
        status=204,
    ),
    Case(
        "delete deployment",
        lambda c: c.deployments.delete("dep"),
        "delete_deployment_v1_workflows_deployments__name__delete",
        "/v1/workflows/deployments/dep",
        status=202,
        reply=MANAGED,
    ),
    Case(
        "stop deployment",
        lambda c: c.deployments.stop("dep"),
        "stop_deployment_v1_workflows_deployments__name__stop_post",
        "/v1/workflows/deployments/dep/stop",
        status=202,
        reply={**MANAGED, "stopped": True},
        check=_is(ManagedDeployment, stopped=True),
    ),
    Case(
        "start deployment",
        lambda c: c.deployments.start("dep"),
        "start_deployment_v1_workflows_deployments__name__start_post",
        "/v1/workflows/deployments/dep/start",
        status=202,
        reply=MANAGED,
    ),
    Case(
        "restart deployment",
        lambda c: c.deployments.restart("dep"),
        "restart_deployment_v1_workflows_deployments__name__restart_post",
        "/v1/workflows/deployments/dep/restart",
        status=202,
        reply=MANAGED,
    ),
    # events
    Case(
        "list events",
        lambda c: c.events.list(root_workflow_exec_id="e0", workflow_exec_id="e1", workflow_run_id="r1", limit=100),
        "get_workflow_events_v1_workflows_events_list_get",
        "/v1/workflows/events/list",
        {"root_workflow_exec_id": ["e0"], "workflow_exec_id": ["e1"], "workflow_run_id": ["r1"], "limit": ["100"]},
        reply={"events": [EVENT], "next_cursor": "c2"},
        check=lambda r: (isinstance(r, EventPage) and r.events[0].attributes["task_id"] == "1") or pytest.fail(str(r)),
    ),
]

STREAM_OPERATIONS = {op_id for op_id, op in SPEC_OPERATIONS.items() if op["success_media_type"] == "text/event-stream"}


def test_the_cases_cover_every_json_operation() -> None:
    assert len(STREAM_OPERATIONS) == 4
    covered = {case.operation_id for case in CASES}
    assert covered == {op.operation_id for op in upstream_operations()} - STREAM_OPERATIONS


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_canned_replies_are_valid_upstream_responses(case: Case) -> None:
    op = SPEC_OPERATIONS[case.operation_id]
    assert case.status == op["success_status"]
    if op["response_schema"] is None:
        assert case.reply is None
    else:
        assert schema_errors(case.operation_id, "response_schema", case.reply) == []


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
async def test_request_shape(recorder: Recorder, case: Case) -> None:
    recorder.reply = lambda request: (
        httpx2.Response(case.status) if case.reply is None else httpx2.Response(case.status, json=case.reply)
    )
    result = await case.call(recorder.client())

    assert len(recorder.requests) == 1
    request = recorder.requests[0]
    op = SPEC_OPERATIONS[case.operation_id]
    assert request.method == op["method"]
    assert request.url.raw_path.decode().split("?")[0] == case.path
    assert match_operation(request.method, request.url.path) == case.operation_id
    assert request.headers["authorization"] == "Bearer test-key"

    sent_query = {key: request.url.params.get_list(key) for key in request.url.params}
    assert sent_query == case.query
    declared = {p["name"] for p in op["parameters"] if p["in"] == "query"}
    assert set(sent_query) <= declared

    body = json.loads(request.content) if request.content else None
    assert body == case.body
    if body is not None:
        assert op["request_body"] is not None, "this operation takes no body"
        assert schema_errors(case.operation_id, "request_body/schema", body) == []
    else:
        assert op["request_body"] is None or not op["request_body"]["required"]

    if case.check is not None:
        case.check(result)

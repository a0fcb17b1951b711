"""Example calls of every api/ method: the request each must send, and an upstream answer it must read.

One table, two tests. tests/api/test_requests.py sends each example over a recording mock transport and checks
the exact request (method, path, query, JSON body, against the live contract too) and what the method makes of
the canned answer. tests/contract/test_our_requests_match_sdk.py sends each again with every keyword parameter it
leaves out set from SAMPLES, and compares the request with the official SDK's request model. A new api/ method
needs one row here (and a SAMPLES value for a keyword name not seen before); test_requests.py fails, naming what
is missing, until every method and every upstream operation has an example.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from mcp_workflows.api import deployments, events, executions, observability, runs, schedules, workflows
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
from mcp_workflows.api.operations import AREAS, Operation

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


@dataclass(frozen=True)
class Call:
    """A call of one api/ method: `area.name` on WorkflowsClient, with its arguments."""

    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def on(self, client: WorkflowsClient) -> Any:
        area, name = self.method.split(".")
        return getattr(getattr(client, area), name)(*self.args, **self.kwargs)


def call(method: str, *args: Any, **kwargs: Any) -> Call:
    return Call(method, args, kwargs)


@dataclass
class Example:
    """One api/ call, the exact request it must produce, and a canned answer (with what must be read from it)."""

    call: Call
    operation: Operation
    path: str
    query: dict[str, list[str]] = field(default_factory=lambda: {})
    body: Any = None
    status: int = 200
    reply: Any = None
    check: Callable[[Any], object] | None = None
    label: str = ""  # tells two examples of one method apart

    @property
    def id(self) -> str:
        return f"{self.call.method} ({self.label})" if self.label else self.call.method


def _is(kind: type, **expected: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert isinstance(result, kind), type(result)
        for name, value in expected.items():
            assert getattr(result, name) == value, name

    return check


EXAMPLES: list[Example] = [
    # workflows and registrations
    Example(
        call("workflows.list", search="gr", tags=["a", "b"], archived=False, limit=5, cursor="c1"),
        workflows.LIST_WORKFLOWS,
        "/v1/workflows",
        {"search": ["gr"], "tags": ["a", "b"], "archived": ["false"], "limit": ["5"], "cursor": ["c1"]},
        reply={"workflows": [WORKFLOW], "next_cursor": "c2"},
        check=lambda r: (r.next_cursor == "c2" and r.workflows[0].name == "greeting") or pytest.fail(str(r)),
    ),
    Example(
        call("workflows.get", "greeting"),
        workflows.GET_WORKFLOW,
        "/v1/workflows/greeting",
        reply={"workflow": {**WORKFLOW, "active": True}},
        check=lambda r: r.active is True or pytest.fail(str(r)),
    ),
    Example(
        call("workflows.update", "greeting", WorkflowUpdate(display_name="Hi", tags=[])),
        workflows.UPDATE_WORKFLOW,
        "/v1/workflows/greeting",
        body={"display_name": "Hi", "tags": []},
        reply={"workflow": WORKFLOW},
        label="clear tags",
    ),
    Example(
        call(
            "workflows.update",
            "greeting",
            WorkflowUpdate(display_name="Hi", description="d", available_in_chat_assistant=True, tags=["a"]),
        ),
        workflows.UPDATE_WORKFLOW,
        "/v1/workflows/greeting",
        body={"display_name": "Hi", "description": "d", "available_in_chat_assistant": True, "tags": ["a"]},
        reply={"workflow": WORKFLOW},
    ),
    Example(
        call("workflows.archive", UUID_A),
        workflows.ARCHIVE_WORKFLOW,
        f"/v1/workflows/{UUID_A}/archive",
        reply={"workflow": {**WORKFLOW, "archived": True}},
        check=lambda r: r.archived or pytest.fail(str(r)),
    ),
    Example(
        call("workflows.unarchive", UUID_A),
        workflows.UNARCHIVE_WORKFLOW,
        f"/v1/workflows/{UUID_A}/unarchive",
        reply={"workflow": WORKFLOW},
    ),
    Example(
        call("workflows.add_tags", "greeting", ["nightly", "ops"]),
        workflows.ADD_WORKFLOW_TAGS,
        "/v1/workflows/greeting/tags",
        body={"tags": ["nightly", "ops"]},
        status=204,
    ),
    Example(
        call("workflows.bulk_archive", [UUID_A, UUID_B]),
        workflows.BULK_ARCHIVE,
        "/v1/workflows/archive",
        body={"workflow_ids": [UUID_A, UUID_B]},
        reply={"archived": [WORKFLOW], "errored": [{"workflow_id": UUID_B, "message": "not found"}]},
        check=lambda r: (len(r.done) == 1 and r.errored[0]["workflow_id"] == UUID_B) or pytest.fail(str(r)),
    ),
    Example(
        call("workflows.bulk_unarchive", [UUID_A]),
        workflows.BULK_UNARCHIVE,
        "/v1/workflows/unarchive",
        body={"workflow_ids": [UUID_A]},
        reply={"unarchived": [WORKFLOW], "errored": []},
        check=lambda r: (len(r.done) == 1 and not r.errored) or pytest.fail(str(r)),
    ),
    Example(
        call("workflows.list_registrations", workflow_id=UUID_A, active_only=True, with_workflow=True, limit=2),
        workflows.LIST_REGISTRATIONS,
        "/v1/workflows/registrations",
        {"workflow_id": [UUID_A], "active_only": ["true"], "with_workflow": ["true"], "limit": ["2"]},
        reply={"workflow_registrations": [REGISTRATION], "next_cursor": None, "workflow_versions": []},
    ),
    Example(
        call("workflows.get_registration", UUID_B, with_workflow=True),
        workflows.GET_REGISTRATION,
        f"/v1/workflows/registrations/{UUID_B}",
        {"with_workflow": ["true"]},
        reply={
            "workflow_registration": {**REGISTRATION, "active": True},
            "workflow_version": {**REGISTRATION, "active": True},
        },
    ),
    Example(
        call("workflows.execute", "greeting", ExecutionRequest(execution_id="e1", input={"name": "x"})),
        workflows.EXECUTE_WORKFLOW,
        "/v1/workflows/greeting/execute",
        body={"execution_id": "e1", "input": {"name": "x"}, "wait_for_result": False},
        reply=EXECUTION,
        check=_is(Execution, execution_id="e1", status="RUNNING"),
    ),
    Example(
        call(
            "workflows.execute",
            "greeting",
            ExecutionRequest(
                execution_id="e1",
                input={"name": "x"},
                wait_for_result=True,
                timeout_seconds=5,
                deployment_name="dep",
                custom_tracing_attributes={"k": "v"},
            ),
        ),
        workflows.EXECUTE_WORKFLOW,
        "/v1/workflows/greeting/execute",
        body={
            "execution_id": "e1",
            "input": {"name": "x"},
            "wait_for_result": True,
            "timeout_seconds": 5.0,
            "deployment_name": "dep",
            "custom_tracing_attributes": {"k": "v"},
        },
        reply={"workflow_name": "greeting", "execution_id": "e1", "result": {"text": "hi"}},
        check=_is(ExecutionSyncResult, result={"text": "hi"}),
        label="every field, waiting",
    ),
    Example(
        call("workflows.execute_registration", UUID_B, ExecutionRequest(wait_for_result=True, timeout_seconds=5)),
        workflows.EXECUTE_REGISTRATION,
        f"/v1/workflows/registrations/{UUID_B}/execute",
        body={"wait_for_result": True, "timeout_seconds": 5.0},
        reply={"workflow_name": "greeting", "execution_id": "e1", "result": {"text": "hi"}},
        check=_is(ExecutionSyncResult, result={"text": "hi"}),
    ),
    # executions
    Example(
        call("executions.get", "e1"),
        executions.GET_EXECUTION,
        "/v1/workflows/executions/e1",
        reply=ENDED,
        check=lambda r: r.is_terminal or pytest.fail(str(r)),
    ),
    Example(
        call("executions.history", "e1", decode_payloads=True),
        executions.GET_HISTORY,
        "/v1/workflows/executions/e1/history",
        {"decode_payloads": ["true"]},
        reply={"events": [{"eventId": "1"}]},
        check=lambda r: r == {"events": [{"eventId": "1"}]} or pytest.fail(str(r)),
    ),
    Example(
        call("executions.signal", "e1", HandlerCall(name="approve", input={"ok": True})),
        executions.SIGNAL,
        "/v1/workflows/executions/e1/signals",
        body={"name": "approve", "input": {"ok": True}},
        status=202,
        reply={"message": "Signal accepted"},
        check=_is(SignalAccepted, message="Signal accepted"),
    ),
    Example(
        call("executions.query", "e1", HandlerCall(name="status")),
        executions.QUERY,
        "/v1/workflows/executions/e1/queries",
        body={"name": "status", "input": None},
        reply={"query_name": "status", "result": {"step": 2}},
        check=_is(QueryReply, result={"step": 2}),
    ),
    Example(
        call("executions.update", "e1", HandlerCall(name="set", input={"v": 2})),
        executions.UPDATE,
        "/v1/workflows/executions/e1/updates",
        body={"name": "set", "input": {"v": 2}},
        reply={"update_name": "set", "result": 2},
        check=_is(UpdateReply, update_name="set", result=2),
    ),
    Example(
        call("executions.cancel", "e1"),
        executions.CANCEL,
        "/v1/workflows/executions/e1/cancel",
        status=204,
        check=lambda r: r is None or pytest.fail(str(r)),
    ),
    Example(
        call("executions.terminate", "e1"),
        executions.TERMINATE,
        "/v1/workflows/executions/e1/terminate",
        status=204,
    ),
    Example(
        call("executions.batch_cancel", ["e1", "e2"]),
        executions.BATCH_CANCEL,
        "/v1/workflows/executions/cancel",
        body={"execution_ids": ["e1", "e2"]},
        reply={"results": {"e1": {"status": "canceled"}, "e2": {"status": "error", "error": "not running"}}},
        check=lambda r: (
            (isinstance(r, BatchExecutionResponse) and set(r.failed) == {"e2"} and r.results["e1"].error is None)
            or pytest.fail(str(r))
        ),
    ),
    Example(
        call("executions.batch_terminate", ["e1"]),
        executions.BATCH_TERMINATE,
        "/v1/workflows/executions/terminate",
        body={"execution_ids": ["e1"]},
        reply={"results": {"e1": {"status": "terminated"}}},
    ),
    Example(
        call("executions.reset", "e1", ResetRequest(event_id=4, reason="retry", exclude_signals=True)),
        executions.RESET,
        "/v1/workflows/executions/e1/reset",
        body={"event_id": 4, "reason": "retry", "exclude_signals": True, "exclude_updates": False},
        status=204,
    ),
    # observability
    Example(
        call("observability.trace_info", "e1"),
        observability.TRACE_INFO,
        "/v1/workflows/executions/e1/trace/info",
        reply={"otel_trace_id": "abc", "has_trace_data": True},
        check=_is(TraceInfo, otel_trace_id="abc", has_trace_data=True),
    ),
    Example(
        call("observability.trace_otel", "e1"),
        observability.TRACE_OTEL,
        "/v1/workflows/executions/e1/trace/otel",
        reply={**TRACED, "data_source": "tempo", "otel_trace_id": "abc", "otel_trace_data": {"batches": []}},
        check=_is(TraceOtel, data_source="tempo", otel_trace_data={"batches": []}),
    ),
    Example(
        call("observability.trace_summary", "e1"),
        observability.TRACE_SUMMARY,
        "/v1/workflows/executions/e1/trace/summary",
        reply={**TRACED, "span_tree": SPAN},
        check=lambda r: (
            (isinstance(r, TraceSummary) and r.span_tree is not None and r.span_tree.events[0].name == "started")
            or pytest.fail(str(r))
        ),
    ),
    Example(
        call("observability.trace_events", "e1", include_internal_events=False, merge_same_id_events=True),
        observability.TRACE_EVENTS,
        "/v1/workflows/executions/e1/trace/events",
        {"include_internal_events": ["false"], "merge_same_id_events": ["true"]},
        reply={**TRACED, "events": SPAN["events"]},
        check=lambda r: (isinstance(r, TraceEvents) and r.events[0].id == "1") or pytest.fail(str(r)),
    ),
    Example(
        call(
            "observability.execution_logs",
            "e1",
            run_id=UUID_B,
            activity_id="7",
            after=T0,
            before=T1,
            order="desc",
            limit=10,
        ),
        observability.EXECUTION_LOGS,
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
    Example(
        call("observability.execution_logs", "e1", cursor="n1"),
        observability.EXECUTION_LOGS,
        "/v1/workflows/executions/e1/logs",
        {"cursor": ["n1"]},
        reply={"results": [], "next_cursor": None},
        label="next page",
    ),
    Example(
        call("observability.metrics", "greeting", start_time=T0, end_time=T1),
        observability.WORKFLOW_METRICS,
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
    Example(
        call(
            "runs.list",
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
        runs.LIST_RUNS,
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
    Example(
        call("runs.get", UUID_B),
        runs.GET_RUN,
        f"/v1/workflows/runs/{UUID_B}",
        reply=ENDED,
        check=_is(Execution, status="COMPLETED"),
    ),
    Example(
        call("runs.history", UUID_B, decode_payloads=False),
        runs.GET_RUN_HISTORY,
        f"/v1/workflows/runs/{UUID_B}/history",
        {"decode_payloads": ["false"]},
        reply={"events": []},
    ),
    # schedules
    Example(
        call("schedules.list", workflow_name="greeting", user_id="current", status="paused", search="gr"),
        schedules.LIST_SCHEDULES,
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
    Example(
        call(
            "schedules.create",
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
            ),
        ),
        schedules.CREATE_SCHEDULE,
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
    Example(
        call(
            "schedules.create",
            ScheduleCreate(schedule=ScheduleDefinition(input=None, intervals=[ScheduleInterval(every="PT1H")])),
        ),
        schedules.CREATE_SCHEDULE,
        "/v1/workflows/schedules",
        body={"schedule": {"input": None, "intervals": [{"every": "PT1H"}]}},
        status=201,
        reply={"schedule_id": "generated"},
        label="null input",
    ),
    Example(
        call("schedules.get", "s1"),
        schedules.GET_SCHEDULE,
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
    Example(
        call(
            "schedules.update",
            "s1",
            PartialScheduleDefinition(cron_expressions=["0 10 * * *"], max_executions=5, jitter="PT1M"),
        ),
        schedules.UPDATE_SCHEDULE,
        "/v1/workflows/schedules/s1",
        body={"schedule": {"cron_expressions": ["0 10 * * *"], "max_executions": 5, "jitter": "PT1M"}},
        reply={"schedule_id": "s1"},
        check=_is(ScheduleRef, schedule_id="s1"),
    ),
    Example(
        call("schedules.delete", "s1"),
        schedules.DELETE_SCHEDULE,
        "/v1/workflows/schedules/s1",
        status=204,
    ),
    Example(
        call("schedules.pause", "s1", "holidays"),
        schedules.PAUSE_SCHEDULE,
        "/v1/workflows/schedules/s1/pause",
        body={"note": "holidays"},
        status=204,
    ),
    Example(
        call("schedules.pause", "s1"),
        schedules.PAUSE_SCHEDULE,
        "/v1/workflows/schedules/s1/pause",
        status=204,
        label="no note",
    ),
    Example(
        call("schedules.resume", "s1", "back"),
        schedules.RESUME_SCHEDULE,
        "/v1/workflows/schedules/s1/resume",
        body={"note": "back"},
        status=204,
    ),
    Example(
        call("schedules.trigger", "s1", 6),
        schedules.TRIGGER_SCHEDULE,
        "/v1/workflows/schedules/s1/trigger",
        body={"overlap": 6},
        status=204,
    ),
    Example(
        call("schedules.trigger", "s1"),
        schedules.TRIGGER_SCHEDULE,
        "/v1/workflows/schedules/s1/trigger",
        status=204,
        label="no overlap",
    ),
    # deployments
    Example(
        call(
            "deployments.list",
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
        deployments.LIST_DEPLOYMENTS,
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
    Example(
        call("deployments.get", "dep", workflow_name="greeting"),
        deployments.GET_DEPLOYMENT,
        "/v1/workflows/deployments/dep",
        {"workflow_name": ["greeting"]},
        reply={**DEPLOYMENT, "workers": [WORKER]},
        check=lambda r: (
            (isinstance(r, Deployment) and r.workers is not None and r.workers[0].name == "w1") or pytest.fail(str(r))
        ),
    ),
    Example(
        call("deployments.workers", "dep", worker_status="active", limit=5, cursor="c1"),
        deployments.LIST_WORKERS,
        "/v1/workflows/deployments/dep/workers",
        {"worker_status": ["active"], "limit": ["5"], "cursor": ["c1"]},
        reply={"workers": [WORKER], "next_cursor": None},
        check=lambda r: r.workers[0].is_active or pytest.fail(str(r)),
    ),
    Example(
        call("deployments.logs", "dep", worker_name="w1", workflow_name="greeting", after=T0, order="asc"),
        deployments.DEPLOYMENT_LOGS,
        "/v1/workflows/deployments/dep/logs",
        {"worker_name": ["w1"], "workflow_name": ["greeting"], "after": [T0], "order": ["asc"]},
        reply={"results": [LOG], "next_cursor": None},
    ),
    Example(
        call(
            "deployments.create",
            "dep",
            DeploymentSpec(
                github_url="https://github.com/acme/worker",
                revision="v1",
                backend_spec={"type": "mistral_cloud", "dockerfile_path": "Dockerfile"},
            ),
            DeploymentResources(replicas=2),
            hardened=True,
        ),
        deployments.CREATE_DEPLOYMENT,
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
    Example(
        call(
            "deployments.create",
            "dep",
            DeploymentSpec(
                archive_id="arch-1", backend_spec={"type": "mistral_cloud", "dockerfile_path": "Dockerfile"}
            ),
        ),
        deployments.CREATE_DEPLOYMENT,
        "/v1/workflows/deployments",
        body={
            "name": "dep",
            "spec": {
                "archive_id": "arch-1",
                "backend_spec": {"type": "mistral_cloud", "dockerfile_path": "Dockerfile"},
            },
            "hardened": False,
        },
        status=202,
        reply=MANAGED,
        label="from an uploaded archive",
    ),
    Example(
        call(
            "deployments.update",
            "dep",
            spec=DeploymentSpec(
                github_url="https://github.com/acme/w",
                revision="v2",
                backend_spec={"type": "mistral_cloud", "build_directory": "svc", "dockerfile_path": "Dockerfile"},
                requested_roles=["reader"],
            ),
            resources=DeploymentResources(replicas=3),
        ),
        deployments.UPDATE_DEPLOYMENT,
        "/v1/workflows/deployments/dep",
        body={
            "spec": {
                "github_url": "https://github.com/acme/w",
                "revision": "v2",
                "backend_spec": {"type": "mistral_cloud", "build_directory": "svc", "dockerfile_path": "Dockerfile"},
                "requested_roles": ["reader"],
            },
            "resources": {"replicas": 3},
        },
        status=202,
        reply=MANAGED,
    ),
    Example(
        call("deployments.archive", "dep"),
        deployments.GET_DEPLOYMENT_ARCHIVE,
        "/v1/workflows/deployments/dep/archive",
        reply={"archive_id": "arch-1", "download_url": "https://files.example/arch-1?sig=x"},
        check=lambda r: (isinstance(r, DeploymentArchive) and r.archive_id == "arch-1") or pytest.fail(str(r)),
    ),
    Example(
        call("deployments.unharden", UUID_A, workspace_id=UUID_B),
        deployments.UNHARDEN_DEPLOYMENT,
        f"/v1/workflows/deployments/{UUID_A}/unharden",
        {"workspace_id": [UUID_B]},
        status=204,
    ),
    Example(
        call("deployments.delete", "dep"),
        deployments.DELETE_DEPLOYMENT,
        "/v1/workflows/deployments/dep",
        status=202,
        reply=MANAGED,
    ),
    Example(
        call("deployments.stop", "dep"),
        deployments.STOP_DEPLOYMENT,
        "/v1/workflows/deployments/dep/stop",
        status=202,
        reply={**MANAGED, "stopped": True},
        check=_is(ManagedDeployment, stopped=True),
    ),
    Example(
        call("deployments.start", "dep"),
        deployments.START_DEPLOYMENT,
        "/v1/workflows/deployments/dep/start",
        status=202,
        reply=MANAGED,
    ),
    Example(
        call("deployments.restart", "dep"),
        deployments.RESTART_DEPLOYMENT,
        "/v1/workflows/deployments/dep/restart",
        status=202,
        reply=MANAGED,
    ),
    # events
    Example(
        call("events.list", root_workflow_exec_id="e0", workflow_exec_id="e1", workflow_run_id="r1", limit=100),
        events.LIST_EVENTS,
        "/v1/workflows/events/list",
        {"root_workflow_exec_id": ["e0"], "workflow_exec_id": ["e1"], "workflow_run_id": ["r1"], "limit": ["100"]},
        reply={"events": [EVENT], "next_cursor": "c2"},
        check=lambda r: (isinstance(r, EventPage) and r.events[0].attributes["task_id"] == "1") or pytest.fail(str(r)),
    ),
    # streams: the request that opens them (their frames, errors and resumption: tests/api/test_sse.py)
    Example(
        call("executions.stream", "e1", after="7", event_source="LIVE"),
        executions.STREAM,
        "/v1/workflows/executions/e1/stream",
        {"last_event_id": ["7"], "event_source": ["LIVE"]},
    ),
    Example(
        call("events.stream", start_seq=3, workflow_exec_id="e1", workflow_event_types=["WORKFLOW_EXECUTION_FAILED"]),
        events.STREAM_EVENTS,
        "/v1/workflows/events/stream",
        {"start_seq": ["3"], "workflow_exec_id": ["e1"], "workflow_event_types": ["WORKFLOW_EXECUTION_FAILED"]},
    ),
    Example(
        call("observability.execution_logs_stream", "e1", run_id=UUID_B, resume="5"),
        observability.EXECUTION_LOGS_STREAM,
        "/v1/workflows/executions/e1/logs/stream",
        {"run_id": [UUID_B], "last_event_id": ["5"]},
    ),
    Example(
        call("deployments.logs_stream", "dep", worker_name="w1", after=T0),
        deployments.DEPLOYMENT_LOGS_STREAM,
        "/v1/workflows/deployments/dep/logs/stream",
        {"worker_name": ["w1"], "after": [T0]},
    ),
]


# A value per keyword parameter name, for the SDK comparison: it sends each example with every keyword the
# example leaves out set from here. A keyword name no method had before needs one.
SAMPLES: dict[str, Any] = {
    "archived": False,
    "available_in_chat_assistant": True,
    "include_shared": False,
    "cursor": "c1",
    "limit": 5,
    "workflow_search": "gr",
    "retry": True,
    "after": T0,
    "before": T0,
    "order": "desc",
    "page_size": 10,
    "next_page_token": "t1",
    "workflow_name": "greeting",
    "note": "maintenance",
    "overlap": 6,
    "resources": DeploymentResources(replicas=2),
    "hardened": True,
    "resume": "9",
    "root_workflow_exec_id": "e0",
    "parent_workflow_exec_id": "p1",
    "scope": "workflow",
    "activity_name": "act",
    "activity_id": "1",
    "stream": "progress",
    "metadata_filters": {"deployment_name": "dep"},
    "run_id": UUID_B,
}


def with_every_keyword(base: Call) -> Call:
    """`base` with every keyword parameter it leaves out set from SAMPLES."""
    client = WorkflowsClient(base_url="http://api.test", api_key="k")
    area, name = base.method.split(".")
    parameters = list(inspect.signature(getattr(getattr(client, area), name)).parameters.values())[len(base.args) :]
    kwargs = dict(base.kwargs)
    for parameter in parameters:
        if parameter.name in kwargs or parameter.kind is parameter.VAR_KEYWORD:
            continue
        if parameter.name not in SAMPLES:
            raise AssertionError(f"no sample value for {base.method}({parameter.name}=...): add one to SAMPLES")
        kwargs[parameter.name] = SAMPLES[parameter.name]
    return Call(base.method, base.args, kwargs)


def api_methods() -> set[str]:
    """Every public method of every WorkflowsClient area, as `area.name`."""
    client = WorkflowsClient(base_url="http://api.test", api_key="k")
    return {
        f"{area}.{name}"
        for area in AREAS
        for name, _ in inspect.getmembers(getattr(client, area), inspect.ismethod)
        if not name.startswith("_")
    }

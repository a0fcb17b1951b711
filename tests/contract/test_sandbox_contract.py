"""Every one of the 56 upstream operations, answered by the sandbox, checked against the live contract (derived from
the official SDK by scripts/derive_contract.py).

Each area test declares the operations it covers and asserts it exercised exactly those; the last
tests check that the areas together cover every operationId of the derived contract.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

from .conftest import Contract, load_contract, read_sse

pytestmark = pytest.mark.anyio

P = "/v1/workflows"

AREAS: dict[str, set[str]] = {
    "workflows": {
        "get_workflows_v1_workflows_get",
        "get_workflow_v1_workflows__workflow_identifier__get",
        "update_workflow_v1_workflows__workflow_identifier__put",
        "add_workflow_tags_v1_workflows__workflow_identifier__tags_post",
        "archive_workflow_v1_workflows__workflow_identifier__archive_put",
        "unarchive_workflow_v1_workflows__workflow_identifier__unarchive_put",
        "bulk_archive_workflows_v1_workflows_archive_put",
        "bulk_unarchive_workflows_v1_workflows_unarchive_put",
        "get_workflow_registrations_v1_workflows_registrations_get",
        "get_workflow_registration_v1_workflows_registrations__workflow_registration_id__get",
        "execute_workflow_v1_workflows__workflow_identifier__execute_post",
        "execute_workflow_registration_v1_workflows_registrations__workflow_registration_id__execute_post",
    },
    "executions": {
        "get_workflow_execution_v1_workflows_executions__execution_id__get",
        "get_workflow_execution_history_v1_workflows_executions__execution_id__history_get",
        "signal_workflow_execution_v1_workflows_executions__execution_id__signals_post",
        "query_workflow_execution_v1_workflows_executions__execution_id__queries_post",
        "update_workflow_execution_v1_workflows_executions__execution_id__updates_post",
        "terminate_workflow_execution_v1_workflows_executions__execution_id__terminate_post",
        "batch_terminate_workflow_executions_v1_workflows_executions_terminate_post",
        "cancel_workflow_execution_v1_workflows_executions__execution_id__cancel_post",
        "batch_cancel_workflow_executions_v1_workflows_executions_cancel_post",
        "reset_workflow_v1_workflows_executions__execution_id__reset_post",
        "get_workflow_execution_trace_info",
        "get_workflow_execution_trace_otel",
        "get_workflow_execution_trace_summary",
        "get_workflow_execution_trace_events",
        "get_workflow_execution_logs",
        "stream_v1_workflows_executions__execution_id__stream_get",
        "stream_workflow_execution_logs",
    },
    "runs_events_metrics": {
        "get_workflow_metrics_v1_workflows__workflow_name__metrics_get",
        "list_runs_v1_workflows_runs_get",
        "get_run_v1_workflows_runs__run_id__get",
        "get_run_history_v1_workflows_runs__run_id__history_get",
        "get_stream_events_v1_workflows_events_stream_get",
        "get_workflow_events_v1_workflows_events_list_get",
    },
    "schedules": {
        "get_schedules_v1_workflows_schedules_get",
        "schedule_workflow_v1_workflows_schedules_post",
        "get_schedule_v1_workflows_schedules__schedule_id__get",
        "unschedule_workflow_v1_workflows_schedules__schedule_id__delete",
        "update_schedule_v1_workflows_schedules__schedule_id__patch",
        "pause_schedule_v1_workflows_schedules__schedule_id__pause_post",
        "resume_schedule_v1_workflows_schedules__schedule_id__resume_post",
        "trigger_schedule_v1_workflows_schedules__schedule_id__trigger_post",
    },
    "deployments": {
        "list_deployments_v1_workflows_deployments_get",
        "create_deployment_v1_workflows_deployments_post",
        "update_deployment_v1_workflows_deployments__name__patch",
        "delete_deployment_v1_workflows_deployments__name__delete",
        "get_deployment_v1_workflows_deployments__name__get",
        "stop_deployment_v1_workflows_deployments__name__stop_post",
        "start_deployment_v1_workflows_deployments__name__start_post",
        "restart_deployment_v1_workflows_deployments__name__restart_post",
        "list_deployment_workers_v1_workflows_deployments__name__workers_get",
        "get_deployment_logs",
        "stream_deployment_logs",
        "get_deployment_archive_v1_workflows_deployments__name__archive_get",
        "unharden_deployment_v1_workflows_deployments__deployment_id__unharden_post",
    },
}


async def _finished(client: httpx2.AsyncClient, execution_id: str) -> dict[str, Any]:
    for _ in range(500):
        body = (await client.get(f"{P}/executions/{execution_id}")).json()
        if body["status"] != "RUNNING":
            return dict(body)
        await asyncio.sleep(0.01)
    raise AssertionError(f"{execution_id} never finished")


async def _workflows(c: Contract, client: httpx2.AsyncClient) -> None:
    listed = c.check("get_workflows_v1_workflows_get", await client.get(P, params={"limit": 3}))
    assert listed["next_cursor"]
    c.check("get_workflows_v1_workflows_get", await client.get(P, params={"cursor": listed["next_cursor"]}))
    wf = c.check("get_workflow_v1_workflows__workflow_identifier__get", await client.get(f"{P}/greeting"))["workflow"]
    c.check("get_workflow_v1_workflows__workflow_identifier__get", await client.get(f"{P}/{wf['id']}"))
    c.check(
        "update_workflow_v1_workflows__workflow_identifier__put",
        await client.put(f"{P}/greeting", json={"description": "Hi", "tags": ["demo"]}),
    )
    c.check(
        "add_workflow_tags_v1_workflows__workflow_identifier__tags_post",
        await client.post(f"{P}/greeting/tags", json={"tags": ["contract"]}),
    )
    c.check(
        "archive_workflow_v1_workflows__workflow_identifier__archive_put", await client.put(f"{P}/greeting/archive")
    )
    c.check(
        "unarchive_workflow_v1_workflows__workflow_identifier__unarchive_put",
        await client.put(f"{P}/greeting/unarchive"),
    )
    ids = [wf["id"], "00000000-0000-4000-8000-000000000000"]
    archived = c.check(
        "bulk_archive_workflows_v1_workflows_archive_put", await client.put(f"{P}/archive", json={"workflow_ids": ids})
    )
    assert len(archived["errored"]) == 1
    c.check(
        "bulk_unarchive_workflows_v1_workflows_unarchive_put",
        await client.put(f"{P}/unarchive", json={"workflow_ids": ids}),
    )
    regs = c.check(
        "get_workflow_registrations_v1_workflows_registrations_get",
        await client.get(f"{P}/registrations", params={"with_workflow": "true", "limit": 2}),
    )
    reg_id = regs["workflow_registrations"][0]["id"]
    c.check(
        "get_workflow_registration_v1_workflows_registrations__workflow_registration_id__get",
        await client.get(f"{P}/registrations/{reg_id}", params={"with_workflow": "true"}),
    )
    c.check(
        "execute_workflow_v1_workflows__workflow_identifier__execute_post",
        await client.post(f"{P}/greeting/execute", json={"input": {"name": "Ada"}}),
    )
    sync = c.check(
        "execute_workflow_v1_workflows__workflow_identifier__execute_post",
        await client.post(f"{P}/greeting/execute", json={"input": {"name": "Ada"}, "wait_for_result": True}),
    )
    assert sync["result"] == {"greeting": "Hello, Ada!"}
    greeting_reg = c.check(
        "get_workflow_registrations_v1_workflows_registrations_get",
        await client.get(f"{P}/registrations", params={"workflow_id": wf["id"]}),
    )["workflow_registrations"][0]["id"]
    c.check(
        "execute_workflow_registration_v1_workflows_registrations__workflow_registration_id__execute_post",
        await client.post(f"{P}/registrations/{greeting_reg}/execute", json={"input": {"name": "Bo"}}),
    )


async def _executions(c: Contract, client: httpx2.AsyncClient) -> None:
    execute = "execute_workflow_v1_workflows__workflow_identifier__execute_post"
    c.check(execute, await client.post(f"{P}/counter/execute", json={"input": {"start": 1}, "execution_id": "cnt"}))
    get = "get_workflow_execution_v1_workflows_executions__execution_id__get"
    c.check(get, await client.get(f"{P}/executions/cnt"))
    c.check(
        "update_workflow_execution_v1_workflows_executions__execution_id__updates_post",
        await client.post(f"{P}/executions/cnt/updates", json={"name": "set_value", "input": {"value": 4}}),
    )
    c.check(
        "query_workflow_execution_v1_workflows_executions__execution_id__queries_post",
        await client.post(f"{P}/executions/cnt/queries", json={"name": "value"}),
    )
    events = c.check(
        "get_workflow_execution_trace_events",
        await client.get(f"{P}/executions/cnt/trace/events", params={"include_internal_events": "true"}),
    )["events"]
    point = min(int(e["id"]) for e in events if e["internal"])
    c.check(
        "reset_workflow_v1_workflows_executions__execution_id__reset_post",
        await client.post(f"{P}/executions/cnt/reset", json={"event_id": point, "reason": "contract"}),
    )
    c.check(
        "signal_workflow_execution_v1_workflows_executions__execution_id__signals_post",
        await client.post(f"{P}/executions/cnt/signals", json={"name": "stop", "input": {}}),
    )
    assert (await _finished(client, "cnt"))["status"] == "COMPLETED"
    c.check(get, await client.get(f"{P}/executions/cnt"))
    c.check(
        "get_workflow_execution_history_v1_workflows_executions__execution_id__history_get",
        await client.get(f"{P}/executions/cnt/history"),
    )
    c.check("get_workflow_execution_trace_info", await client.get(f"{P}/executions/cnt/trace/info"))
    c.check("get_workflow_execution_trace_otel", await client.get(f"{P}/executions/cnt/trace/otel"))
    c.check("get_workflow_execution_trace_summary", await client.get(f"{P}/executions/cnt/trace/summary"))
    c.check(
        "get_workflow_execution_trace_events",
        await client.get(f"{P}/executions/cnt/trace/events", params={"merge_same_id_events": "true"}),
    )
    logs = c.check("get_workflow_execution_logs", await client.get(f"{P}/executions/cnt/logs", params={"limit": 2}))
    assert logs["results"]
    assert logs["next_cursor"]
    c.check(
        "get_workflow_execution_logs",
        await client.get(f"{P}/executions/cnt/logs", params={"cursor": logs["next_cursor"]}),
    )

    # slow-report: progress events over the execution stream and its log stream
    c.check(
        execute, await client.post(f"{P}/slow-report/execute", json={"input": {"seconds": 3}, "execution_id": "rep"})
    )
    response, frames = await read_sse(client, f"{P}/executions/rep/stream")
    c.check_sse("stream_v1_workflows_executions__execution_id__stream_get", response, frames)
    types = [f["data"]["data"]["event_type"] for f in frames]
    assert types[0] == "WORKFLOW_EXECUTION_STARTED"
    assert types[-1] == "WORKFLOW_EXECUTION_COMPLETED"
    assert "CUSTOM_TASK_IN_PROGRESS" in types
    seqs = [f["data"]["broker_sequence"] for f in frames]
    assert seqs == sorted(seqs)
    assert [int(f["id"]) for f in frames] == seqs
    response, resumed = await read_sse(client, f"{P}/executions/rep/stream", params={"last_event_id": seqs[1]})
    c.check_sse("stream_v1_workflows_executions__execution_id__stream_get", response, resumed)
    assert [f["data"]["broker_sequence"] for f in resumed] == seqs[2:]
    response, log_frames = await read_sse(client, f"{P}/executions/rep/logs/stream")
    c.check_sse("stream_workflow_execution_logs", response, log_frames)
    assert {f["event"] for f in log_frames} == {"log"}

    # cancel, terminate and their batch forms
    for execution_id in ("c1", "c2", "t1", "t2"):
        c.check(
            execute,
            await client.post(f"{P}/approval/execute", json={"input": {"request": "r"}, "execution_id": execution_id}),
        )
    c.check(
        "cancel_workflow_execution_v1_workflows_executions__execution_id__cancel_post",
        await client.post(f"{P}/executions/c1/cancel"),
    )
    c.check(
        "terminate_workflow_execution_v1_workflows_executions__execution_id__terminate_post",
        await client.post(f"{P}/executions/t1/terminate"),
    )
    batch = c.check(
        "batch_cancel_workflow_executions_v1_workflows_executions_cancel_post",
        await client.post(f"{P}/executions/cancel", json={"execution_ids": ["c2", "c1"]}),
    )
    assert batch["results"]["c2"]["status"] == "success"
    assert batch["results"]["c1"]["status"] == "error"
    c.check(
        "batch_terminate_workflow_executions_v1_workflows_executions_terminate_post",
        await client.post(f"{P}/executions/terminate", json={"execution_ids": ["t2"]}),
    )


async def _runs_events_metrics(c: Contract, client: httpx2.AsyncClient) -> None:
    execute = "execute_workflow_v1_workflows__workflow_identifier__execute_post"
    for i in range(3):
        c.check(
            execute,
            await client.post(f"{P}/greeting/execute", json={"input": {"name": f"n{i}"}, "wait_for_result": True}),
        )
    c.check(execute, await client.post(f"{P}/always-fails/execute", json={"input": {}, "execution_id": "boom"}))
    await _finished(client, "boom")
    runs = c.check("list_runs_v1_workflows_runs_get", await client.get(f"{P}/runs", params={"page_size": 2}))
    assert runs["next_page_token"]
    c.check(
        "list_runs_v1_workflows_runs_get",
        await client.get(
            f"{P}/runs", params={"next_page_token": runs["next_page_token"], "status": ["COMPLETED", "FAILED"]}
        ),
    )
    run_id = runs["executions"][0]["run_id"]
    c.check("get_run_v1_workflows_runs__run_id__get", await client.get(f"{P}/runs/{run_id}"))
    c.check("get_run_history_v1_workflows_runs__run_id__history_get", await client.get(f"{P}/runs/{run_id}/history"))
    page = c.check(
        "get_workflow_events_v1_workflows_events_list_get", await client.get(f"{P}/events/list", params={"limit": 5})
    )
    assert page["next_cursor"]
    failed = c.check(
        "get_workflow_events_v1_workflows_events_list_get",
        await client.get(f"{P}/events/list", params={"workflow_exec_id": "boom"}),
    )
    assert failed["events"][-1]["event_type"] == "WORKFLOW_EXECUTION_FAILED"
    metrics = c.check(
        "get_workflow_metrics_v1_workflows__workflow_name__metrics_get", await client.get(f"{P}/greeting/metrics")
    )
    assert metrics["execution_count"]["value"] == 3
    assert metrics["success_count"]["value"] == 3
    response, frames = await read_sse(client, f"{P}/events/stream", params={"start_seq": 1}, max_frames=6)
    c.check_sse("get_stream_events_v1_workflows_events_stream_get", response, frames)
    assert [f["data"]["broker_sequence"] for f in frames] == [1, 2, 3, 4, 5, 6]
    response, frames = await read_sse(
        client,
        f"{P}/events/stream",
        params={"workflow_exec_id": "boom", "workflow_event_types": ["WORKFLOW_EXECUTION_FAILED"]},
        max_frames=1,
    )
    c.check_sse("get_stream_events_v1_workflows_events_stream_get", response, frames)
    assert frames[0]["data"]["data"]["attributes"]["failure"]["message"]


async def _schedules(c: Contract, client: httpx2.AsyncClient) -> None:
    body = {
        "workflow_identifier": "greeting",
        "schedule_id": "hourly-greeting",
        "schedule": {"input": {"name": "Cron"}, "intervals": [{"every": "PT1H"}], "cron_expressions": ["0 9 * * 1-5"]},
    }
    created = c.check("schedule_workflow_v1_workflows_schedules_post", await client.post(f"{P}/schedules", json=body))
    assert created == {"schedule_id": "hourly-greeting"}
    c.check("get_schedules_v1_workflows_schedules_get", await client.get(f"{P}/schedules"))
    c.check("get_schedules_v1_workflows_schedules_get", await client.get(f"{P}/schedules", params={"page_size": 1}))
    c.check(
        "update_schedule_v1_workflows_schedules__schedule_id__patch",
        await client.patch(f"{P}/schedules/hourly-greeting", json={"schedule": {"max_executions": 5}}),
    )
    c.check(
        "pause_schedule_v1_workflows_schedules__schedule_id__pause_post",
        await client.post(f"{P}/schedules/hourly-greeting/pause", json={"note": "maintenance"}),
    )
    c.check(
        "resume_schedule_v1_workflows_schedules__schedule_id__resume_post",
        await client.post(f"{P}/schedules/hourly-greeting/resume"),
    )
    c.check(
        "trigger_schedule_v1_workflows_schedules__schedule_id__trigger_post",
        await client.post(f"{P}/schedules/hourly-greeting/trigger", json={"overlap": 6}),
    )
    got = c.check(
        "get_schedule_v1_workflows_schedules__schedule_id__get", await client.get(f"{P}/schedules/hourly-greeting")
    )
    assert len(got["recent_executions"]) == 1
    assert got["remaining_executions"] == 4
    assert got["future_executions"]
    c.check(
        "unschedule_workflow_v1_workflows_schedules__schedule_id__delete",
        await client.delete(f"{P}/schedules/hourly-greeting"),
    )


async def _deployments(c: Contract, client: httpx2.AsyncClient) -> None:
    listed = c.check("list_deployments_v1_workflows_deployments_get", await client.get(f"{P}/deployments"))
    assert all(d["is_active"] for d in listed["deployments"])
    c.check(
        "list_deployments_v1_workflows_deployments_get",
        await client.get(f"{P}/deployments", params={"active_only": "false", "limit": 1}),
    )
    c.check(
        "get_deployment_v1_workflows_deployments__name__get", await client.get(f"{P}/deployments/sandbox-deployment")
    )
    c.check(
        "list_deployment_workers_v1_workflows_deployments__name__workers_get",
        await client.get(f"{P}/deployments/sandbox-deployment/workers", params={"worker_status": "active"}),
    )
    c.check(
        "execute_workflow_v1_workflows__workflow_identifier__execute_post",
        await client.post(f"{P}/greeting/execute", json={"input": {"name": "Logs"}, "wait_for_result": True}),
    )
    c.check(
        "get_deployment_logs", await client.get(f"{P}/deployments/sandbox-deployment/logs", params={"order": "desc"})
    )
    response, frames = await read_sse(client, f"{P}/deployments/sandbox-deployment/logs/stream", max_frames=3)
    c.check_sse("stream_deployment_logs", response, frames)
    spec = {"name": "new-deploy", "spec": {"github_url": "https://github.com/example/w"}, "resources": {"replicas": 2}}
    c.check("create_deployment_v1_workflows_deployments_post", await client.post(f"{P}/deployments", json=spec))
    c.check(
        "update_deployment_v1_workflows_deployments__name__patch",
        await client.patch(f"{P}/deployments/new-deploy", json={"spec": {"revision": "v2"}}),
    )
    c.check(
        "restart_deployment_v1_workflows_deployments__name__restart_post",
        await client.post(f"{P}/deployments/new-deploy/restart"),
    )
    stopped = c.check(
        "stop_deployment_v1_workflows_deployments__name__stop_post",
        await client.post(f"{P}/deployments/new-deploy/stop"),
    )
    assert stopped["stopped"] is True
    c.check(
        "start_deployment_v1_workflows_deployments__name__start_post",
        await client.post(f"{P}/deployments/new-deploy/start"),
    )
    new = c.check("get_deployment_v1_workflows_deployments__name__get", await client.get(f"{P}/deployments/new-deploy"))
    c.check(
        "unharden_deployment_v1_workflows_deployments__deployment_id__unharden_post",
        await client.post(f"{P}/deployments/{new['id']}/unharden"),
    )
    uploaded = {"name": "uploaded", "spec": {"archive_id": "arc-contract"}}
    c.check("create_deployment_v1_workflows_deployments_post", await client.post(f"{P}/deployments", json=uploaded))
    c.check(
        "get_deployment_archive_v1_workflows_deployments__name__archive_get",
        await client.get(f"{P}/deployments/uploaded/archive"),
    )
    c.check(
        "delete_deployment_v1_workflows_deployments__name__delete", await client.delete(f"{P}/deployments/new-deploy")
    )
    assert (await client.get(f"{P}/deployments/new-deploy")).status_code == 404


SCENARIOS = {
    "workflows": _workflows,
    "executions": _executions,
    "runs_events_metrics": _runs_events_metrics,
    "schedules": _schedules,
    "deployments": _deployments,
}


@pytest.mark.parametrize("area", sorted(AREAS))
async def test_area_conforms_to_upstream_contract(area: str, contract: Contract, client: httpx2.AsyncClient) -> None:
    await SCENARIOS[area](contract, client)
    assert AREAS[area] <= contract.exercised, sorted(AREAS[area] - contract.exercised)


def test_contract_has_the_56_workflow_operations() -> None:
    operations = load_contract()["operations"]
    assert len(operations) == 56
    assert all(op["path"].startswith("/v1/workflows") for op in operations)


def test_every_operation_is_exercised_by_an_area() -> None:
    ids = {op["operationId"] for op in load_contract()["operations"]}
    covered = set().union(*AREAS.values())
    assert covered == ids, {"missing": sorted(ids - covered), "unknown": sorted(covered - ids)}
    assert sum(len(ops) for ops in AREAS.values()) == len(ids), "an operation is listed in two areas"

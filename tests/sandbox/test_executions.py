"""Executions really run: status changes, waiting, conflicts, input validation, handlers, stop, reset."""

from __future__ import annotations

import uuid

import httpx2
import pytest

from .conftest import start, wait_status

pytestmark = pytest.mark.anyio


async def test_execute_returns_running_then_completes(client: httpx2.AsyncClient) -> None:
    started = await start(client, "greeting", {"name": "Ada"})
    assert started["status"] == "RUNNING"
    assert started["result"] is None
    assert started["root_execution_id"] == started["execution_id"]
    uuid.UUID(started["run_id"])
    done = await wait_status(client, started["execution_id"])
    assert done["status"] == "COMPLETED"
    assert done["result"] == {"greeting": "Hello, Ada!"}
    assert done["end_time"] is not None
    assert done["total_duration_ms"] >= 0


async def test_wait_for_result_returns_sync_response(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/v1/workflows/greeting/execute",
        json={"input": {"name": "Lin", "language": "fr"}, "wait_for_result": True, "timeout_seconds": 30},
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"workflow_name", "execution_id", "result"}
    assert body["result"] == {"greeting": "Bonjour, Lin !"}


async def test_wait_for_result_timeout_is_504_and_execution_keeps_running(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/v1/workflows/approval/execute",
        json={"input": {"request": "r"}, "wait_for_result": True, "timeout_seconds": 0.05, "execution_id": "wait-1"},
    )
    assert response.status_code == 504
    assert response.json()["code"] == "WF_1103"
    assert response.json()["status"] == "RUNNING"
    assert (await client.get("/v1/workflows/executions/wait-1")).json()["status"] == "RUNNING"


async def test_reused_execution_id_is_409_with_existing_status(client: httpx2.AsyncClient) -> None:
    await start(client, "greeting", {"name": "A"}, execution_id="dup-1")
    await wait_status(client, "dup-1")
    response = await client.post(
        "/v1/workflows/greeting/execute", json={"input": {"name": "B"}, "execution_id": "dup-1"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "WF_1101"
    assert body["execution_id"] == "dup-1"
    assert body["status"] == "COMPLETED"


async def test_input_is_validated_against_the_input_schema(client: httpx2.AsyncClient) -> None:
    response = await client.post("/v1/workflows/greeting/execute", json={"input": {"language": "de"}})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {tuple(d["loc"]) for d in detail} == {("body", "input"), ("body", "input", "language")}
    assert all({"loc", "msg", "type"} <= set(d) for d in detail)
    response = await client.post("/v1/workflows/slow-report/execute", json={"input": {"seconds": 4000}})
    assert response.status_code == 422


async def test_bad_body_is_422(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "/v1/workflows/greeting/execute", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    response = await client.post(
        "/v1/workflows/greeting/execute", json={"input": {"name": "x"}, "wait_for_result": "maybe"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "wait_for_result"]


async def test_deprecated_registration_execute(client: httpx2.AsyncClient) -> None:
    reg = (await client.get("/v1/workflows/registrations", params={"workflow_search": "greeting"})).json()
    reg_id = reg["workflow_registrations"][0]["id"]
    response = await client.post(f"/v1/workflows/registrations/{reg_id}/execute", json={"input": {"name": "R"}})
    assert response.status_code == 200
    assert response.json()["workflow_name"] == "greeting"
    assert (await wait_status(client, response.json()["execution_id"]))["result"] == {"greeting": "Hello, R!"}


async def test_unknown_execution_is_404(client: httpx2.AsyncClient) -> None:
    for path in ("", "/history", "/trace/info", "/logs"):
        response = await client.get(f"/v1/workflows/executions/ghost{path}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Execution 'ghost' not found", "code": "WF_1100"}


async def test_signal_completes_approval(client: httpx2.AsyncClient) -> None:
    execution = await start(client, "approval", {"request": "ship it"}, execution_id="appr-1")
    status = await client.post("/v1/workflows/executions/appr-1/queries", json={"name": "status"})
    assert status.json() == {
        "query_name": "status",
        "result": {"state": "waiting", "request": "ship it", "comment": None},
    }
    response = await client.post(
        "/v1/workflows/executions/appr-1/signals",
        json={"name": "approve", "input": {"approved": True, "comment": "ok"}},
    )
    assert response.status_code == 202
    assert response.json() == {"message": "Signal accepted"}
    done = await wait_status(client, execution["execution_id"])
    assert done["status"] == "COMPLETED"
    assert done["result"] == {"request": "ship it", "approved": True, "comment": "ok"}


async def test_handler_input_and_name_are_validated(client: httpx2.AsyncClient) -> None:
    await start(client, "approval", {"request": "x"}, execution_id="appr-2")
    bad = await client.post(
        "/v1/workflows/executions/appr-2/signals", json={"name": "approve", "input": {"approved": "yes"}}
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "input", "approved"]
    unknown = await client.post("/v1/workflows/executions/appr-2/signals", json={"name": "nope"})
    assert unknown.status_code == 422
    assert (await client.get("/v1/workflows/executions/appr-2")).json()["status"] == "RUNNING"


async def test_update_and_query_on_counter(client: httpx2.AsyncClient) -> None:
    await start(client, "counter", {"start": 3}, execution_id="cnt-1")
    response = await client.post(
        "/v1/workflows/executions/cnt-1/updates", json={"name": "set_value", "input": {"value": 10}}
    )
    assert response.status_code == 200
    assert response.json() == {"update_name": "set_value", "result": {"previous": 3, "value": 10}}
    value = await client.post("/v1/workflows/executions/cnt-1/queries", json={"name": "value", "input": {}})
    assert value.json()["result"] == {"value": 10}
    assert (await client.post("/v1/workflows/executions/cnt-1/signals", json={"name": "stop"})).status_code == 202
    done = await wait_status(client, "cnt-1")
    assert done["status"] == "COMPLETED"
    assert done["result"] == {"value": 10}


async def test_handlers_on_finished_execution_are_409(client: httpx2.AsyncClient) -> None:
    await start(client, "greeting", {"name": "x"}, execution_id="done-1")
    await wait_status(client, "done-1")
    for path, body in (
        ("signals", {"name": "approve"}),
        ("queries", {"name": "value"}),
        ("updates", {"name": "set_value", "input": {"value": 1}}),
        ("cancel", None),
        ("terminate", None),
    ):
        response = await client.post(f"/v1/workflows/executions/done-1/{path}", json=body)
        assert response.status_code == 409, path
        assert response.json()["code"] == "WF_1102"
        assert response.json()["status"] == "COMPLETED"


async def test_failure_message_is_in_the_failed_event_only(client: httpx2.AsyncClient) -> None:
    await start(client, "always-fails", {"reason": "disk full"}, execution_id="fail-1")
    done = await wait_status(client, "fail-1")
    assert done["status"] == "FAILED"
    assert "disk full" not in str(done)
    events = (await client.get("/v1/workflows/events/list", params={"workflow_exec_id": "fail-1"})).json()["events"]
    failed = [e for e in events if e["event_type"] == "WORKFLOW_EXECUTION_FAILED"]
    assert len(failed) == 1
    assert "disk full" in failed[0]["attributes"]["failure"]["message"]


async def test_cancel_and_terminate_are_visible_in_later_reads(client: httpx2.AsyncClient) -> None:
    await start(client, "approval", {"request": "a"}, execution_id="stop-c")
    await start(client, "approval", {"request": "b"}, execution_id="stop-t")
    assert (await client.post("/v1/workflows/executions/stop-c/cancel")).status_code == 204
    assert (await client.post("/v1/workflows/executions/stop-t/terminate")).status_code == 204
    assert (await client.get("/v1/workflows/executions/stop-c")).json()["status"] == "CANCELED"
    assert (await client.get("/v1/workflows/executions/stop-t")).json()["status"] == "TERMINATED"
    types = [
        e["event_type"]
        for e in (await client.get("/v1/workflows/events/list", params={"workflow_exec_id": "stop-c"})).json()["events"]
    ]
    assert types[-1] == "WORKFLOW_EXECUTION_CANCELED"


async def test_batch_cancel_reports_per_item(client: httpx2.AsyncClient) -> None:
    await start(client, "counter", {}, execution_id="batch-1")
    response = await client.post("/v1/workflows/executions/cancel", json={"execution_ids": ["batch-1", "ghost"]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results["batch-1"] == {"status": "success", "error": None}
    assert results["ghost"]["status"] == "error"
    assert "not found" in results["ghost"]["error"]
    again = await client.post("/v1/workflows/executions/terminate", json={"execution_ids": ["batch-1"]})
    assert again.json()["results"]["batch-1"]["status"] == "error"


async def test_reset_starts_a_new_run(client: httpx2.AsyncClient) -> None:
    await start(client, "counter", {"start": 1}, execution_id="reset-1")
    await client.post("/v1/workflows/executions/reset-1/updates", json={"name": "set_value", "input": {"value": 5}})
    first = (await client.get("/v1/workflows/executions/reset-1")).json()
    events = (
        await client.get("/v1/workflows/executions/reset-1/trace/events", params={"include_internal_events": "true"})
    ).json()["events"]
    points = [int(e["id"]) for e in events if e["internal"]]
    assert points
    bad = await client.post("/v1/workflows/executions/reset-1/reset", json={"event_id": 999})
    assert bad.status_code == 422
    assert bad.json()["code"] == "WF_1001"
    assert bad.json()["valid_reset_events"] == points
    response = await client.post(
        "/v1/workflows/executions/reset-1/reset",
        json={"event_id": points[0], "reason": "test", "exclude_updates": True},
    )
    assert response.status_code == 204
    second = (await client.get("/v1/workflows/executions/reset-1")).json()
    assert second["run_id"] != first["run_id"]
    assert second["status"] == "RUNNING"
    value = await client.post("/v1/workflows/executions/reset-1/queries", json={"name": "value"})
    assert value.json()["result"] == {"value": 1}
    runs = (await client.get("/v1/workflows/runs", params={"root_execution_id": "reset-1"})).json()["executions"]
    by_run = {r["run_id"]: r["status"] for r in runs}
    assert by_run == {first["run_id"]: "TERMINATED", second["run_id"]: "RUNNING"}


async def test_reset_keeps_updates_unless_excluded(client: httpx2.AsyncClient) -> None:
    await start(client, "counter", {"start": 1}, execution_id="reset-2")
    await client.post("/v1/workflows/executions/reset-2/updates", json={"name": "set_value", "input": {"value": 7}})
    events = (
        await client.get("/v1/workflows/executions/reset-2/trace/events", params={"include_internal_events": "true"})
    ).json()["events"]
    first_point = min(int(e["id"]) for e in events if e["internal"])
    assert (
        await client.post("/v1/workflows/executions/reset-2/reset", json={"event_id": first_point})
    ).status_code == 204
    value = await client.post("/v1/workflows/executions/reset-2/queries", json={"name": "value"})
    assert value.json()["result"] == {"value": 7}

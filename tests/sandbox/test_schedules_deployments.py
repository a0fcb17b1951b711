"""Schedules fire on their intervals and obey pause/limits; deployments follow their lifecycle."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

pytestmark = pytest.mark.anyio

P = "/v1/workflows"


async def wait_schedule(client: httpx2.AsyncClient, schedule_id: str, fired: int) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for _ in range(400):
        body = (await client.get(f"{P}/schedules/{schedule_id}")).json()
        if len(body["recent_executions"]) >= fired:
            return body
        await asyncio.sleep(0.02)
    raise AssertionError(f"schedule fired {len(body.get('recent_executions', []))} times")


async def test_interval_schedule_fires_and_stops_at_max_executions(client: httpx2.AsyncClient) -> None:
    body = {
        "workflow_identifier": "greeting",
        "schedule": {"input": {"name": "tick"}, "intervals": [{"every": "PT1S"}], "max_executions": 2},
    }
    created = await client.post(f"{P}/schedules", json=body)
    assert created.status_code == 201
    schedule_id = created.json()["schedule_id"]
    got = await wait_schedule(client, schedule_id, 2)
    assert got["remaining_executions"] == 0
    assert got["future_executions"] == []
    execution_id = got["recent_executions"][0]["execution_id"]
    execution = (await client.get(f"{P}/executions/{execution_id}")).json()
    assert execution["workflow_name"] == "greeting"
    events = (await client.get(f"{P}/events/list", params={"workflow_exec_id": execution_id})).json()["events"]
    assert events[0]["schedule_id"] == schedule_id


async def test_paused_schedule_does_not_fire_and_trigger_respects_overlap(client: httpx2.AsyncClient) -> None:
    body = {
        "workflow_identifier": "approval",
        "schedule_id": "appr",
        "schedule": {"input": {"request": "nightly"}, "intervals": [{"every": "PT24H"}]},
    }
    assert (await client.post(f"{P}/schedules", json=body)).status_code == 201
    assert (await client.post(f"{P}/schedules", json=body)).status_code == 409
    assert (await client.post(f"{P}/schedules/appr/pause", json={"note": "hold"})).status_code == 204
    paused = (await client.get(f"{P}/schedules/appr")).json()
    assert paused["paused"] is True
    assert paused["note"] == "hold"
    listed = (await client.get(f"{P}/schedules", params={"status": "paused"})).json()["schedules"]
    assert [s["schedule_id"] for s in listed] == ["appr"]
    assert (await client.post(f"{P}/schedules/appr/trigger")).status_code == 204
    assert (await client.post(f"{P}/schedules/appr/trigger")).status_code == 204  # SKIP: first still running
    assert len((await client.get(f"{P}/schedules/appr")).json()["recent_executions"]) == 1
    assert (await client.post(f"{P}/schedules/appr/trigger", json={"overlap": 6})).status_code == 204
    assert len((await client.get(f"{P}/schedules/appr")).json()["recent_executions"]) == 2
    assert (await client.post(f"{P}/schedules/appr/resume")).status_code == 204
    assert (await client.get(f"{P}/schedules/appr")).json()["paused"] is False
    assert (await client.delete(f"{P}/schedules/appr")).status_code == 204
    assert (await client.get(f"{P}/schedules/appr")).status_code == 404


async def test_schedule_validation(client: httpx2.AsyncClient) -> None:
    no_timing = {"workflow_identifier": "greeting", "schedule": {"input": {"name": "x"}}}
    response = await client.post(f"{P}/schedules", json=no_timing)
    assert response.status_code == 422
    assert response.json()["code"] == "WF_1200"
    bad_cron = {
        "workflow_identifier": "greeting",
        "schedule": {"input": {"name": "x"}, "cron_expressions": ["61 * * * *"]},
    }
    assert (await client.post(f"{P}/schedules", json=bad_cron)).json()["code"] == "WF_1200"
    bad_input = {"workflow_identifier": "greeting", "schedule": {"input": {}, "cron_expressions": ["0 * * * *"]}}
    response = await client.post(f"{P}/schedules", json=bad_input)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "schedule", "input"]
    unknown = {"workflow_identifier": "nope", "schedule": {"input": {}, "cron_expressions": ["0 * * * *"]}}
    assert (await client.post(f"{P}/schedules", json=unknown)).status_code == 404


async def test_cron_schedule_lists_future_firings(client: httpx2.AsyncClient) -> None:
    body = {
        "workflow_identifier": "greeting",
        "schedule_id": "weekday-9",
        "schedule": {"input": {"name": "x"}, "cron_expressions": ["0 9 * * 1-5"], "time_zone_name": "Europe/Paris"},
    }
    assert (await client.post(f"{P}/schedules", json=body)).status_code == 201
    future = (await client.get(f"{P}/schedules/weekday-9")).json()["future_executions"]
    assert len(future) == 10
    patched = await client.patch(f"{P}/schedules/weekday-9", json={"schedule": {"max_executions": 3}})
    assert patched.json() == {"schedule_id": "weekday-9"}
    got = (await client.get(f"{P}/schedules/weekday-9")).json()
    assert len(got["future_executions"]) == 3
    assert got["cron_expressions"] == ["0 9 * * 1-5"]


async def test_managed_deployment_lifecycle(client: httpx2.AsyncClient) -> None:
    spec = {"name": "mine", "spec": {"github_url": "https://github.com/example/w"}}
    created = await client.post(f"{P}/deployments", json=spec)
    assert created.status_code == 202
    assert created.json()["spec"]["revision"] == "main"
    assert (await client.post(f"{P}/deployments", json=spec)).status_code == 409
    await client.post(f"{P}/deployments/mine/stop")
    detail = (await client.get(f"{P}/deployments/mine")).json()
    assert detail["is_active"] is False
    assert detail["managed"]["stopped"] is True
    active = (await client.get(f"{P}/deployments")).json()["deployments"]
    assert "mine" not in {d["name"] for d in active}
    await client.post(f"{P}/deployments/mine/start")
    assert (await client.get(f"{P}/deployments/mine")).json()["is_active"] is True
    patched = await client.patch(f"{P}/deployments/mine", json={"resources": {"replicas": 3}})
    assert patched.json()["resources"]["replicas"] == 3
    assert (await client.delete(f"{P}/deployments/mine")).status_code == 202
    assert (await client.get(f"{P}/deployments/mine")).status_code == 404


async def test_self_hosted_deployment_rejects_lifecycle_calls(client: httpx2.AsyncClient) -> None:
    response = await client.post(f"{P}/deployments/sandbox-deployment/stop")
    assert response.status_code == 409
    detail = (await client.get(f"{P}/deployments/sandbox-deployment")).json()
    assert [w["name"] for w in detail["workers"]] == ["sandbox-worker-1", "sandbox-worker-2"]
    assert detail["managed"] is None
    everything = (await client.get(f"{P}/deployments", params={"active_only": "false"})).json()["deployments"]
    assert {d["name"] for d in everything} == {"sandbox-deployment", "legacy-deployment", "managed-demo"}

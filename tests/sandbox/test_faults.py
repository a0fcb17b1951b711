"""Fault injection: status codes with Retry-After, latency, dropped connections, broken streams."""

from __future__ import annotations

import httpx2
import pytest

from mcp_workflows.sandbox import FaultConfig, SandboxConfig, running_sandbox

from .conftest import AUTH, FAST, start, wait_status

pytestmark = pytest.mark.anyio


async def set_faults(client: httpx2.AsyncClient, *rules: dict[str, object]) -> None:
    response = await client.post("/_sandbox/faults", json={"rules": list(rules)})
    assert response.status_code == 200, response.text


async def test_status_fault_with_retry_after_hits_only_n_times(client: httpx2.AsyncClient) -> None:
    await set_faults(
        client, {"path_regex": "^/v1/workflows$", "kind": "status", "status": 429, "retry_after": 2, "times": 1}
    )
    first = await client.get("/v1/workflows")
    assert first.status_code == 429
    assert first.headers["retry-after"] == "2"
    assert "detail" in first.json()
    second = await client.get("/v1/workflows")
    assert second.status_code == 200
    faults = (await client.get("/_sandbox/faults")).json()
    assert faults["rules"][0]["remaining"] == 0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_error_faults(client: httpx2.AsyncClient, status: int) -> None:
    await set_faults(client, {"path_regex": "/executions/", "kind": "status", "status": status})
    assert (await client.get("/v1/workflows/executions/x")).status_code == status
    assert (await client.get("/v1/workflows/greeting")).status_code == 200


async def test_method_filter(client: httpx2.AsyncClient) -> None:
    await set_faults(client, {"path_regex": "/greeting", "method": "PUT", "kind": "status", "status": 503})
    assert (await client.get("/v1/workflows/greeting")).status_code == 200
    assert (await client.put("/v1/workflows/greeting", json={})).status_code == 503


async def test_latency_fault_still_answers_and_is_consumed(client: httpx2.AsyncClient) -> None:
    await set_faults(client, {"path_regex": "^/v1/workflows$", "kind": "latency", "latency_ms": 20, "times": 2})
    for _ in range(3):
        assert (await client.get("/v1/workflows")).status_code == 200
    assert (await client.get("/_sandbox/faults")).json()["rules"][0]["remaining"] == 0


async def test_drop_before_handler_breaks_the_response_and_changes_nothing(client: httpx2.AsyncClient) -> None:
    await set_faults(client, {"path_regex": "/execute$", "kind": "drop", "times": 1})
    with pytest.raises(httpx2.TransportError):
        await client.post("/v1/workflows/greeting/execute", json={"input": {"name": "x"}, "execution_id": "drop-0"})
    assert (await client.get("/v1/workflows/executions/drop-0")).status_code == 404


async def test_drop_after_handler_starts_the_execution(client: httpx2.AsyncClient) -> None:
    await set_faults(client, {"path_regex": "/execute$", "kind": "drop", "after_handler": True, "times": 1})
    body = {"input": {"request": "x"}, "execution_id": "drop-1"}
    with pytest.raises(httpx2.TransportError):
        await client.post("/v1/workflows/approval/execute", json=body)
    assert (await client.get("/v1/workflows/executions/drop-1")).json()["status"] == "RUNNING"
    retry = await client.post("/v1/workflows/approval/execute", json=body)
    assert retry.status_code == 409
    assert retry.json()["code"] == "WF_1101"


async def test_end_stream_early_closes_before_the_terminal_event(client: httpx2.AsyncClient) -> None:
    await set_faults(client, {"path_regex": "/stream$", "kind": "end_stream_early", "after_events": 2, "times": 1})
    await start(client, "slow-report", {"seconds": 2}, execution_id="early")
    async with client.stream("GET", "/v1/workflows/executions/early/stream") as response:
        text = (await response.aread()).decode()
    assert response.status_code == 200
    assert text.count("data: ") == 2
    assert "WORKFLOW_EXECUTION_COMPLETED" not in text
    await wait_status(client, "early")
    async with client.stream("GET", "/v1/workflows/executions/early/stream") as response:
        full = (await response.aread()).decode()
    assert "WORKFLOW_EXECUTION_COMPLETED" in full


async def test_stall_stream_goes_silent(client: httpx2.AsyncClient) -> None:
    await set_faults(client, {"path_regex": "/stream$", "kind": "stall_stream", "after_events": 1})
    await start(client, "greeting", {"name": "s"}, execution_id="stall")
    await wait_status(client, "stall")
    received: list[str] = []

    async def read() -> None:
        async with client.stream(
            "GET", "/v1/workflows/executions/stall/stream", timeout=httpx2.Timeout(10, read=0.3)
        ) as response:
            async for chunk in response.aiter_text():
                received.append(chunk)

    with pytest.raises(httpx2.ReadTimeout):
        await read()
    assert "".join(received).count("data: ") == 1


async def test_faults_from_config_and_env() -> None:
    env = {"MCP_WORKFLOWS_SANDBOX_FAULTS": '[{"path_regex": "/deployments", "kind": "status", "status": 502}]'}
    config = SandboxConfig(time_scale=FAST.time_scale, faults=FaultConfig.from_env(env))
    assert FaultConfig.from_env({}).rules == []
    async with running_sandbox(config) as url, httpx2.AsyncClient(base_url=url, headers=AUTH) as client:
        assert (await client.get("/v1/workflows/deployments")).status_code == 502
        await set_faults(client)
        assert (await client.get("/v1/workflows/deployments")).status_code == 200
        await client.post("/_sandbox/reset")
        assert (await client.get("/v1/workflows/deployments")).status_code == 502


async def test_bad_fault_config_is_422(client: httpx2.AsyncClient) -> None:
    response = await client.post("/_sandbox/faults", json={"rules": [{"path_regex": "x", "kind": "explode"}]})
    assert response.status_code == 422

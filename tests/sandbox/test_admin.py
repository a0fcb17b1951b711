"""Auth, error shapes, request counters, reset, and the cheap import of the package."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx2
import pytest

from .conftest import start

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "token"])
async def test_requests_without_a_bearer_token_are_401(sandbox_url: str, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    async with httpx2.AsyncClient(base_url=sandbox_url, headers=headers) as client:
        response = await client.get("/v1/workflows")
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


async def test_any_non_empty_bearer_token_is_accepted(sandbox_url: str) -> None:
    async with httpx2.AsyncClient(base_url=sandbox_url, headers={"Authorization": "Bearer x"}) as client:
        assert (await client.get("/v1/workflows")).status_code == 200


async def test_unknown_paths_answer_json(client: httpx2.AsyncClient) -> None:
    response = await client.get("/v1/workflows/greeting/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}
    response = await client.delete("/v1/workflows/greeting")
    assert response.status_code == 405
    assert "detail" in response.json()


async def test_not_found_bodies_name_the_missing_object(client: httpx2.AsyncClient) -> None:
    cases = {
        "/v1/workflows/registrations/7b0d2a52-0000-4000-8000-000000000000": "Workflow registration",
        "/v1/workflows/runs/7b0d2a52-0000-4000-8000-000000000000": "Run",
        "/v1/workflows/schedules/nope": "Schedule",
        "/v1/workflows/deployments/nope": "Deployment",
        "/v1/workflows/nope/metrics": "Workflow",
    }
    for path, kind in cases.items():
        response = await client.get(path)
        assert response.status_code == 404, path
        body = response.json()
        assert body["detail"].startswith(f"{kind} '"), body
        assert body["code"] == ("WF_1201" if kind == "Schedule" else "WF_1100")


async def test_stats_count_upstream_requests_per_path(client: httpx2.AsyncClient) -> None:
    await client.get("/v1/workflows")
    await client.get("/v1/workflows")
    await client.get("/v1/workflows/greeting")
    await client.get("/_sandbox/faults")
    stats = (await client.get("/_sandbox/stats")).json()
    assert stats["paths"] == {"/v1/workflows": 2, "/v1/workflows/greeting": 1}
    assert stats["requests"]["GET /v1/workflows"] == 2
    assert stats["total"] == 3


async def test_reset_restores_the_demo_state(client: httpx2.AsyncClient) -> None:
    await start(client, "approval", {"request": "r"}, execution_id="before-reset")
    await client.put("/v1/workflows/greeting", json={"display_name": "Changed"})
    assert (await client.post("/_sandbox/reset")).status_code == 200
    assert (await client.get("/v1/workflows/executions/before-reset")).status_code == 404
    assert (await client.get("/v1/workflows/greeting")).json()["workflow"]["display_name"] == "Greeting"
    assert (await client.get("/_sandbox/stats")).json()["total"] == 2


def test_importing_the_package_does_not_load_uvicorn_or_the_app() -> None:
    code = (
        "import sys, mcp_workflows.sandbox as s; "
        "assert s.SandboxConfig and 'uvicorn' not in sys.modules and 'mcp_workflows.sandbox.app' not in sys.modules; "
        "assert 'mcp_workflows.api' not in sys.modules and 'mcp_workflows.server' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sandbox_never_imports_the_api_or_server_layers() -> None:
    code = (
        "import sys; from mcp_workflows.sandbox import create_app, running_sandbox, serve; create_app(); "
        "bad = [m for m in sys.modules if m.startswith(('mcp_workflows.api', 'mcp_workflows.server'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_serve_runs_standalone_and_keeps_stdout_clean() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"MCP_WORKFLOWS_SANDBOX_FAULTS": '[{"path_regex": "/runs", "kind": "status", "status": 503}]'}
    code = f"from mcp_workflows.sandbox import serve; serve('127.0.0.1', {port})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx2.get(f"{base}/_sandbox/health").status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.05)
        headers = {"Authorization": "Bearer k"}
        assert httpx2.get(f"{base}/v1/workflows/greeting", headers=headers).status_code == 200
        assert httpx2.get(f"{base}/v1/workflows/runs", headers=headers).status_code == 503
    finally:
        proc.terminate()
        stdout, stderr = proc.communicate(timeout=10)
    assert stdout == b""
    assert b"sandbox" in stderr

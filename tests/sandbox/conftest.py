"""A fresh sandbox over real HTTP for every test, with fast demo workflows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest

from mcp_workflows.sandbox import SandboxConfig, running_sandbox

FAST = SandboxConfig(time_scale=0.01, schedule_min_interval_s=0.05)
AUTH = {"Authorization": "Bearer sandbox-test-key"}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """Module scope, so one sandbox server serves every test of a module (started once, reset per test)."""
    return "asyncio"


@pytest.fixture(scope="module")
async def shared_sandbox_url() -> AsyncIterator[str]:
    async with running_sandbox(FAST) as url:
        yield url


@pytest.fixture
async def sandbox_url(shared_sandbox_url: str) -> str:
    """The module's sandbox, back in its demo state (POST /_sandbox/reset) before each test."""
    async with httpx2.AsyncClient(base_url=shared_sandbox_url) as admin:
        response = await admin.post("/_sandbox/reset")
        assert response.status_code == 200
    return shared_sandbox_url


@pytest.fixture
async def client(sandbox_url: str) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(base_url=sandbox_url, headers=AUTH, timeout=10) as http:
        yield http


async def wait_status(
    client: httpx2.AsyncClient, execution_id: str, accept: Callable[[str], bool] = lambda s: s != "RUNNING"
) -> dict[str, Any]:
    """Poll GET /executions/{id} until `accept(status)`; bounded so a broken sandbox fails the test."""
    body: dict[str, Any] = {}
    for _ in range(500):
        response = await client.get(f"/v1/workflows/executions/{execution_id}")
        assert response.status_code == 200, response.text
        body = response.json()
        if accept(body["status"]):
            return body
        await asyncio.sleep(0.01)
    raise AssertionError(f"execution {execution_id} stayed {body.get('status')}")


async def start(client: httpx2.AsyncClient, workflow: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Execute a workflow and return the WorkflowExecutionResponse."""
    response = await client.post(f"/v1/workflows/{workflow}/execute", json={"input": payload, **extra})
    assert response.status_code == 200, response.text
    return dict(response.json())

"""Two stateless replicas behind a load balancer without sticky sessions, as in Kubernetes.

One sandbox (the test session's), two `serve --transport http --stateless` processes sharing an API key
(so their confirmation tokens and sealed request state agree), and a client whose requests are
spread over both. Real subprocesses, real HTTP.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import ElicitRequestParams, ElicitResult

from tests.e2e.harness import HttpServer, HttpServers, serve_at_start_up, server_env
from tests.e2e.session import Mode

pytestmark = pytest.mark.anyio


class Balancer(httpx2.AsyncBaseTransport):
    """Sends each request to the next replica in turn; `route()` pins the next tools/call ones."""

    def __init__(self, ports: list[int]) -> None:
        self._turns = itertools.cycle(ports)
        self._pinned: list[int] = []
        self._inner = httpx2.AsyncHTTPTransport()
        self.tool_calls: Counter[int] = Counter()

    def route(self, *ports: int) -> None:
        self._pinned = list(ports)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        is_tool_call = request.method == "POST" and json.loads(request.content or b"{}").get("method") == "tools/call"
        port = self._pinned.pop(0) if is_tool_call and self._pinned else next(self._turns)
        if is_tool_call:
            self.tool_calls[port] += 1
        request.url = request.url.copy_with(port=port)
        request.headers["Host"] = f"127.0.0.1:{port}"
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class Replicas:
    sandbox_url: str
    first: HttpServer
    second: HttpServer

    @property
    def ports(self) -> list[int]:
        return [self.first.port, self.second.port]

    def sandbox(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx2.request(method, self.sandbox_url + path, headers={"Authorization": "Bearer t"}, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None


@pytest.fixture
def replicas(http_servers: HttpServers, shared_sandbox: str) -> Replicas:
    first, second = (server.wait_ready() for server in http_servers.replicas)
    return Replicas(shared_sandbox, first, second)


@asynccontextmanager
async def balanced(replicas: Replicas, mode: Mode, **client_kwargs: Any) -> AsyncIterator[tuple[Client, Balancer]]:
    balancer = Balancer(replicas.ports)
    async with (
        httpx2.AsyncClient(transport=balancer, timeout=60) as http,
        Client(streamable_http_client(replicas.first.url, http_client=http), mode=mode, **client_kwargs) as client,
    ):
        yield client, balancer


@pytest.fixture(autouse=True)
def fresh_sandbox(replicas: Replicas) -> None:
    replicas.sandbox("POST", "/_sandbox/reset")


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_calls_spread_over_both_replicas_work(replicas: Replicas, mode: Mode) -> None:
    async with balanced(replicas, mode) as (client, balancer):
        assert "execute_workflow" in {tool.name for tool in (await client.list_tools()).tools}
        balancer.route(*replicas.ports)
        detail = await client.call_tool("get_workflow", {"workflow": "greeting"})
        run = await client.call_tool("execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}})
    assert balancer.tool_calls == Counter(replicas.ports), "one tool call on each replica"
    assert not detail.is_error
    assert detail.structured_content is not None
    assert detail.structured_content["registration"]["input_schema"]["required"] == ["name"]
    assert not run.is_error
    assert run.structured_content is not None
    assert run.structured_content["status"] == "COMPLETED"
    upstream = replicas.sandbox("GET", f"/v1/workflows/executions/{run.structured_content['execution_id']}")
    assert upstream["result"] == run.structured_content["result"]


async def test_a_token_from_one_replica_confirms_on_the_other(replicas: Replicas) -> None:
    """Handshake-era clients have no back channel on stateless HTTP: they confirm with a token."""

    async def accept(_: Any, params: ElicitRequestParams) -> ElicitResult:
        raise AssertionError("stateless HTTP cannot carry a mid-call form to a handshake-era client")

    async with balanced(replicas, "legacy", elicitation_callback=accept) as (client, balancer):
        first, second = replicas.ports
        balancer.route(first, second)
        preview = await client.call_tool("archive_workflow", {"workflow": "greeting"})
        assert preview.structured_content is not None
        assert preview.structured_content["outcome"] == "confirmation_required"
        assert replicas.sandbox("GET", "/v1/workflows/greeting")["workflow"]["archived"] is False
        token = preview.structured_content["confirmation_token"]
        confirmed = {"workflow": "greeting", "confirmation_token": token}
        done = await client.call_tool("archive_workflow", confirmed)
    assert balancer.tool_calls == Counter({first: 1, second: 1})
    assert done.structured_content is not None
    assert done.structured_content["outcome"] == "done"
    assert done.structured_content["confirmed_by"] == "token"
    assert replicas.sandbox("GET", "/v1/workflows/greeting")["workflow"]["archived"] is True


async def test_a_confirmation_form_answered_on_another_replica_is_honoured(replicas: Replicas) -> None:
    """2026-07-28: the form travels as an input-required result whose sealed state the other
    replica must be able to open."""
    asked: list[str] = []

    async def accept(_: Any, params: ElicitRequestParams) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    async with balanced(replicas, "auto", elicitation_callback=accept) as (client, balancer):
        first, second = replicas.ports
        balancer.route(first, second)
        done = await client.call_tool("archive_workflow", {"workflow": "greeting"})
    assert balancer.tool_calls == Counter({first: 1, second: 1}), "asked on one replica, answered on the other"
    assert len(asked) == 1
    assert "Greeting" in asked[0]
    assert not done.is_error
    assert done.structured_content is not None
    assert done.structured_content["outcome"] == "done"
    assert done.structured_content["confirmed_by"] == "elicitation"
    assert replicas.sandbox("GET", "/v1/workflows/greeting")["workflow"]["archived"] is True


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_progress_reaches_the_client_without_a_session(replicas: Replicas, mode: Mode) -> None:
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    async with balanced(replicas, mode) as (client, _):
        run = await client.call_tool(
            "execute_workflow",
            {"workflow": "slow-report", "input": {"seconds": 10}, "wait_seconds": 30},
            progress_callback=on_progress,
        )
    assert run.structured_content is not None
    assert run.structured_content["status"] == "COMPLETED"
    assert progress, "progress notifications travel on the request's own response stream"


def test_stateless_is_refused_on_stdio() -> None:
    done = serve_at_start_up(["--sandbox", "--stateless"], server_env())
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--transport http" in done.stderr

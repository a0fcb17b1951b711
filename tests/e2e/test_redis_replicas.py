"""Two stateless replicas sharing one real Redis (MCP_WORKFLOWS_REDIS_URL), against one sandbox.

Each replica has its own state folder, so only Redis can make them agree: a confirmation spent on
one is spent on both, a cap counts the calls made on both, and a resource update raised on one
reaches a listener connected to the other. Real subprocesses, real HTTP, a real redis-server (slow
tier).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.subscriptions import ResourceUpdated
from mcp_types import CallToolResult

from tests.e2e.harness import HttpServer, server_env
from tests.e2e.polling import eventually
from tests.e2e.session import Mode, text_of
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

MAX_EXECUTIONS = 2


@dataclass
class Replicas:
    sandbox_url: str
    redis: RedisServer
    first: HttpServer
    second: HttpServer

    def sandbox(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx2.request(method, self.sandbox_url + path, headers={"Authorization": "Bearer t"}, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def archived(self, workflow: str) -> bool:
        return bool(self.sandbox("GET", f"/v1/workflows/{workflow}")["workflow"]["archived"])


@pytest.fixture(scope="module")
def started(shared_sandbox: str, redis_server: RedisServer) -> Iterator[Replicas]:
    def replica() -> HttpServer:
        env = {
            "MISTRAL_API_KEY": "shared-fake-key",  # signs the tokens both replicas verify
            "MISTRAL_BASE_URL": shared_sandbox,
            "MCP_WORKFLOWS_REDIS_URL": redis_server.url,
            "MCP_WORKFLOWS_MAX_EXECUTIONS": str(MAX_EXECUTIONS),
            "MCP_WORKFLOWS_CONFIRM": "destructive=token,execute=token",  # previews, which caps do not count
        }
        return HttpServer(["--stateless"], server_env(env))  # server_env: a state folder of its own

    first, second = replica(), replica()
    yield Replicas(shared_sandbox, redis_server, first.wait_ready(), second.wait_ready())
    for server in (first, second):
        log = server.stop()
        assert redis_server.password not in log, "the Redis password never reaches a log"


@pytest.fixture
def replicas(started: Replicas) -> Replicas:
    started.sandbox("POST", "/_sandbox/reset")
    return started


@asynccontextmanager
async def connected(server: HttpServer, mode: Mode = "legacy") -> AsyncIterator[Client]:
    async with Client(server.url, mode=mode) as client:
        yield client


async def archive(client: Client, workflow: str, token: str | None = None) -> CallToolResult:
    arguments = {"workflow": workflow} | ({"confirmation_token": token} if token else {})
    return await client.call_tool("archive_workflow", arguments)


def test_both_replicas_say_where_their_shared_state_lives(replicas: Replicas) -> None:
    for server in (replicas.first, replicas.second):
        log = server.log()
        assert f"shared through Redis at redis://:[redacted]@127.0.0.1:{replicas.redis.port}/0" in log, log


@pytest.mark.parametrize(("issued_on", "replayed_on", "workflow"), [(0, 1, "greeting"), (1, 0, "counter")])
async def test_a_token_spent_on_one_replica_is_refused_on_the_other(
    replicas: Replicas, issued_on: int, replayed_on: int, workflow: str
) -> None:
    servers = (replicas.first, replicas.second)
    async with connected(servers[issued_on]) as here, connected(servers[replayed_on]) as there:
        preview = await archive(here, workflow)
        assert preview.structured_content is not None
        assert preview.structured_content["outcome"] == "confirmation_required", text_of(preview)
        token = preview.structured_content["confirmation_token"]
        done = await archive(here, workflow, token)
        assert done.structured_content is not None
        assert done.structured_content["outcome"] == "done", text_of(done)
        assert replicas.archived(workflow)
        replicas.sandbox("PUT", f"/v1/workflows/{workflow}/unarchive")  # a replay would have something to do
        replayed = await archive(there, workflow, token)
    assert replayed.is_error
    assert "confirmation_token was already used" in text_of(replayed)
    assert not replicas.archived(workflow), "the replayed token changed nothing"


async def test_a_cap_counts_the_calls_made_on_both_replicas(replicas: Replicas) -> None:
    """Each run is previewed on one replica and confirmed on the other; previews and refusals do not count."""
    with replicas.redis.client() as raw:
        raw.delete("mcp-workflows:caps:execute")  # this test's window starts empty
    arguments = {"workflow": "greeting", "input": {"name": "Ada"}}
    async with connected(replicas.first) as first, connected(replicas.second) as second:
        for previewing, confirming in ((first, second), (second, first)):
            preview = await previewing.call_tool("execute_workflow", arguments)
            assert preview.structured_content is not None
            assert preview.structured_content["outcome"] == "confirmation_required", text_of(preview)
            token = preview.structured_content["confirmation_token"]
            run = await confirming.call_tool("execute_workflow", arguments | {"confirmation_token": token})
            assert not run.is_error, text_of(run)
            assert run.structured_content is not None
            assert run.structured_content["status"] == "COMPLETED"
        for client in (first, second):
            capped = await client.call_tool("execute_workflow", arguments)
            assert capped.is_error
            assert f"cap of {MAX_EXECUTIONS} executions started per 3600 s is reached" in text_of(capped)
    runs = replicas.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": "greeting"})
    assert len(runs["executions"]) == MAX_EXECUTIONS
    with replicas.redis.client() as raw:
        assert raw.zcard("mcp-workflows:caps:execute") == MAX_EXECUTIONS, "previews and refusals are not counted"


class Recorded(httpx2.AsyncByteStream):
    """A response body passed on unchanged, and copied."""

    def __init__(self, inner: httpx2.AsyncByteStream, copy: bytearray) -> None:
        self._inner = inner
        self._copy = copy

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._copy.extend(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class ListenTap(httpx2.AsyncBaseTransport):
    """What a replica sends on a client's `subscriptions/listen` stream, as sent: the client itself
    folds identical pending events into one (they are level triggers), so it cannot count them."""

    def __init__(self) -> None:
        self._inner = httpx2.AsyncHTTPTransport()
        self.received = bytearray()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self._inner.handle_async_request(request)
        if b'"subscriptions/listen"' in request.content:
            assert isinstance(response.stream, httpx2.AsyncByteStream)
            response.stream = Recorded(response.stream, self.received)
        return response

    async def updates(self) -> int:
        return bytes(self.received).count(b'"notifications/resources/updated"')

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_resource_update_raised_on_one_replica_reaches_a_listener_on_the_other(replicas: Replicas) -> None:
    """Each replica follows the execution for its own listener and raises one update when it ends:
    the second replica's stream carries its own update and, through Redis, the first's."""
    started = replicas.sandbox("POST", "/v1/workflows/slow-report/execute", json={"input": {"seconds": 600}})
    uri = f"workflows://execution/{started['execution_id']}"
    tap = ListenTap()
    async with (
        httpx2.AsyncClient(transport=tap, timeout=60) as http,
        Client(streamable_http_client(replicas.second.url, http_client=http), mode="auto") as there,
        there.listen(resource_subscriptions=[uri]) as listening_there,
        connected(replicas.first, "auto") as here,
        here.listen(resource_subscriptions=[uri]) as listening_here,
    ):
        for subscription in (listening_there, listening_here):
            assert subscription.honored.resource_subscriptions == [uri], "each replica follows it"
        replicas.sandbox("POST", f"/v1/workflows/executions/{started['execution_id']}/cancel")
        with anyio.fail_after(15):
            assert await listening_there.__anext__() == ResourceUpdated(uri=uri)
        await eventually(tap.updates, lambda count: count >= 2, what="the first replica's update on the second")
    assert await tap.updates() == 2, "one update from each replica's watch"

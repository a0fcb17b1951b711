"""Fixtures: one sandbox for the session (reset per test), an in-process server per MCP session in
each protocol era, and the `serve --transport http` subprocesses the transport tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.e2e.harness import (  # no_operator_environment: autouse in this folder
    BEARER_TOKENS,
    HttpServer,
    HttpServers,
    free_port,
    no_operator_environment,  # noqa: F401
    server_env,
)
from tests.e2e.inprocess import SANDBOX_CONFIG, ThreadedSandbox, connect_in_process
from tests.e2e.session import ERAS, Mode, Session, sandbox_client, sandbox_request


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[str]:
    sandbox = ThreadedSandbox(SANDBOX_CONFIG)
    yield sandbox.url
    sandbox.stop()


@pytest.fixture
async def sandbox_url(shared_sandbox: str) -> str:
    """The session's sandbox, back in its demo state for this test."""
    async with sandbox_client(shared_sandbox) as http:
        await sandbox_request(http, "POST", "/_sandbox/reset")
    return shared_sandbox


@pytest.fixture(params=ERAS)
def era(request: pytest.FixtureRequest) -> Mode:
    mode: Mode = request.param
    return mode


@pytest.fixture
def open_session(era: Mode, sandbox_url: str) -> Any:
    """A factory: `async with open_session(settings={...}, **client_kwargs) as session` in this test's era."""

    def factory(settings: dict[str, Any] | None = None, **client_kwargs: Any) -> Any:
        return connect_in_process(sandbox_url, era, settings, **client_kwargs)

    return factory


@pytest.fixture
async def session(open_session: Any) -> AsyncIterator[Session]:
    async with open_session() as opened:
        yield opened


@pytest.fixture(scope="session")
def http_servers(shared_sandbox: str) -> Iterator[HttpServers]:
    """All spawned together when the first test needs one, so that their start-ups (seconds each
    on a busy machine) overlap; used through the fixtures below, which wait until each answers."""
    sandbox_port = free_port()
    replica_env = server_env({"MISTRAL_API_KEY": "shared-fake-key", "MISTRAL_BASE_URL": shared_sandbox})
    servers = HttpServers(
        sandbox_port=sandbox_port,
        sandboxed=HttpServer(["--sandbox"], server_env({"MCP_WORKFLOWS_SANDBOX_PORT": str(sandbox_port)})),
        with_tokens=HttpServer(
            ["--sandbox"],
            server_env(
                {
                    "MCP_WORKFLOWS_SANDBOX_PORT": str(free_port()),
                    "MCP_WORKFLOWS_HTTP_TOKENS": ", ".join(BEARER_TOKENS),
                    "MCP_WORKFLOWS_LOG_LEVEL": "DEBUG",
                }
            ),
        ),
        replicas=(HttpServer(["--stateless"], replica_env), HttpServer(["--stateless"], replica_env)),
    )
    yield servers
    for server in servers.all():
        server.process.terminate()
    for server in servers.all():
        server.stop()


@pytest.fixture
def http_server(http_servers: HttpServers) -> HttpServer:
    return http_servers.sandboxed.wait_ready()


@pytest.fixture
def http_sandbox_port(http_servers: HttpServers) -> int:
    return http_servers.sandbox_port

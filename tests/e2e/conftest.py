"""Fixtures: one sandbox for the session (reset per test), an in-process server per session in
each protocol era, and one shared `serve --transport http` subprocess for the transport tests."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.e2e.harness import HttpServer, free_port, server_env
from tests.e2e.inprocess import SANDBOX_CONFIG, ThreadedSandbox, connect_in_process
from tests.e2e.session import ERAS, Mode, Session, sandbox_request


@pytest.fixture(autouse=True)
def no_operator_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process servers read Settings from the environment: no key or setting of the machine's leaks in."""
    for name in os.environ:
        if name.startswith(("MISTRAL_", "MCP_WORKFLOWS_")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[str]:
    sandbox = ThreadedSandbox(SANDBOX_CONFIG)
    yield sandbox.url
    sandbox.stop()


@pytest.fixture
async def sandbox_url(shared_sandbox: str) -> str:
    """The session's sandbox, back in its demo state for this test."""
    await sandbox_request(shared_sandbox, "POST", "/_sandbox/reset")
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
def http_sandbox_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def http_server(http_sandbox_port: int) -> Iterator[HttpServer]:
    """`mcp-workflows serve --sandbox --transport http`, shared by the tests that need real HTTP."""
    server = HttpServer(["--sandbox"], server_env({"MCP_WORKFLOWS_SANDBOX_PORT": str(http_sandbox_port)}))
    yield server
    server.stop()

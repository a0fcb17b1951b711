"""Fixtures: one shared HTTP server per test session, a fresh stdio server per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.e2e.harness import HttpServer, Mode, Session, Transport, connect, free_port, server_env

COMBOS = [("stdio", "legacy"), ("stdio", "auto"), ("http", "legacy"), ("http", "auto")]


@pytest.fixture(scope="session")
def sandbox_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def http_server(sandbox_port: int) -> Iterator[HttpServer]:
    server = HttpServer(["--sandbox"], server_env({"MCP_WORKFLOWS_SANDBOX_PORT": str(sandbox_port)}))
    yield server
    server.stop()


@pytest.fixture(params=COMBOS, ids=[f"{t}-{m}" for t, m in COMBOS])
def combo(request: pytest.FixtureRequest) -> tuple[Transport, Mode]:
    transport, mode = request.param
    return transport, mode


@pytest.fixture
def open_session(combo: tuple[Transport, Mode], request: pytest.FixtureRequest, sandbox_port: int) -> Any:
    """A factory: `async with open_session(**client_kwargs) as session` on this test's combo."""
    transport, mode = combo

    def factory(**kwargs: Any) -> Any:
        if transport == "http":
            server = request.getfixturevalue("http_server")
            return connect("http", mode, http_server=server, sandbox_port=sandbox_port, **kwargs)
        return connect("stdio", mode, **kwargs)

    return factory


@pytest.fixture
async def session(open_session: Any) -> AsyncIterator[Session]:
    async with open_session() as session:
        await session.sandbox("POST", "/_sandbox/reset")
        yield session

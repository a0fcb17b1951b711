"""The MCP server in-process (`Client(server, mode=...)`) against one sandbox for the whole session,
reset before each test (the e2e suite's threaded sandbox over loopback HTTP), so a test can read the
sandbox's counters and set its faults without paying for a sandbox of its own."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx2
import pytest
from mcp import Client

from mcp_workflows.config import Settings
from mcp_workflows.server.app import build_server
from tests.e2e.harness import no_operator_environment  # noqa: F401 (autouse here)
from tests.e2e.inprocess import SANDBOX_CONFIG, ThreadedSandbox, settings_for
from tests.e2e.session import sandbox_client, sandbox_request

Mode = Literal["legacy", "auto"]
MODES: tuple[Mode, ...] = ("legacy", "auto")
DEADLINE_S = 15.0


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[ThreadedSandbox]:
    sandbox = ThreadedSandbox(SANDBOX_CONFIG)
    yield sandbox
    sandbox.stop()


@pytest.fixture
async def sandbox(shared_sandbox: ThreadedSandbox) -> AsyncIterator[Sandbox]:
    """The session's sandbox, back in its demo state (executions, faults, counters) for this test."""
    async with sandbox_client(shared_sandbox.url) as http:
        sandbox = Sandbox(shared_sandbox.url, http)
        await sandbox.call("POST", "/_sandbox/reset")
        yield sandbox


@pytest.fixture
def settings(tmp_path: Path, sandbox: Sandbox) -> Settings:
    return settings_for(sandbox.url, {"state_dir": str(tmp_path)})


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> Mode:
    """Both protocol eras: the handshake (`legacy`, 2025-11-25) and 2026-07-28 (`auto`)."""
    mode: Mode = request.param
    return mode


@asynccontextmanager
async def connected(settings: Settings, mode: Mode, **client_options: Any) -> AsyncIterator[Client]:
    async with Client(build_server(settings), mode=mode, **client_options) as client:
        yield client


class Sandbox:
    """The sandbox's test controls (`/_sandbox/...`) and its upstream API, over real HTTP."""

    def __init__(self, url: str, http: httpx2.AsyncClient) -> None:
        self.url = url
        self._http = http

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        return await sandbox_request(self._http, method, path, json=body)

    async def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = await self.call("GET", "/_sandbox/stats")
        return stats

    async def open_streams(self) -> int:
        return int((await self.stats())["open_streams"])


async def eventually(check: Callable[[], Awaitable[bool]], what: str, deadline_s: float = DEADLINE_S) -> None:
    """Poll `check` until it holds; fail naming `what` at the deadline."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if await check():
            return
        await anyio.sleep(0.02)
    pytest.fail(f"not within {deadline_s} s: {what}")


async def started(client: Client, workflow: str = "approval", data: dict[str, Any] | None = None) -> str:
    """A new execution's id (approval waits for its `approve` signal)."""
    result = await client.call_tool(
        "execute_workflow", {"workflow": workflow, "input": data or {"request": "a laptop"}, "wait_seconds": 0}
    )
    assert not result.is_error, result.content
    assert result.structured_content is not None
    execution_id: str = result.structured_content["execution_id"]
    return execution_id


async def approve(client: Client, execution_id: str) -> None:
    result = await client.call_tool(
        "signal_execution", {"execution_id": execution_id, "handler": "approve", "input": {"approved": True}}
    )
    assert not result.is_error, result.content

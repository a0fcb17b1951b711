"""The MCP server in-process (`Client(server, mode=...)`), on a sandbox its lifespan starts on a
port the test knows, so a test can read the sandbox's counters and set its faults."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx2
import pytest
from mcp import Client

from mcp_workflows.config import Settings
from mcp_workflows.server.app import build_server

Mode = Literal["legacy", "auto"]
MODES: tuple[Mode, ...] = ("legacy", "auto")
DEADLINE_S = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(sandbox=True, sandbox_port=free_port(), state_dir=str(tmp_path))


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

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with httpx2.AsyncClient(base_url=self.url, headers={"Authorization": "Bearer sandbox"}) as http:
            response = await http.request(method, path, json=body)
            response.raise_for_status()
            return response.json() if response.content else None

    async def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = await self.call("GET", "/_sandbox/stats")
        return stats

    async def open_streams(self) -> int:
        return int((await self.stats())["open_streams"])


@pytest.fixture
def sandbox(settings: Settings) -> Sandbox:
    return Sandbox(settings.sandbox_port)


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

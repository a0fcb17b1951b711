"""One sandbox per module, and servers built in process against it (a real key-like secret, so
every server instance signs task ids alike, as replicas sharing a key do)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from mcp_workflows.config import Settings
from mcp_workflows.sandbox import SandboxConfig, running_sandbox
from mcp_workflows.server.app import WorkflowsServer, build_server

API_KEY = "sk-tasks-test-key-0123456789"
POLL_S = 0.02


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """Module scope, so one sandbox serves every test of a module."""
    return "asyncio"


@pytest.fixture(scope="module")
async def sandbox_url() -> AsyncIterator[str]:
    async with running_sandbox(SandboxConfig(time_scale=0.02)) as url:
        yield url


@pytest.fixture
async def sandbox(sandbox_url: str) -> AsyncIterator[httpx2.AsyncClient]:
    """The sandbox's own API, to read what really happened upstream."""
    async with httpx2.AsyncClient(base_url=sandbox_url, headers={"Authorization": "Bearer x"}, timeout=10) as http:
        yield http


@pytest.fixture
def make_server(sandbox_url: str, tmp_path: Path) -> Callable[..., WorkflowsServer]:
    def make(**overrides: Any) -> WorkflowsServer:
        settings: dict[str, Any] = {
            "base_url": sandbox_url,
            "api_key": API_KEY,
            "state_dir": str(tmp_path / "state"),
            "task_poll_s": POLL_S,
            "toolsets": "all",
        }
        return build_server(Settings(**(settings | overrides)))

    return make

"""The MCP server in the test's own process, talking to the real sandbox over loopback HTTP.

The server object is the one `mcp-workflows serve` runs (`build_server(settings)`); the SDK's
in-memory Client drives it in either protocol era: `legacy` runs the real initialize handshake and
JSON-RPC over memory streams, `auto` the 2026-07-28 per-request path. Transports themselves are
covered by the subprocess tests (test_transports.py and the HTTP-specific ones).

The sandbox is served by uvicorn on a loopback port in a thread with its own event loop, so the
server's event-stream waits follow real, never-ending SSE responses (httpx2's ASGITransport runs
an app to completion before returning the body, which such a stream never reaches), and a sandbox
outlives every test's event loop, including tests whose code blocks on synchronous HTTP.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from mcp import Client

from mcp_workflows.config import Settings
from mcp_workflows.sandbox import SandboxConfig, running_sandbox
from mcp_workflows.server.app import build_server
from tests.e2e.session import Mode, Session, sandbox_client

API_KEY = "sk-in-process-test-key"  # signs confirmation tokens; the sandbox accepts any bearer
# Demo workflows at 1/20 of their duration; an interval schedule fires at most every 0.2 s.
SANDBOX_CONFIG = SandboxConfig(time_scale=0.05, schedule_min_interval_s=0.2)


class ThreadedSandbox:
    """`running_sandbox` (uvicorn, real HTTP on 127.0.0.1) in a daemon thread until `stop()`."""

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self._ready = threading.Event()
        self._url: str | None = None
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), name="sandbox", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the sandbox did not start within 30 s")
        if self._error is not None:
            raise RuntimeError("the sandbox failed to start") from self._error

    @property
    def url(self) -> str:
        assert self._url is not None
        return self._url

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            async with running_sandbox(self._config) as url:
                self._url = url
                self._ready.set()
                await self._stopping.wait()
        except BaseException as exc:
            self._error = exc
            raise
        finally:
            self._ready.set()

    def stop(self) -> None:
        assert self._loop is not None
        assert self._stopping is not None
        self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(30)
        assert not self._thread.is_alive(), "the sandbox thread did not stop"


def settings_for(base_url: str, overrides: Mapping[str, Any] | None = None) -> Settings:
    """What `serve` would build from the environment, pointed at this sandbox."""
    return Settings(**{"api_key": API_KEY, "base_url": base_url, **(overrides or {})})


@asynccontextmanager
async def connect_in_process(
    sandbox_url: str, mode: Mode, settings: Mapping[str, Any] | None = None, **client_kwargs: Any
) -> AsyncIterator[Session]:
    """A fresh server (lifespan: HTTP client, caps, confirmations) and a Client connected to it in memory."""
    # A state folder of its own unless the test shares one: test runs on one machine must not share
    # spent confirmations (one user's processes do).
    with tempfile.TemporaryDirectory(prefix="mcp-workflows-state-") as state_dir:
        server = build_server(settings_for(sandbox_url, {"state_dir": state_dir, **(settings or {})}))
        async with sandbox_client(sandbox_url) as http, Client(server, mode=mode, **client_kwargs) as client:
            yield Session(client, http)

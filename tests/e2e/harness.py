"""Start `mcp-workflows serve` as a real subprocess and connect the SDK's Client to it.

Both transports (stdio, streamable HTTP) and both protocol eras (the `legacy` handshake and the
2026-07-28 default) are reached through `connect()`. The server runs its in-process sandbox on
a port the test chooses, so tests read the sandbox's state back over HTTP independently of MCP.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import CallToolResult

Transport = Literal["stdio", "http"]
Mode = Literal["legacy", "auto"]
REPO = Path(__file__).resolve().parents[2]
TIME_SCALE = "0.05"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment: no real key ever reaches a test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MISTRAL_", "MCP_WORKFLOWS_"))}
    env.update({"MCP_WORKFLOWS_SANDBOX_TIME_SCALE": TIME_SCALE, "PYTHONUNBUFFERED": "1"})
    env["MCP_WORKFLOWS_STATE_DIR"] = tempfile.mkdtemp(prefix="mcp-workflows-state-")
    env.update(extra or {})
    return env


def serve_at_start_up(args: list[str], env: Mapping[str, str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run `mcp-workflows serve ARGS` where it is expected to stop during start-up."""
    return subprocess.run(
        [sys.executable, "-m", "mcp_workflows", "serve", *args],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@dataclass
class Session:
    client: Client
    sandbox_url: str
    stderr_path: Path | None = None
    calls: list[CallToolResult] = field(default_factory=lambda: [])

    async def call(self, name: str, arguments: dict[str, Any] | None = None, **kwargs: Any) -> CallToolResult:
        result = await self.client.call_tool(name, arguments or {}, **kwargs)
        self.calls.append(result)
        return result

    async def sandbox(self, method: str, path: str, **kwargs: Any) -> Any:
        """Read (or change) sandbox state directly over HTTP, bypassing the MCP server."""
        async with httpx2.AsyncClient(base_url=self.sandbox_url, headers={"Authorization": "Bearer test"}) as http:
            response = await http.request(method, path, **kwargs)
            if not response.is_success:
                raise httpx2.HTTPStatusError(
                    f"sandbox {method} {path}: {response.status_code} {response.text[:500]}",
                    request=response.request,
                    response=response,
                )
            return response.json() if response.content else None


class HttpServer:
    """`mcp-workflows serve --transport http` in a subprocess, shared by several clients."""

    def __init__(self, args: list[str], env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.stderr = tempfile.NamedTemporaryFile(prefix="mcp-http-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mcp_workflows", "serve", "--transport", "http", "--port", str(self.port), *args],
            env=env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=self.stderr,
        )
        self._wait_ready()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.stderr.name).read_text()}")
            try:
                if httpx2.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return
            except httpx2.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not become ready in 30 s")

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.stderr.close()
        log = Path(self.stderr.name)
        text = log.read_text()
        log.unlink()
        return text


@asynccontextmanager
async def connect(
    transport: Transport,
    mode: Mode,
    *,
    http_server: HttpServer | None = None,
    sandbox_port: int | None = None,
    env: Mapping[str, str] | None = None,
    args: list[str] | None = None,
    **client_kwargs: Any,
) -> AsyncIterator[Session]:
    """A connected Session. stdio spawns a fresh server (and sandbox) for this session."""
    if transport == "http":
        assert http_server is not None
        assert sandbox_port is not None
        async with Client(http_server.url, mode=mode, **client_kwargs) as client:
            yield Session(client, f"http://127.0.0.1:{sandbox_port}")
        return
    port = free_port()
    full_env = server_env({"MCP_WORKFLOWS_SANDBOX_PORT": str(port), **(env or {})})
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "mcp_workflows", "serve", *(args if args is not None else ["--sandbox"])],
        env=full_env,
        cwd=str(REPO),
    )
    with tempfile.NamedTemporaryFile("w+", prefix="mcp-stdio-", suffix=".log") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode=mode, **client_kwargs) as client:
            sandbox_url = full_env.get("MISTRAL_BASE_URL", f"http://127.0.0.1:{port}")
            yield Session(client, sandbox_url, stderr_path=Path(errlog.name))


def text_of(result: CallToolResult) -> str:
    assert result.content, "every result carries a text copy"
    block = result.content[0]
    assert block.type == "text"
    return block.text

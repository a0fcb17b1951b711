"""Start `mcp-workflows serve` as a real subprocess and connect the SDK's Client to it.

For what needs a real process: the transports themselves (stdio, streamable HTTP) in both
protocol eras, start-up refusals, HTTP auth and Host/Origin checks, stateless replicas, and what a
real process writes to stderr. Toolset behaviour is tested in-process (inprocess.py).
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.e2e.session import Mode, Session, sandbox_client

Transport = Literal["stdio", "http"]
BEARER_TOKENS = ("first-token-8c1f02", "second-token-5be9d7")  # what the token-protected server accepts
REPO = Path(__file__).resolve().parents[2]
TIME_SCALE = "0.05"
# Every server process gets its own state folder (separate machines); all of them live here and go
# when the test run ends.
_STATE_ROOT = tempfile.TemporaryDirectory(prefix="mcp-workflows-tests-")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


OPERATOR_PREFIXES = ("MISTRAL_", "MCP_WORKFLOWS_")  # the machine's key and settings


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment: no real key ever reaches a test server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OPERATOR_PREFIXES)}
    env.update({"MCP_WORKFLOWS_SANDBOX_TIME_SCALE": TIME_SCALE, "PYTHONUNBUFFERED": "1"})
    env["MCP_WORKFLOWS_STATE_DIR"] = tempfile.mkdtemp(prefix="state-", dir=_STATE_ROOT.name)
    env.update(extra or {})
    return env


@pytest.fixture(autouse=True)
def no_operator_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """For in-process servers, which read Settings from the environment: none of the machine's
    keys or settings leaks in. A conftest that imports it applies it to its folder."""
    for name in os.environ:
        if name.startswith(OPERATOR_PREFIXES):
            monkeypatch.delenv(name)


def end_process(process: subprocess.Popen[Any]) -> None:
    """Stop a test's server process: politely, then for sure."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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


class HttpServer:
    """`mcp-workflows serve --transport http` in a subprocess, shared by several clients.

    The constructor only spawns it: `wait_ready()` before use, so several start up at once.
    """

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
        self._ready = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def wait_ready(self) -> HttpServer:
        deadline = time.monotonic() + 30
        with httpx2.Client(timeout=1) as probe:
            while not self._ready and time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited: {self.log()}")
                try:
                    self._ready = probe.get(f"http://127.0.0.1:{self.port}/health").status_code == 200
                except httpx2.TransportError:
                    time.sleep(0.05)
        if not self._ready:
            raise RuntimeError(f"server did not become ready in 30 s: {self.log()}")
        return self

    def log(self) -> str:
        """What the server wrote to stderr so far."""
        return Path(self.stderr.name).read_text()

    def stop(self) -> str:
        """Stop the server and return everything it wrote to stderr."""
        end_process(self.process)
        text = self.log()
        self.stderr.close()
        Path(self.stderr.name).unlink(missing_ok=True)
        return text


@dataclass
class HttpServers:
    """The `serve --transport http` processes of the session."""

    sandbox_port: int  # the port of `sandboxed`'s own in-process sandbox
    sandboxed: HttpServer  # `serve --sandbox`, as the README runs it
    with_tokens: HttpServer  # `serve --sandbox` behind MCP_WORKFLOWS_HTTP_TOKENS
    replicas: tuple[HttpServer, HttpServer]  # `--stateless`, one API key, on the session's sandbox

    def all(self) -> list[HttpServer]:
        return [self.sandboxed, self.with_tokens, *self.replicas]


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
        async with (
            sandbox_client(f"http://127.0.0.1:{sandbox_port}") as http,
            Client(http_server.url, mode=mode, **client_kwargs) as client,
        ):
            yield Session(client, http)
        return
    port = free_port()
    full_env = server_env({"MCP_WORKFLOWS_SANDBOX_PORT": str(port), **(env or {})})
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "mcp_workflows", "serve", *(args if args is not None else ["--sandbox"])],
        env=full_env,
        cwd=str(REPO),
    )
    sandbox_url = full_env.get("MISTRAL_BASE_URL", f"http://127.0.0.1:{port}")
    with tempfile.NamedTemporaryFile("w+", prefix="mcp-stdio-", suffix=".log") as errlog:
        async with (
            sandbox_client(sandbox_url) as http,
            Client(stdio_client(params, errlog=errlog), mode=mode, **client_kwargs) as client,
        ):
            yield Session(client, http, stderr_path=Path(errlog.name))

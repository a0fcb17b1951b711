"""A real `redis-server` for the tests of shared state: a free loopback port, a temporary folder,
no persistence, and a password (so tests can check it never shows).

Tests that need it are in the slow tier; `.ci/run` installs Debian's redis-server before running
them. Without the binary they fail and say how to install it: they are never skipped.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

from tests.e2e.harness import end_process, free_port

MISSING = (
    "redis-server is not on PATH: these tests run a real Redis. Install it (Debian/Ubuntu: "
    "apt-get install -y redis-server; macOS: brew install redis) and run them again."
)


class RedisServer:
    """`redis-server` in a subprocess until `stop()`."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail(MISSING, pytrace=False)
        self.password = secrets.token_hex(16)
        self.port = free_port()
        self._folder = tempfile.mkdtemp(prefix="redis-test-")
        self.log = Path(self._folder) / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.start(binary)

    def start(self, binary: str | None = None) -> RedisServer:
        """(Re)start on the same port and password, empty: nothing is persisted."""
        command = [
            binary or shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--requirepass",
            self.password,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            self._folder,
            "--logfile",
            str(self.log),
        ]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        with redis.Redis.from_url(self.url, socket_timeout=1) as probe:
            while True:
                try:
                    probe.ping()
                    return self
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start: {self.log.read_text()}") from None
                    time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def halt(self) -> None:
        """Stop the server process (the folder stays, for `start()` again)."""
        if self.process is not None and self.process.poll() is None:
            end_process(self.process)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self._folder, ignore_errors=True)

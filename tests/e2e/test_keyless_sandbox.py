"""`serve` needs no made-up key for a sandbox, however it was started, and still stops at once when
a key is missing for anything else."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2
import pytest

from mcp_workflows.local_sandbox import answers_as_sandbox
from mcp_workflows.loopback import is_loopback_url
from tests.e2e.harness import REPO, connect, end_process, free_port, serve_at_start_up, server_env
from tests.e2e.session import text_of

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """`mcp-workflows sandbox --port N` in its own process, as a user would start it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mcp_workflows", "sandbox", "--port", str(port)],
        env=server_env(),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not answers_as_sandbox(url):
            assert process.poll() is None, "the sandbox exited"
            assert time.monotonic() < deadline, "the sandbox did not answer in 30 s"
            time.sleep(0.05)
        yield url
    finally:
        end_process(process)


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080", True),
        ("http://127.1.2.3:8080/", True),
        ("http://localhost:8080", True),
        ("http://[::1]:8080", True),
        ("https://api.mistral.ai", False),
        ("http://10.0.0.1:8080", False),
        ("http://127.0.0.1.example.com", False),
        ("file:///127.0.0.1", False),
    ],
)
def test_loopback_urls(url: str, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


def test_only_a_loopback_sandbox_answers_as_one(sandbox_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert answers_as_sandbox(sandbox_url)
    assert not answers_as_sandbox(f"http://127.0.0.1:{free_port()}"), "nothing listens there"

    def no_request(*args: object, **kwargs: object) -> None:
        raise AssertionError("a non-loopback base URL is never probed")

    monkeypatch.setattr(httpx2, "get", no_request)
    assert not answers_as_sandbox("https://api.mistral.ai")


async def test_serve_pointed_at_a_separate_sandbox_needs_no_key(sandbox_url: str) -> None:
    async with connect("stdio", "legacy", args=[], env={"MISTRAL_BASE_URL": sandbox_url}) as session:
        result = await session.call("list_workflows", {})
        assert not result.is_error, text_of(result)
        assert result.structured_content
        assert result.structured_content["workflows"]
        stats = await session.sandbox("GET", "/_sandbox/stats")
        assert any("/v1/workflows" in path for path in stats["paths"]), "the calls reached the separate sandbox"


def test_a_loopback_url_that_is_not_a_sandbox_still_needs_a_key() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = serve_at_start_up([], server_env({"MISTRAL_BASE_URL": url}))
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "MISTRAL_API_KEY is not set" in line
    assert f"{url} does not answer as an mcp-workflows sandbox" in line


def test_the_real_api_without_a_key_fails_fast_with_the_usual_message() -> None:
    done = serve_at_start_up([], server_env({"MISTRAL_BASE_URL": "https://api.mistral.ai"}))
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "MISTRAL_API_KEY is not set" in line
    assert "sandbox" in line
    assert "does not answer" not in line

"""Streamable HTTP as operators deploy it: bearer tokens, refusing to expose an open server,
and the Host/Origin checks that stop DNS rebinding. Real subprocesses, real HTTP."""

from __future__ import annotations

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mcp_workflows.server.http_app import exposure_problem
from tests.e2e.harness import BEARER_TOKENS as TOKENS
from tests.e2e.harness import HttpServer, HttpServers, serve_at_start_up, server_env

pytestmark = pytest.mark.anyio

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "probe", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture
def token_server(http_servers: HttpServers) -> HttpServer:
    return http_servers.with_tokens.wait_ready()


def post_initialize(url: str, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.post(url, json=INITIALIZE, headers={**MCP_HEADERS, **(headers or {})}, timeout=10)


def test_open_server_beyond_loopback_refuses_to_start() -> None:
    env = server_env({"MISTRAL_API_KEY": "fake-key-not-used", "MISTRAL_BASE_URL": "http://127.0.0.1:9"})
    done = serve_at_start_up(["--transport", "http", "--host", "0.0.0.0"], env)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "MCP_WORKFLOWS_HTTP_TOKENS" in lines[0]
    assert "--allow-unauthenticated" in lines[0]


def test_exposure_rule() -> None:
    def problem(host: str, tokens: list[str], *, allow: bool = False, sandbox: bool = False) -> str | None:
        return exposure_problem(host, tokens, allow_unauthenticated=allow, sandbox=sandbox)

    assert problem("127.0.0.1", []) is None
    assert problem("localhost", []) is None
    assert problem("::1", []) is None
    refusal = problem("0.0.0.0", [])
    assert refusal is not None
    assert "0.0.0.0" in refusal
    assert problem("10.0.0.5", []) is not None
    assert problem("0.0.0.0", ["t"]) is None, "tokens make it safe"
    assert problem("10.0.0.5", [], allow=True) is None, "the operator says a proxy authenticates"
    assert problem("0.0.0.0", [], sandbox=True) is None, "the sandbox spends no key"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Bearer", f"Basic {TOKENS[0]}", f"Bearer {TOKENS[0]}x", TOKENS[0]],
    ids=["missing", "wrong", "empty", "other-scheme", "longer", "no-scheme"],
)
def test_requests_without_a_valid_token_are_refused(token_server: HttpServer, authorization: str | None) -> None:
    response = post_initialize(token_server.url, {"Authorization": authorization} if authorization else None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"] == "invalid_token"
    assert "mcp-session-id" not in response.headers, "no session was opened"


def test_health_needs_no_token(token_server: HttpServer) -> None:
    response = httpx2.get(f"http://127.0.0.1:{token_server.port}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("token", TOKENS, ids=["first", "second"])
async def test_each_accepted_token_opens_a_working_session(token_server: HttpServer, token: str) -> None:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(token_server.url, http_client=http)) as client,
    ):
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert "get_workflow" in names
        result = await client.call_tool("get_workflow", {"workflow": "greeting"})
        assert not result.is_error
        assert result.structured_content is not None
        assert result.structured_content["workflow"]["name"] == "greeting"


def test_tokens_never_reach_the_server_log(token_server: HttpServer) -> None:
    for token in (*TOKENS, "a-wrong-token-3f9e"):
        post_initialize(token_server.url, {"Authorization": f"Bearer {token}"})
    log = token_server.log()
    assert "POST /mcp" in log or "/mcp" in log, "the requests were logged"
    for token in (*TOKENS, "a-wrong-token-3f9e"):
        assert token not in log, "a bearer token reached the server log"


def test_host_header_of_another_site_is_refused(http_server: HttpServer) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not reach the server."""
    response = post_initialize(http_server.url, {"Host": "evil.example"})
    assert response.status_code == 421


def test_origin_of_another_site_is_refused(http_server: HttpServer) -> None:
    response = post_initialize(http_server.url, {"Origin": "http://evil.example"})
    assert response.status_code == 403


def test_local_origin_and_host_are_accepted(http_server: HttpServer) -> None:
    response = post_initialize(http_server.url, {"Origin": f"http://127.0.0.1:{http_server.port}"})
    assert response.status_code == 200
    assert response.headers.get("mcp-session-id")

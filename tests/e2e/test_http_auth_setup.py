"""How HTTP authentication is set up: OAuth settings that cannot work stop start-up with one line,
an OAuth server publishes its metadata and challenges without any authorization server running,
and a static token's caller is named by its position (never the token) with every scope."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from mcp_workflows import cli
from mcp_workflows.server.guard.caller import ALL_SCOPES
from mcp_workflows.server.http_app import BearerAuth, exposure_problem
from tests.e2e.harness import HttpServer, free_port, server_env

pytestmark = pytest.mark.anyio

ISSUER = "https://as.example.com"
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "probe", "version": "0"}},
}


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (
            [],
            {"MCP_WORKFLOWS_OAUTH_ISSUER": ISSUER, "MCP_WORKFLOWS_OAUTH_RESOURCE": "https://m.example/mcp"},
            "for --transport http",
        ),
        (["--transport", "http"], {"MCP_WORKFLOWS_OAUTH_ISSUER": ISSUER}, "MCP_WORKFLOWS_OAUTH_RESOURCE is not set"),
        (
            ["--transport", "http", "--oauth-issuer", ISSUER, "--oauth-resource", "http://127.0.0.1:1/mcp"],
            {"MCP_WORKFLOWS_HTTP_TOKENS": "t"},
            "not both",
        ),
        (
            [
                "--transport",
                "http",
                "--oauth-issuer",
                "http://as.example.com",
                "--oauth-resource",
                "http://127.0.0.1:1/mcp",
            ],
            {},
            "https beyond loopback",
        ),
    ],
    ids=["stdio", "no-resource", "with-static-tokens", "plain-http-issuer"],
)
def test_oauth_settings_that_cannot_work_stop_start_up(
    args: list[str],
    env: dict[str, str],
    fragment: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In-process: these checks run before anything is built or bound."""
    for name in [n for n in os.environ if n.startswith(("MISTRAL_", "MCP_WORKFLOWS_"))]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stopped:
        cli._serve(cli._parser().parse_args(["serve", "--sandbox", *args]))
    assert stopped.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.strip().splitlines()
    assert fragment in line


def test_oauth_makes_a_public_bind_safe() -> None:
    assert exposure_problem("0.0.0.0", [], allow_unauthenticated=False, sandbox=False) is not None
    assert exposure_problem("0.0.0.0", [], allow_unauthenticated=False, sandbox=False, oauth=True) is None


@pytest.fixture(scope="module")
def oauth_server() -> Iterator[HttpServer]:
    """An OAuth server whose issuer is not running: nothing it can verify, everything it publishes."""
    port = free_port()
    issuer = f"http://127.0.0.1:{free_port()}"
    env = server_env(
        {
            "MCP_WORKFLOWS_SANDBOX_PORT": str(free_port()),
            "MCP_WORKFLOWS_OAUTH_ISSUER": issuer,
            "MCP_WORKFLOWS_OAUTH_RESOURCE": f"http://127.0.0.1:{port}/mcp",
        }
    )
    server = HttpServer(["--sandbox"], env, port=port).wait_ready()
    server.issuer = issuer  # type: ignore[attr-defined]
    yield server
    server.stop()


def test_metadata_is_published_at_both_well_known_paths(oauth_server: HttpServer) -> None:
    root = f"http://127.0.0.1:{oauth_server.port}/.well-known/oauth-protected-resource"
    documents = [httpx2.get(url, timeout=10).json() for url in (root, f"{root}/mcp")]
    assert documents[0] == documents[1]
    assert documents[0]["resource"] == oauth_server.url
    assert documents[0]["authorization_servers"] == [oauth_server.issuer]  # type: ignore[attr-defined]
    assert documents[0]["scopes_supported"] == list(ALL_SCOPES)
    assert documents[0]["bearer_methods_supported"] == ["header"]


def test_without_a_token_the_challenge_points_to_the_metadata(oauth_server: HttpServer) -> None:
    response = httpx2.post(oauth_server.url, json=INITIALIZE, headers=MCP_HEADERS, timeout=10)
    assert response.status_code == 401
    expected = f'resource_metadata="http://127.0.0.1:{oauth_server.port}/.well-known/oauth-protected-resource/mcp"'
    assert expected in response.headers["WWW-Authenticate"]
    assert httpx2.get(f"http://127.0.0.1:{oauth_server.port}/health", timeout=10).status_code == 200


def test_a_token_is_refused_while_the_issuer_cannot_be_reached(oauth_server: HttpServer) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    claims = {"iss": oauth_server.issuer, "aud": oauth_server.url, "sub": "mallory", "exp": 2**31}  # type: ignore[attr-defined]
    token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "k"})
    response = httpx2.post(
        oauth_server.url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == 401
    assert "could not fetch the signing keys" in Path(oauth_server.stderr.name).read_text()


async def test_static_token_callers_are_named_by_position_with_every_scope() -> None:
    """The caller a static token makes, as the tool call sees it (audit lines name its client)."""
    seen: list[AccessToken | None] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(get_access_token())
        await JSONResponse({})(scope, receive, send)

    tokens = ("first-static-5d1e", "second-static-9a7c")
    transport = httpx2.ASGITransport(app=BearerAuth(app, tokens))
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        assert (await http.post("/mcp", headers={"Authorization": f"Bearer {tokens[1]}"})).status_code == 200
        assert (await http.post("/mcp", headers={"Authorization": "Bearer nope"})).status_code == 401
        assert (await http.get("/health")).status_code == 200
    caller, health = seen
    assert caller is not None
    assert caller.client_id == "token-2"
    assert tuple(caller.scopes) == ALL_SCOPES
    assert not any(token in caller.model_dump_json() for token in tokens)
    assert health is None, "open paths carry no caller"
    assert get_access_token() is None, "the caller does not outlive its request"

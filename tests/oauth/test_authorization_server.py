"""OAuth against a real authorization server: panva's oidc-provider (tools/node, installed from its
lockfile by `npm ci`), issuing JWT access tokens for this server's /mcp URL (RFC 8707) through the
client credentials grant. The MCP server runs as operators run it, over real HTTP.

Cases: a valid token (every tool, audit lines name its subject), a read-only token (sees and runs
read tools only), and refusals: expired, issued for another audience, by another issuer, signed by
another key under the issuer's name, opaque, missing."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import jwt
import pytest
from mcp import Client
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from mcp_workflows.server.guard.caller import ALL_SCOPES
from tests.e2e.harness import REPO, HttpServer, end_process, free_port, server_env
from tests.e2e.session import text_of

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

AUTHORIZATION_SERVER = REPO / "tools" / "node" / "authorization-server.mjs"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "probe", "version": "0"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def issuers() -> Iterator[dict[str, Any]]:
    """The three issuers of tools/node/authorization-server.mjs, from the line it prints once listening."""
    assert (REPO / "tools" / "node" / "node_modules" / "oidc-provider").is_dir(), "run `npm ci --prefix tools/node`"
    process = subprocess.Popen(
        ["node", str(AUTHORIZATION_SERVER)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, "the authorization server exited before listening"
        yield json.loads(line)
    finally:
        end_process(process)


@pytest.fixture(scope="module")
def mcp_server(issuers: dict[str, Any]) -> Iterator[HttpServer]:
    port = free_port()
    env = server_env(
        {
            "MCP_WORKFLOWS_SANDBOX_PORT": str(free_port()),
            "MCP_WORKFLOWS_OAUTH_ISSUER": issuers["main"]["issuer"],
            "MCP_WORKFLOWS_OAUTH_RESOURCE": f"http://127.0.0.1:{port}/mcp",
        }
    )
    server = HttpServer(["--sandbox"], env, port=port).wait_ready()
    yield server
    server.stop()


def access_token(issuer: dict[str, str], client: str, scopes: tuple[str, ...], resource: str | None) -> str:
    form = {"grant_type": "client_credentials", "scope": " ".join(scopes)}
    if resource is not None:
        form["resource"] = resource
    response = httpx2.post(issuer["token_endpoint"], data=form, auth=(client, f"{client}-secret"), timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def post_initialize(server: HttpServer, token: str | None) -> httpx2.Response:
    headers = {**MCP_HEADERS, **({"Authorization": f"Bearer {token}"} if token else {})}
    return httpx2.post(server.url, json=INITIALIZE, headers=headers, timeout=10)


def audit_lines(server: HttpServer) -> list[dict[str, Any]]:
    text = Path(server.stderr.name).read_text()
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"audit"')]


def test_metadata_names_the_issuer_and_every_scope(mcp_server: HttpServer, issuers: dict[str, Any]) -> None:
    base = f"http://127.0.0.1:{mcp_server.port}/.well-known/oauth-protected-resource"
    for url in (base, f"{base}/mcp"):
        response = httpx2.get(url, timeout=10)
        assert response.status_code == 200, url
        metadata = response.json()
        assert metadata["resource"] == mcp_server.url
        assert metadata["authorization_servers"] == [issuers["main"]["issuer"]]
        assert metadata["scopes_supported"] == list(ALL_SCOPES)


def test_a_request_without_a_token_is_told_where_the_metadata_is(mcp_server: HttpServer) -> None:
    response = post_initialize(mcp_server, None)
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    metadata_url = challenge.split('resource_metadata="', 1)[1].split('"', 1)[0]
    assert metadata_url == f"http://127.0.0.1:{mcp_server.port}/.well-known/oauth-protected-resource/mcp"
    assert httpx2.get(metadata_url, timeout=10).json()["resource"] == mcp_server.url


async def test_a_full_token_runs_everything_and_audit_lines_name_its_subject(
    mcp_server: HttpServer, issuers: dict[str, Any]
) -> None:
    token = access_token(issuers["main"], "agent-full", ALL_SCOPES, mcp_server.url)
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(mcp_server.url, http_client=http)) as client,
    ):
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"list_workflows", "update_workflow", "execute_workflow", "archive_workflow"} <= names
        run = await client.call_tool("execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}})
        assert not run.is_error, text_of(run)
    executed = [line for line in audit_lines(mcp_server) if line["tool"] == "execute_workflow"]
    assert executed
    assert executed[-1]["subject"] == "agent-full"
    assert executed[-1]["outcome"] == "done"


async def test_a_read_token_sees_and_runs_read_tools_only(mcp_server: HttpServer, issuers: dict[str, Any]) -> None:
    token = access_token(issuers["main"], "agent-read", ("workflows:read",), mcp_server.url)
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http,
        Client(streamable_http_client(mcp_server.url, http_client=http)) as client,
    ):
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert "list_workflows" in names
        assert not names & {"update_workflow", "execute_workflow", "archive_workflow", "cancel_execution"}
        listed = await client.call_tool("list_workflows", {})
        assert not listed.is_error, text_of(listed)
        refused = await client.call_tool("execute_workflow", {"workflow": "greeting", "input": {"name": "Bo"}})
        assert refused.is_error
        assert "workflows:execute" in text_of(refused)
    refusals = [line for line in audit_lines(mcp_server) if line["subject"] == "agent-read"]
    assert [(line["tool"], line["outcome"]) for line in refusals] == [("execute_workflow", "refused")]


class MemoryStorage:
    """The SDK client's token storage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


async def test_the_sdk_oauth_client_finds_its_way_from_the_challenge(
    mcp_server: HttpServer, issuers: dict[str, Any]
) -> None:
    """The SDK's own OAuth client, given only credentials: it follows our 401 to the resource
    metadata, then to the issuer's metadata, asks for a token for our resource, and calls."""
    storage = MemoryStorage()
    provider = ClientCredentialsOAuthProvider(
        server_url=mcp_server.url,
        storage=storage,
        client_id="agent-full",
        client_secret="agent-full-secret",
        scope="workflows:read",
        issuer=issuers["main"]["issuer"],
    )
    async with (
        httpx2.AsyncClient(auth=provider, timeout=30) as http,
        Client(streamable_http_client(mcp_server.url, http_client=http)) as client,
    ):
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"execute_workflow", "archive_workflow"} <= names
        run = await client.call_tool("execute_workflow", {"workflow": "greeting", "input": {"name": "Cy"}})
        assert not run.is_error, text_of(run)
    assert storage.tokens is not None
    claims = jwt.decode(storage.tokens.access_token, options={"verify_signature": False})
    assert claims["aud"] == mcp_server.url, "the client asked for a token for our resource (RFC 8707)"
    # The SDK asks for the scopes our metadata lists (MCP's scope selection), not the ones it was
    # given: which is why the metadata lists every scope, not only those every request needs.
    assert set(claims["scope"].split()) == set(ALL_SCOPES)


def test_an_expired_token_is_refused(mcp_server: HttpServer, issuers: dict[str, Any]) -> None:
    token = access_token(issuers["main"], "agent-brief", ALL_SCOPES, mcp_server.url)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert expires - time.time() <= issuers["brief_ttl_s"]
    assert post_initialize(mcp_server, token).status_code == 200, "valid until it expires"
    while time.time() < expires:  # the token's own clock, not a guess
        time.sleep(0.1)
    response = post_initialize(mcp_server, token)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


@pytest.mark.parametrize(
    ("issuer", "resource"),
    [
        ("main", "https://another-server.example/mcp"),
        ("other_issuer", "self"),
        ("forger", "self"),
        ("main", None),
    ],
    ids=["wrong-audience", "wrong-issuer", "bad-signature", "opaque-token"],
)
def test_tokens_not_issued_for_this_server_are_refused(
    mcp_server: HttpServer, issuers: dict[str, Any], issuer: str, resource: str | None
) -> None:
    token = access_token(issuers[issuer], "agent-full", ALL_SCOPES, mcp_server.url if resource == "self" else resource)
    response = post_initialize(mcp_server, token)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert "mcp-session-id" not in response.headers


def test_tokens_of_the_main_issuer_work_with_the_same_request(mcp_server: HttpServer, issuers: dict[str, Any]) -> None:
    """The refusals above come from the token, not the request: the same request with a good token passes."""
    token = access_token(issuers["main"], "agent-full", ALL_SCOPES, mcp_server.url)
    assert post_initialize(mcp_server, token).status_code == 200
    log = Path(mcp_server.stderr.name).read_text()
    assert token not in log, "an access token reached the server log"

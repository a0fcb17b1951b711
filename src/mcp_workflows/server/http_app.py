"""Streamable HTTP at /mcp: loopback by default, Host and Origin checks on, bearer tokens or OAuth.

The server spends its operator's Mistral API key on behalf of whoever reaches /mcp, so beyond
loopback it refuses to start without tokens unless told that something in front authenticates.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from typing import Any

from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_workflows.server.guard.caller import ALL_SCOPES
from mcp_workflows.server.oauth import OAuthConfig, ResourceMetadata

logger = logging.getLogger("mcp_workflows.server")

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
LOOPBACK_BINDS = ("127.0.0.1", "localhost", "::1")
OPEN_PATHS = frozenset({"/health"})  # probes carry no token


def exposure_problem(
    host: str, tokens: Sequence[str], *, allow_unauthenticated: bool, sandbox: bool, oauth: bool = False
) -> str | None:
    """Why serving on this address would be unsafe, or None (the sandbox spends no key)."""
    if tokens or oauth or allow_unauthenticated or sandbox or host in LOOPBACK_BINDS:
        return None
    return (
        f"serving HTTP on {host} without authentication would let anyone who reaches it spend your Mistral "
        "API key. Set MCP_WORKFLOWS_HTTP_TOKENS to one or more comma-separated secrets (clients send "
        "`Authorization: Bearer <token>`), configure OAuth (MCP_WORKFLOWS_OAUTH_ISSUER and "
        "MCP_WORKFLOWS_OAUTH_RESOURCE), or pass --allow-unauthenticated if a proxy in front authenticates callers."
    )


class BearerAuth:
    """ASGI middleware: every HTTP request but the health check needs `Authorization: Bearer <token>`.

    Tokens are compared as SHA-256 digests with `hmac.compare_digest`, against every accepted token,
    so neither timing nor length tells a caller how close a guess was. The caller is then known as
    `token-N` (its place in the list, never the token) with every scope, for audit lines.
    """

    def __init__(self, app: ASGIApp, tokens: Sequence[str]) -> None:
        if not tokens:
            raise ValueError("BearerAuth needs at least one token")
        self._app = app
        self._digests = [_digest(token) for token in tokens]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self._app(scope, receive, send)
            return
        if (index := self._matching(scope)) is not None:
            caller = AccessToken(token="", client_id=f"token-{index + 1}", scopes=list(ALL_SCOPES))
            reset = auth_context_var.set(AuthenticatedUser(caller))
            try:
                await self._app(scope, receive, send)
            finally:
                auth_context_var.reset(reset)
            return
        response = JSONResponse(
            {"error": "invalid_token", "error_description": "send Authorization: Bearer <token>"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
        await response(scope, receive, send)

    def _matching(self, scope: Scope) -> int | None:
        """The position of the presented token among the accepted ones; None when none matches."""
        header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            return None
        digest = _digest(presented.strip())
        matches = [hmac.compare_digest(digest, accepted) for accepted in self._digests]  # all compared: no early exit
        return matches.index(True) if any(matches) else None


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def security_settings(
    host: str, port: int, allowed_hosts: Sequence[str], allowed_origins: Sequence[str]
) -> TransportSecuritySettings:
    """DNS-rebinding protection that is always on, whatever the bind address.

    The SDK turns it off silently for non-loopback binds; we keep it and make the operator name
    the public host names instead.
    """
    hosts = [f"{h}:{port}" for h in LOOPBACK_HOSTS] + list(LOOPBACK_HOSTS)
    if host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):  # noqa: S104 - compared, not bound
        hosts += [host, f"{host}:{port}"]
    hosts += list(allowed_hosts)
    origins = [f"http://{h}:{port}" for h in LOOPBACK_HOSTS] + list(allowed_origins)
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def run_http(
    server: MCPServer[Any],
    *,
    host: str,
    port: int,
    allowed_hosts: Sequence[str] = (),
    allowed_origins: Sequence[str] = (),
    tokens: Sequence[str] = (),
    stateless: bool = False,
    oauth: OAuthConfig | None = None,
) -> None:
    """Serve until interrupted. Stateless: no MCP sessions, each request stands alone, so any
    replica can answer it (handshake-era clients then confirm with tokens: there is no back
    channel for a mid-call form)."""
    import uvicorn

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    server.custom_route("/health", methods=["GET"])(health)

    app: ASGIApp = server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=stateless,
        transport_security=security_settings(host, port, allowed_hosts, allowed_origins),
        host=host,
    )
    if tokens:
        app = BearerAuth(app, tokens)
        auth = f"bearer tokens ({len(tokens)} accepted)"
    elif oauth is not None:
        # The SDK's bearer middleware (server.settings.auth) guards /mcp; this adds the metadata.
        app = ResourceMetadata(app, oauth)
        auth = f"OAuth (issuer {oauth.issuer}, resource {oauth.resource})"
    else:
        auth = "no authentication"
    mode = "stateless" if stateless else "sessions"
    logger.info("MCP endpoint: http://%s:%s/mcp (health: /health), %s, %s", host, port, mode, auth)
    uvicorn.run(app, host=host, port=port, log_level="warning")

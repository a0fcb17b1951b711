"""Streamable HTTP at /mcp, bound to loopback by default, with Host and Origin checks on."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

logger = logging.getLogger("mcp_workflows.server")

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


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
) -> None:
    import uvicorn

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    server.custom_route("/health", methods=["GET"])(health)

    app = server.streamable_http_app(
        streamable_http_path="/mcp",
        transport_security=security_settings(host, port, allowed_hosts, allowed_origins),
        host=host,
    )
    logger.info("MCP endpoint: http://%s:%s/mcp (health: /health)", host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning")

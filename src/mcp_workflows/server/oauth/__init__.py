"""OAuth 2.1 resource server for streamable HTTP (the MCP authorization spec).

JWT access tokens from one authorization server, checked against its keys, issuer, this server
as audience, and expiry; scopes map to risk classes (server/guard/caller.py). The SDK's bearer
middleware and TokenVerifier seam do the HTTP side; `server_auth` hands them to MCPServer.
"""

from __future__ import annotations

from typing import Any

from mcp_workflows.server.oauth.config import OAuthConfig, OAuthConfigError
from mcp_workflows.server.oauth.metadata import ResourceMetadata, auth_settings

__all__ = ["OAuthConfig", "OAuthConfigError", "ResourceMetadata", "server_auth"]


def server_auth(config: OAuthConfig | None) -> dict[str, Any]:
    """MCPServer keyword arguments: auth settings and the token verifier, or nothing without OAuth."""
    if config is None:
        return {}
    # PyJWT and cryptography load only when OAuth is on: every `serve` checks its settings here,
    # and start-up time is measured against the bare SDK server (bench/bench_server.py).
    from mcp_workflows.server.oauth.keys import SigningKeys
    from mcp_workflows.server.oauth.verifier import JWTVerifier

    keys = SigningKeys(config.issuer, config.jwks_url)
    return {"auth": auth_settings(config), "token_verifier": JWTVerifier(config, keys)}

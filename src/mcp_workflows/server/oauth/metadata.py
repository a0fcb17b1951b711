"""The resource-server side the SDK does not cover as we need it: protected-resource metadata
(RFC 9728) at both well-known paths, listing every scope, and the SDK's AuthSettings.

The SDK serves metadata only at the path-suffixed URL and lists only the scopes it requires of
every request; MCP clients look at the root URL too, and must learn all four scopes to ask for
the ones they need. So this wrapper answers both paths in front of the SDK's app.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from mcp.server.auth.handlers.metadata import ProtectedResourceMetadataHandler
from mcp.server.auth.routes import cors_middleware
from mcp.server.auth.settings import AuthSettings
from mcp.shared.auth import ProtectedResourceMetadata
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_workflows.server.guard.caller import ALL_SCOPES
from mcp_workflows.server.oauth.config import OAuthConfig

WELL_KNOWN = "/.well-known/oauth-protected-resource"
RESOURCE_NAME = "Mistral Workflows (mcp-workflows)"


def metadata_paths(resource: str) -> tuple[str, ...]:
    """The root form and the RFC 9728 form (the resource's path appended), which the SDK points to."""
    path = urlsplit(resource).path.rstrip("/")
    return tuple(dict.fromkeys((WELL_KNOWN, f"{WELL_KNOWN}{path}")))


def auth_settings(config: OAuthConfig) -> AuthSettings:
    """The SDK's view: who issues tokens, and the resource its 401s point to. Audience checks are
    the verifier's (the audience may differ from the resource URL), so the SDK does not repeat them."""
    # Validated from strings so the models keep a path-less issuer as it is (no trailing slash):
    # clients compare the issuer they are told with the one they get, character for character.
    return AuthSettings.model_validate(
        {
            "issuer_url": config.issuer,
            "resource_server_url": config.resource,
            "required_scopes": None,
            "validate_token_resource": False,
        }
    )


class ResourceMetadata:
    """ASGI wrapper answering GET (and CORS preflight) on the metadata paths; the rest goes to app."""

    def __init__(self, app: ASGIApp, config: OAuthConfig) -> None:
        self._app = app
        self._paths = frozenset(metadata_paths(config.resource))
        metadata = ProtectedResourceMetadata.model_validate(
            {
                "resource": config.resource,
                "authorization_servers": [config.issuer],
                "scopes_supported": list(ALL_SCOPES),
                "resource_name": RESOURCE_NAME,
            }
        )
        self._handler = cors_middleware(ProtectedResourceMetadataHandler(metadata).handle, ["GET", "OPTIONS"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self._paths:
            await self._handler(scope, receive, send)
            return
        await self._app(scope, receive, send)

"""OAuth settings, checked once at start-up: the issuer, this resource, the audience, the keys."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from mcp_workflows.config import Settings
from mcp_workflows.loopback import is_loopback_url


class OAuthConfigError(ValueError):
    """A setting that cannot work; the message says which and what to set."""


@dataclass(frozen=True)
class OAuthConfig:
    issuer: str  # compared exactly with the tokens' iss (RFC 8414: no trailing-slash games)
    resource: str  # this server's /mcp URL, the RFC 8707 resource clients ask tokens for
    audience: str  # the aud tokens must carry: the resource unless the issuer names it otherwise
    jwks_url: str | None  # None: read from the issuer's metadata

    @classmethod
    def from_settings(cls, settings: Settings) -> OAuthConfig | None:
        """The configuration, None when OAuth is off; OAuthConfigError when it cannot work."""
        issuer, resource = settings.oauth_issuer, settings.oauth_resource
        if not (issuer or resource or settings.oauth_audience or settings.oauth_jwks_url):
            return None
        if not issuer:
            raise OAuthConfigError(
                "OAuth settings are given but MCP_WORKFLOWS_OAUTH_ISSUER is not: set it to your authorization "
                "server's issuer URL (--oauth-issuer)."
            )
        if not resource:
            raise OAuthConfigError(
                "MCP_WORKFLOWS_OAUTH_RESOURCE is not set: set it to the URL clients use for /mcp, e.g. "
                "https://mcp.example.com/mcp (--oauth-resource); access tokens must be issued for it."
            )
        _check_url("MCP_WORKFLOWS_OAUTH_ISSUER", issuer, allow_path_query=False)
        _check_url("MCP_WORKFLOWS_OAUTH_RESOURCE", resource, allow_path_query=True)
        if settings.oauth_jwks_url:
            _check_url("MCP_WORKFLOWS_OAUTH_JWKS_URL", settings.oauth_jwks_url, allow_path_query=True)
        return cls(issuer, resource, settings.oauth_audience or resource, settings.oauth_jwks_url)


def _check_url(name: str, url: str, *, allow_path_query: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OAuthConfigError(f"{name} must be an absolute http(s) URL, not {url!r}.")
    if parts.fragment or (parts.query and not allow_path_query):
        raise OAuthConfigError(f"{name} must have no {'fragment' if parts.fragment else 'query'}: {url!r}.")
    if parts.scheme != "https" and not is_loopback_url(url):
        raise OAuthConfigError(f"{name} must use https beyond loopback (tokens and keys travel on it): {url!r}.")

"""JWT access tokens (RFC 9068) checked against the authorization server's keys: the SDK's TokenVerifier.

A token is accepted only when its signature verifies with one of the issuer's keys under an
asymmetric algorithm (never `none`, never an HMAC keyed with a public key), its `iss` is the
configured issuer, its `aud` names this server (RFC 8707), and it has not expired. Anything else
is a 401 from the SDK's middleware, whose WWW-Authenticate points at our resource metadata.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import jwt
from mcp.server.auth.provider import AccessToken

from mcp_workflows.server.oauth.config import OAuthConfig
from mcp_workflows.server.oauth.keys import SigningKeys

logger = logging.getLogger("mcp_workflows.oauth")

ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"})
# Tolerated clock difference for iat/nbf, a token issued by a clock slightly ahead of ours. Not
# for exp: a token is refused from its exp on (RFC 7519), checked below.
LEEWAY_S = 30
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]


class TokenRefused(Exception):
    """Why an access token was not accepted (logged, never sent: the client gets a plain 401)."""


class JWTVerifier:
    def __init__(self, config: OAuthConfig, keys: SigningKeys) -> None:
        self._config = config
        self._keys = keys

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            claims = await self.verified_claims(token)
        except TokenRefused as exc:
            logger.info("access token refused: %s", exc)
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or claims["sub"]),
            scopes=token_scopes(claims),
            expires_at=int(claims["exp"]),
            resource=self._config.resource,
            subject=str(claims["sub"]),
            claims={"iss": claims["iss"]},
        )

    async def verified_claims(self, token: str) -> dict[str, Any]:
        """The token's claims once every check passed; TokenRefused saying which did not."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"not a JWT ({exc})") from exc
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise TokenRefused(f"algorithm {algorithm!r} is not accepted")
        kid = header.get("kid")
        key = await self._keys.get(kid)
        if key is None:
            raise TokenRefused(f"the issuer has no signing key {kid!r}")
        if key.algorithm is not None and key.algorithm != algorithm:
            raise TokenRefused(f"key {kid!r} is for {key.algorithm}, the token says {algorithm}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=self._config.audience,
                issuer=self._config.issuer,
                leeway=LEEWAY_S,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise TokenRefused(str(exc)) from exc
        if time.time() >= claims["exp"]:
            raise TokenRefused("the token has expired")
        return claims


def token_scopes(claims: dict[str, Any]) -> list[str]:
    """`scope` (RFC 9068: space-separated) or `scp` (a list, or a string, as some issuers send it)."""
    raw = claims.get("scope") or claims.get("scp") or ""
    if isinstance(raw, str):
        return raw.split()
    if isinstance(raw, list):
        return [str(scope) for scope in raw]
    return []

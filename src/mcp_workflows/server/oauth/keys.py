"""The authorization server's signing keys (its JWKS), found through its metadata and cached.

Keys are fetched when first needed, again when a token names a key we do not hold (at most every
MIN_REFRESH_S, so made-up key ids cannot make us hammer the issuer) and once they are MAX_AGE_S old,
so a rotated or withdrawn key is picked up without a restart.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx2
import jwt

logger = logging.getLogger("mcp_workflows.oauth")

MIN_REFRESH_S = 30.0
MAX_AGE_S = 3600.0
FETCH_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class SigningKey:
    key: jwt.PyJWK
    algorithm: str | None  # the alg the JWK declares; None when it declares none


class SigningKeys:
    def __init__(self, issuer: str, jwks_url: str | None, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self._issuer = issuer
        self._jwks_url = jwks_url
        self._transport = transport
        self._keys: dict[str | None, SigningKey] = {}
        self._fetched_at: float | None = None
        self._lock = anyio.Lock()

    async def get(self, kid: str | None) -> SigningKey | None:
        """The key a token's header names (or the only key, when the header names none)."""
        if self._stale() or (self._lookup(kid) is None and self._may_refresh()):
            async with self._lock:
                if self._stale() or (self._lookup(kid) is None and self._may_refresh()):
                    await self._refresh()
        return self._lookup(kid)

    def _lookup(self, kid: str | None) -> SigningKey | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid) if kid is not None else None

    def _stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > MAX_AGE_S

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > MIN_REFRESH_S

    async def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            async with httpx2.AsyncClient(transport=self._transport, timeout=FETCH_TIMEOUT_S) as http:
                jwks_url = self._jwks_url or await self._discover(http)
                jwks = await _get_json(http, jwks_url)
        except (httpx2.HTTPError, ValueError) as exc:
            logger.warning("could not fetch the signing keys of %s: %s", self._issuer, exc)
            return
        self._keys = _signing_keys(jwks)
        logger.info("signing keys of %s: %d", self._issuer, len(self._keys))

    async def _discover(self, http: httpx2.AsyncClient) -> str:
        """jwks_uri from the issuer's metadata (RFC 8414, then OpenID Connect discovery)."""
        for url in metadata_urls(self._issuer):
            try:
                metadata = await _get_json(http, url)
            except (httpx2.HTTPError, ValueError):
                continue
            if metadata.get("issuer") != self._issuer:
                raise ValueError(f"{url} names issuer {metadata.get('issuer')!r}, not {self._issuer!r}")
            jwks_uri = metadata.get("jwks_uri")
            if not isinstance(jwks_uri, str):
                raise ValueError(f"{url} has no jwks_uri")
            self._jwks_url = jwks_uri
            return jwks_uri
        raise ValueError(f"no authorization server metadata at {', '.join(metadata_urls(self._issuer))}")


def metadata_urls(issuer: str) -> list[str]:
    """Where an issuer's metadata may live: RFC 8414 and OIDC, path inserted, then OIDC appended."""
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")

    def at(well_known: str) -> str:
        return urlunsplit((parts.scheme, parts.netloc, well_known, "", ""))

    urls = [
        at(f"/.well-known/oauth-authorization-server{path}"),
        at(f"/.well-known/openid-configuration{path}"),
        at(f"{path}/.well-known/openid-configuration"),
    ]
    return list(dict.fromkeys(urls))


async def _get_json(http: httpx2.AsyncClient, url: str) -> dict[str, Any]:
    response = await http.get(url, headers={"Accept": "application/json"})
    response.raise_for_status()
    body = response.json()
    if not isinstance(body, dict):
        raise ValueError(f"{url} did not answer with a JSON object")
    return body


def _signing_keys(jwks: dict[str, Any]) -> dict[str | None, SigningKey]:
    """The signature keys of a JWKS by key id; keys PyJWT cannot use are left out."""
    keys: dict[str | None, SigningKey] = {}
    for data in jwks.get("keys", []):
        if not isinstance(data, dict) or data.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK(data)
        except (jwt.PyJWTError, ValueError) as exc:
            logger.info("skipping a signing key (%s): %s", data.get("kid"), exc)
            continue
        keys[data.get("kid")] = SigningKey(key, data.get("alg"))
    return keys

"""JWT access tokens checked against an issuer's keys, fetched over (mock) HTTP as from a real
issuer: signature, issuer, audience, expiry, algorithm; key discovery and refresh; settings.
The real authorization server runs in the slow tier (tests/oauth/)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from mcp_workflows.config import Settings
from mcp_workflows.server.oauth import OAuthConfig, OAuthConfigError
from mcp_workflows.server.oauth.keys import SigningKeys, metadata_urls
from mcp_workflows.server.oauth.verifier import JWTVerifier

pytestmark = pytest.mark.anyio

ISSUER = "https://as.example.com"
RESOURCE = "https://mcp.example.com/mcp"
CONFIG = OAuthConfig(issuer=ISSUER, resource=RESOURCE, audience=RESOURCE, jwks_url=None)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: Any, kid: str, **extra: str) -> dict[str, Any]:
    algorithm = (
        jwt.algorithms.ECAlgorithm if isinstance(key, ec.EllipticCurvePrivateKey) else jwt.algorithms.RSAAlgorithm
    )
    data: dict[str, Any] = json.loads(algorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, **extra}


class Issuer:
    """The issuer's metadata and JWKS endpoints, counting requests."""

    def __init__(self, keys: list[dict[str, Any]], issuer_in_metadata: str = ISSUER) -> None:
        self.keys = keys
        self.issuer_in_metadata = issuer_in_metadata
        self.requests: list[str] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(str(request.url))
        if request.url.path == "/.well-known/oauth-authorization-server":
            return httpx2.Response(200, json={"issuer": self.issuer_in_metadata, "jwks_uri": f"{ISSUER}/jwks"})
        if request.url.path == "/jwks":
            return httpx2.Response(200, json={"keys": self.keys})
        return httpx2.Response(404)

    def verifier(self) -> JWTVerifier:
        return JWTVerifier(CONFIG, SigningKeys(ISSUER, None, transport=httpx2.MockTransport(self)))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": RESOURCE,
        "sub": "alice",
        "client_id": "agent",
        "scope": "workflows:read workflows:execute",
        "iat": now,
        "exp": now + 300,
    }
    return {k: v for k, v in {**base, **overrides}.items() if v is not None}  # None: leave the claim out


def token(key: Any = EC_KEY, kid: str = "k1", algorithm: str = "ES256", **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), key, algorithm=algorithm, headers={"kid": kid, "typ": "at+jwt"})


async def test_a_valid_token_names_its_subject_client_and_scopes() -> None:
    issuer = Issuer([public_jwk(EC_KEY, "k1")])
    access = await issuer.verifier().verify_token(token())
    assert access is not None
    assert access.subject == "alice"
    assert access.client_id == "agent"
    assert access.scopes == ["workflows:read", "workflows:execute"]
    assert access.claims == {"iss": ISSUER}
    assert access.expires_at is not None
    assert access.expires_at > time.time()


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"aud": "https://other.example.com/mcp"}, "wrong audience"),
        ({"aud": [RESOURCE + "/extra"]}, "audience that only starts like ours"),
        ({"iss": "https://evil.example.com"}, "wrong issuer"),
        ({"iss": ISSUER + "/"}, "issuer spelled differently"),
        ({"sub": None}, "no subject"),
    ],
)
async def test_claims_that_do_not_fit_are_refused(overrides: dict[str, Any], reason: str) -> None:
    issuer = Issuer([public_jwk(EC_KEY, "k1")])
    assert await issuer.verifier().verify_token(token(**overrides)) is None, reason


async def test_a_token_signed_by_another_key_is_refused() -> None:
    issuer = Issuer([public_jwk(EC_KEY, "k1")])
    assert await issuer.verifier().verify_token(token(key=OTHER_EC_KEY)) is None


async def test_a_tampered_token_is_refused() -> None:
    issuer = Issuer([public_jwk(EC_KEY, "k1")])
    header, _claims, signature = token().split(".")
    widened = jwt.utils.base64url_encode(json.dumps(claims(scope="workflows:destructive")).encode()).decode()
    assert await issuer.verifier().verify_token(f"{header}.{widened}.{signature}") is None


def hand_signed(header: dict[str, str], payload: dict[str, Any], hmac_key: bytes | None) -> str:
    """A JWS built by hand, for algorithms PyJWT refuses to produce with these keys."""
    parts = [jwt.utils.base64url_encode(json.dumps(part).encode()) for part in (header, payload)]
    signing_input = b".".join(parts)
    signature = hmac.new(hmac_key, signing_input, hashlib.sha256).digest() if hmac_key is not None else b""
    return b".".join([signing_input, jwt.utils.base64url_encode(signature)]).decode()


async def test_unsigned_and_symmetric_tokens_are_refused() -> None:
    issuer = Issuer([public_jwk(RSA_KEY, "k1")])
    unsigned = hand_signed({"alg": "none", "kid": "k1"}, claims(), None)
    assert await issuer.verifier().verify_token(unsigned) is None
    # The classic confusion: an HMAC keyed with the issuer's public key, which anyone has.
    public_pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged = hand_signed({"alg": "HS256", "kid": "k1"}, claims(), public_pem)
    assert await issuer.verifier().verify_token(forged) is None
    assert issuer.requests == [], "tokens with a refused algorithm never reach the key fetch"


async def test_the_algorithm_a_key_declares_is_the_only_one_it_signs_with() -> None:
    issuer = Issuer([public_jwk(RSA_KEY, "k1", alg="RS256")])
    assert await issuer.verifier().verify_token(token(key=RSA_KEY, algorithm="RS256")) is not None
    assert await issuer.verifier().verify_token(token(key=RSA_KEY, algorithm="PS256")) is None


async def test_keys_are_found_through_the_issuer_metadata_and_cached() -> None:
    issuer = Issuer([public_jwk(EC_KEY, "k1")])
    verifier = issuer.verifier()
    for _ in range(3):
        assert await verifier.verify_token(token()) is not None
    assert issuer.requests == [f"{ISSUER}/.well-known/oauth-authorization-server", f"{ISSUER}/jwks"]


async def test_an_unknown_key_id_refetches_the_keys_at_most_once_in_a_while() -> None:
    issuer = Issuer([public_jwk(EC_KEY, "k1")])
    verifier = issuer.verifier()
    assert await verifier.verify_token(token()) is not None
    fetched = len(issuer.requests)
    for kid in ("made-up-1", "made-up-2", "made-up-3"):
        assert await verifier.verify_token(token(kid=kid)) is None
    assert len(issuer.requests) == fetched, "made-up key ids do not make the server hammer the issuer"


async def test_metadata_of_another_issuer_is_not_trusted() -> None:
    issuer = Issuer([public_jwk(EC_KEY, "k1")], issuer_in_metadata="https://evil.example.com")
    assert await issuer.verifier().verify_token(token()) is None
    assert f"{ISSUER}/jwks" not in issuer.requests


async def test_scp_lists_are_scopes_too() -> None:
    issuer = Issuer([public_jwk(EC_KEY, "k1")])
    access = await issuer.verifier().verify_token(token(scope=None, scp=["workflows:read"]))
    assert access is not None
    assert access.scopes == ["workflows:read"]


def test_metadata_urls_insert_the_well_known_path_before_an_issuer_path() -> None:
    assert metadata_urls("https://as.example.com") == [
        "https://as.example.com/.well-known/oauth-authorization-server",
        "https://as.example.com/.well-known/openid-configuration",
    ]
    assert metadata_urls("https://as.example.com/tenant") == [
        "https://as.example.com/.well-known/oauth-authorization-server/tenant",
        "https://as.example.com/.well-known/openid-configuration/tenant",
        "https://as.example.com/tenant/.well-known/openid-configuration",
    ]


# --- settings ------------------------------------------------------------------------------------


def test_no_oauth_settings_means_no_oauth() -> None:
    assert OAuthConfig.from_settings(Settings()) is None


def test_the_audience_defaults_to_the_resource() -> None:
    config = OAuthConfig.from_settings(Settings(oauth_issuer=ISSUER, oauth_resource=RESOURCE))
    assert config == CONFIG
    other = OAuthConfig.from_settings(Settings(oauth_issuer=ISSUER, oauth_resource=RESOURCE, oauth_audience="api://x"))
    assert other is not None
    assert other.audience == "api://x"


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"oauth_issuer": ISSUER}, "MCP_WORKFLOWS_OAUTH_RESOURCE is not set"),
        ({"oauth_resource": RESOURCE}, "MCP_WORKFLOWS_OAUTH_ISSUER is not"),
        ({"oauth_issuer": "http://as.example.com", "oauth_resource": RESOURCE}, "https beyond loopback"),
        ({"oauth_issuer": ISSUER, "oauth_resource": "http://mcp.example.com/mcp"}, "https beyond loopback"),
        ({"oauth_issuer": ISSUER + "?tenant=1", "oauth_resource": RESOURCE}, "no query"),
        ({"oauth_issuer": "as.example.com", "oauth_resource": RESOURCE}, "absolute http(s) URL"),
    ],
)
def test_settings_that_cannot_work_say_what_to_set(settings: dict[str, str], fragment: str) -> None:
    with pytest.raises(OAuthConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        OAuthConfig.from_settings(Settings(**settings))


def test_plain_http_is_accepted_on_loopback() -> None:
    config = OAuthConfig.from_settings(
        Settings(oauth_issuer="http://127.0.0.1:9000", oauth_resource="http://localhost:8000/mcp")
    )
    assert config is not None

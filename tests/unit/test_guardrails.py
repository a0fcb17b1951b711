"""Confirmation tokens: bound to the tool and exact arguments, expiring, verifiable across processes."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from mcp_workflows.config import Settings, parse_confirm_policy
from mcp_workflows.server.guardrails import TokenSigner, signing_secret
from mcp_workflows.server.results import ToolInputError

ARGS = {"workflow_identifier": "greeting"}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_token_verifies_for_the_same_call_in_a_new_signer() -> None:
    token, expires = TokenSigner(b"secret", 300, Clock(1000.0)).issue("archive_workflow", ARGS)
    assert expires == 1300
    TokenSigner(b"secret", 300, Clock(1200.0)).verify(token, "archive_workflow", dict(ARGS))


@pytest.mark.parametrize(
    ("tool", "args", "fragment"),
    [
        ("archive_workflow", {"workflow_identifier": "other"}, "different arguments"),
        ("unarchive_workflow", ARGS, "different tool"),
    ],
)
def test_token_is_bound_to_tool_and_arguments(tool: str, args: dict[str, str], fragment: str) -> None:
    signer = TokenSigner(b"secret", 300, Clock(1000.0))
    token, _ = signer.issue("archive_workflow", ARGS)
    with pytest.raises(ToolInputError, match=fragment):
        signer.verify(token, tool, args)


def test_token_expires() -> None:
    clock = Clock(1000.0)
    signer = TokenSigner(b"secret", 60, clock)
    token, _ = signer.issue("archive_workflow", ARGS)
    clock.now = 1061.0
    with pytest.raises(ToolInputError, match="expired"):
        signer.verify(token, "archive_workflow", ARGS)


def test_token_from_another_secret_or_tampered_is_refused() -> None:
    token, _ = TokenSigner(b"secret-a", 300, Clock(1000.0)).issue("archive_workflow", ARGS)
    with pytest.raises(ToolInputError, match="does not match"):
        TokenSigner(b"secret-b", 300, Clock(1000.0)).verify(token, "archive_workflow", ARGS)
    version, expiry, signature = token.split(".")
    longer = f"{version}.{int(expiry) + 3600}.{signature}"
    with pytest.raises(ToolInputError, match="does not match"):
        TokenSigner(b"secret-a", 300, Clock(1000.0)).verify(longer, "archive_workflow", ARGS)


@pytest.mark.parametrize("token", ["", "garbage", "c1.notanumber.sig", "v9.1.sig"])
def test_malformed_tokens_are_refused_with_a_way_forward(token: str) -> None:
    with pytest.raises(ToolInputError, match="without confirmation_token"):
        TokenSigner(b"secret", 300).verify(token, "archive_workflow", ARGS)


def test_signing_secret_prefers_configured_secret_then_api_key() -> None:
    explicit = Settings(confirmation_secret=SecretStr("configured"), api_key=SecretStr("key"))
    assert signing_secret(explicit) == b"configured"
    assert signing_secret(Settings(api_key=SecretStr("key"))) == b"key"
    sandbox_a = signing_secret(Settings(sandbox=True))
    sandbox_b = signing_secret(Settings(sandbox=True))
    assert sandbox_a != sandbox_b, "without any secret the key is random, never a constant"


def test_confirm_policy_parses_per_class_and_keeps_defaults() -> None:
    assert parse_confirm_policy("") == {"destructive": "auto", "execute": "off"}
    assert parse_confirm_policy("execute=token") == {"destructive": "auto", "execute": "token"}
    assert parse_confirm_policy("destructive=elicit, execute=auto") == {"destructive": "elicit", "execute": "auto"}


@pytest.mark.parametrize("text", ["read=off", "destructive=maybe", "destructive", "execute=on"])
def test_confirm_policy_rejects_unknown_classes_and_modes(text: str) -> None:
    with pytest.raises(ValueError, match="CLASS=MODE"):
        parse_confirm_policy(text)
    with pytest.raises(ValueError, match="CLASS=MODE"):
        Settings(confirm=text)

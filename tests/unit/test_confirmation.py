"""Confirmation tokens: bound to the tool and exact arguments, expiring, verifiable across processes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.elicitation import AcceptedElicitation
from mcp_types import ClientCapabilities, ElicitationCapability, FormElicitationCapability, UrlElicitationCapability
from pydantic import SecretStr

from mcp_workflows.config import Settings, parse_confirm_policy
from mcp_workflows.server.guard.confirmation import (
    ConfirmationForm,
    Confirmations,
    NotAsked,
    TokenSigner,
    Verdict,
    client_can_elicit,
    request_state_key,
    signing_secret,
)
from mcp_workflows.server.guard.spent import SqliteConfirmationStore, default_state_dir
from mcp_workflows.server.results import ToolInputError

ARGS = {"workflow_identifier": "greeting"}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_token_verifies_for_the_same_call_in_a_new_signer() -> None:
    token = TokenSigner(b"secret", 300, Clock(1000.0)).issue("archive_workflow", ARGS)
    assert TokenSigner(b"secret", 300, Clock(1200.0)).verify(token, "archive_workflow", dict(ARGS)) == 1300


@pytest.mark.parametrize(
    ("tool", "args", "fragment"),
    [
        ("archive_workflow", {"workflow_identifier": "other"}, "different arguments"),
        ("unarchive_workflow", ARGS, "different tool"),
    ],
)
def test_token_is_bound_to_tool_and_arguments(tool: str, args: dict[str, str], fragment: str) -> None:
    signer = TokenSigner(b"secret", 300, Clock(1000.0))
    token = signer.issue("archive_workflow", ARGS)
    with pytest.raises(ToolInputError, match=fragment):
        signer.verify(token, tool, args)


def test_token_expires() -> None:
    clock = Clock(1000.0)
    signer = TokenSigner(b"secret", 60, clock)
    token = signer.issue("archive_workflow", ARGS)
    clock.now = 1060.0
    assert signer.verify(token, "archive_workflow", ARGS) == 1060, "valid for the whole ttl"
    clock.now = 1060.001
    with pytest.raises(ToolInputError, match="expired"):
        signer.verify(token, "archive_workflow", ARGS)


def test_token_from_another_secret_or_tampered_is_refused() -> None:
    token = TokenSigner(b"secret-a", 300, Clock(1000.0)).issue("archive_workflow", ARGS)
    with pytest.raises(ToolInputError, match=r"^confirmation_token does not match this call: "):
        TokenSigner(b"secret-b", 300, Clock(1000.0)).verify(token, "archive_workflow", ARGS)
    version, expiry, nonce, signature = token.split(".")
    longer = f"{version}.{int(expiry) + 3600}.{nonce}.{signature}"
    other_nonce = f"{version}.{expiry}.{'0' * len(nonce)}.{signature}"
    for tampered in (longer, other_nonce):
        with pytest.raises(ToolInputError, match="does not match"):
            TokenSigner(b"secret-a", 300, Clock(1000.0)).verify(tampered, "archive_workflow", ARGS)


def test_two_previews_of_the_same_call_get_distinct_tokens() -> None:
    signer = TokenSigner(b"secret", 300, Clock(1000.0))
    assert signer.issue("archive_workflow", ARGS) != signer.issue("archive_workflow", ARGS)


# Tokens and form references travel between replicas and across restarts and upgrades: a token issued
# by one release must verify on the next. These known answers pin the format; changing it needs a new
# _TOKEN_VERSION (and a new store key prefix), never a silent edit.
KNOWN_SECRET = b"known-answer secret"
KNOWN_ARGS = {"execution_ids": ["exec-1", "exec-2"], "mode": "terminate"}
KNOWN_TOKEN = "c2.1767225600.0123456789abcdef.u1LLxFbjXTQxg8B1QsRiuChLaU2-MjF2ATRohfJbW84"


def test_a_token_of_the_current_format_verifies_on_this_release() -> None:
    signer = TokenSigner(KNOWN_SECRET, 300, Clock(1767225600.0))
    assert signer.verify(KNOWN_TOKEN, "cancel_execution", KNOWN_ARGS) == 1767225600
    reordered = {"mode": "terminate", "execution_ids": ["exec-1", "exec-2"]}
    assert signer.verify(KNOWN_TOKEN, "cancel_execution", reordered) == 1767225600, "argument order is not signed"


def test_the_request_state_key_is_the_same_on_every_release() -> None:
    """A 2026-07-28 form's sealed round trip begun on one replica (or release) is opened on the next."""
    assert request_state_key(KNOWN_SECRET).hex() == "19e28faa44ac4877bfb0d5871bdf782ad270068ae2c2d478495778c038aaf915"


@pytest.mark.parametrize("token", ["", "garbage", "c2.notanumber.n.sig", "c1.1.sig", "v9.1.n.sig"])
def test_malformed_tokens_are_refused_with_a_way_forward(token: str) -> None:
    with pytest.raises(ToolInputError, match="without confirmation_token"):
        TokenSigner(b"secret", 300).verify(token, "archive_workflow", ARGS)


def test_a_token_of_another_format_version_is_refused() -> None:
    """The version tag is checked, not only the signature: a token format change cannot be bypassed."""
    signer = TokenSigner(b"secret", 300, Clock(1000.0))
    _, rest = signer.issue("archive_workflow", ARGS).split(".", 1)
    with pytest.raises(ToolInputError, match="malformed"):
        signer.verify(f"c1.{rest}", "archive_workflow", ARGS)


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


# --- spent once -----------------------------------------------------------------------------------


async def settle_token(confirmations: Confirmations, token: str | None) -> Verdict:
    answer = AcceptedElicitation(data=NotAsked(mode="token"))
    return await confirmations.settle("archive_workflow", ARGS, answer, token)


def confirmations_in(directory: Path, clock: Clock) -> Confirmations:
    store = SqliteConfirmationStore(directory, clock)
    return Confirmations({"destructive": "token"}, TokenSigner(b"secret", 300, clock), store, clock)


@pytest.mark.anyio
async def test_a_token_is_spent_once_even_across_processes(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    first = confirmations_in(tmp_path, clock)
    token = (await settle_token(first, None)).token
    assert token is not None
    assert (await settle_token(first, token)).proceed
    with pytest.raises(ToolInputError, match="already used"):
        await settle_token(first, token)
    with pytest.raises(ToolInputError, match="already used"):
        await settle_token(confirmations_in(tmp_path, clock), token)  # a fresh server process, same machine


@pytest.mark.anyio
async def test_spent_tokens_are_forgotten_once_they_expire(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    store = SqliteConfirmationStore(tmp_path, clock)
    assert await store.spend("token:a", 1300.0)
    assert not await store.spend("token:a", 1300.0)
    clock.now = 1301.0
    assert await store.spend("token:b", 1600.0), "a new entry sweeps the expired ones"
    assert await store.spend("token:a", 1600.0)


@pytest.mark.anyio
async def test_an_accepted_form_is_spent_once(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    confirmations = confirmations_in(tmp_path, clock)
    reference = await confirmations.form_reference("archive_workflow", ARGS, new=True)
    assert await confirmations.form_reference("archive_workflow", ARGS, new=False) == reference, "round 2 asks the same"
    accepted = AcceptedElicitation(data=ConfirmationForm(confirm=True))
    assert (await confirmations.settle("archive_workflow", ARGS, accepted, None, reference)).proceed
    with pytest.raises(ToolInputError, match="already used"):
        await confirmations.settle("archive_workflow", ARGS, accepted, None, reference)
    fresh = await confirmations.form_reference("archive_workflow", ARGS, new=True)
    assert fresh != reference, "a new question gets a new reference, so its answer can be spent again"
    assert (await confirmations.settle("archive_workflow", ARGS, accepted, None, fresh)).proceed


def as_caller(subject: str) -> AuthenticatedUser:
    return AuthenticatedUser(AccessToken(token=subject, client_id="client", scopes=[], subject=subject))


@pytest.mark.anyio
async def test_two_callers_confirming_the_same_action_each_get_their_own_question(tmp_path: Path) -> None:
    """Same tool, same arguments, one shared store (replicas): the answer of one never spends the other's."""
    confirmations = confirmations_in(tmp_path, Clock(1000.0))
    accepted = AcceptedElicitation(data=ConfirmationForm(confirm=True))
    references = {}
    for subject in ("alice", "bob"):
        reset = auth_context_var.set(as_caller(subject))
        try:
            references[subject] = await confirmations.form_reference("archive_workflow", ARGS, new=True)
        finally:
            auth_context_var.reset(reset)
    assert references["alice"] != references["bob"]
    for subject in ("alice", "bob"):
        reset = auth_context_var.set(as_caller(subject))
        try:
            again = await confirmations.form_reference("archive_workflow", ARGS, new=False)
            assert again == references[subject], "each caller's round 2 asks the question they were shown"
            assert (await confirmations.settle("archive_workflow", ARGS, accepted, None, again)).proceed
        finally:
            auth_context_var.reset(reset)


KNOWN_QUESTION_KEY = (
    'ask:{"args":{"execution_ids":["exec-1","exec-2"],"mode":"terminate"},"caller":"alice","tool":"cancel_execution"}'
)


@pytest.mark.anyio
async def test_a_question_asked_by_another_release_is_recognised_in_the_shared_store(tmp_path: Path) -> None:
    """A form's round 2 may land on a replica running the next release: both must name the question alike."""
    clock = Clock(1000.0)
    store = SqliteConfirmationStore(tmp_path, clock)
    confirmations = Confirmations({"destructive": "elicit"}, TokenSigner(b"secret", 300, clock), store, clock)
    reset = auth_context_var.set(as_caller("alice"))
    try:
        await store.remember(KNOWN_QUESTION_KEY, "0badcafe", 1600.0)
        reordered = {"mode": "terminate", "execution_ids": ["exec-1", "exec-2"]}
        assert await confirmations.form_reference("cancel_execution", reordered, new=False) == "0badcafe"
        fresh = await confirmations.form_reference("cancel_execution", KNOWN_ARGS, new=True)
    finally:
        auth_context_var.reset(reset)
    assert fresh != "0badcafe"
    assert await store.recall(KNOWN_QUESTION_KEY) == fresh, "what this release writes, the other one reads"


# --- who can be asked through a form -------------------------------------------------------------

FORM = ElicitationCapability(form=FormElicitationCapability())
URL_ONLY = ElicitationCapability(url=UrlElicitationCapability())
FORM_AND_URL = ElicitationCapability(form=FormElicitationCapability(), url=UrlElicitationCapability())


def context(elicitation: ElicitationCapability | None, version: str | None, back_channel: bool) -> Any:
    """The three facts `client_can_elicit` reads from the SDK's Context."""
    capabilities = ClientCapabilities(elicitation=elicitation)
    return SimpleNamespace(
        client_capabilities=capabilities,
        protocol_version=version,
        session=SimpleNamespace(can_send_request=back_channel),
    )


@pytest.mark.parametrize(
    ("elicitation", "version", "back_channel", "can"),
    [
        (FORM, "2026-07-28", False, True),  # the input-required round trip needs no back channel
        (FORM_AND_URL, "2026-07-28", False, True),
        (URL_ONLY, "2026-07-28", False, False),  # a URL-only client cannot show our form
        (URL_ONLY, "2025-11-25", True, False),
        (None, "2026-07-28", False, False),
        (FORM, "2025-11-25", True, True),
        (FORM, "2025-11-25", False, False),  # handshake era over stateless HTTP: no way to ask mid-call
        (ElicitationCapability(), "2025-06-18", True, True),  # older clients declare an empty object
        (FORM, None, True, True),  # the SDK's Context outside a request: no version, only a back channel can ask
        (FORM, None, False, False),
    ],
)
def test_a_form_is_offered_only_to_clients_that_can_show_it(
    elicitation: ElicitationCapability | None, version: str | None, back_channel: bool, can: bool
) -> None:
    assert client_can_elicit(context(elicitation, version, back_channel)) is can


@pytest.mark.parametrize(
    ("policy", "always_preview", "elicitation", "mode"),
    [
        ("auto", False, FORM, "elicit"),
        ("auto", False, URL_ONLY, "token"),
        ("off", False, FORM, "off"),
        ("off", True, FORM, "elicit"),  # batch calls preview their blast radius whatever the policy
        ("off", True, None, "token"),
        ("token", True, FORM, "token"),
        ("elicit", False, None, "elicit"),
    ],
)
def test_the_mode_follows_the_policy_and_the_client(
    tmp_path: Path, policy: str, always_preview: bool, elicitation: ElicitationCapability | None, mode: str
) -> None:
    clock = Clock(1000.0)
    confirmations = Confirmations(
        {"destructive": policy}, TokenSigner(b"s", 300, clock), SqliteConfirmationStore(tmp_path, clock), clock
    )
    ctx = context(elicitation, "2026-07-28", False)
    assert confirmations.effective_mode("destructive", ctx, always_preview=always_preview) == mode
    assert confirmations.effective_mode("read", ctx) == "off", "a class without a policy is never confirmed"


@pytest.mark.anyio
async def test_a_remembered_value_is_recalled_until_it_expires_and_can_be_replaced(tmp_path: Path) -> None:
    clock = Clock(1000.0)
    store = SqliteConfirmationStore(tmp_path, clock)
    assert await store.recall("ask:x") is None
    await store.remember("ask:x", "first", 1100.0)
    await store.remember("ask:x", "second", 1100.0)
    assert await store.recall("ask:x") == "second"
    assert await SqliteConfirmationStore(tmp_path, clock).recall("ask:x") == "second", "shared through the file"
    clock.now = 1100.0
    assert await store.recall("ask:x") == "second", "valid up to its expiry time"
    clock.now = 1100.5
    assert await store.recall("ask:x") is None


@pytest.mark.anyio
async def test_the_store_is_private_to_its_user_and_never_holds_a_token(tmp_path: Path) -> None:
    directory = tmp_path / "state" / "mcp-workflows"
    store = SqliteConfirmationStore(directory, Clock(1000.0))
    assert directory.stat().st_mode & 0o777 == 0o700
    assert await store.spend("token:c2.1300.0123abcd.SIGNATURE-PART", 1300.0)
    assert b"SIGNATURE-PART" not in (directory / "confirmations.sqlite3").read_bytes()


def test_the_default_store_lives_in_the_users_state_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_state_dir() == tmp_path / "xdg" / "mcp-workflows"
    monkeypatch.setenv("XDG_STATE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home" / ".local" / "state" / "mcp-workflows"

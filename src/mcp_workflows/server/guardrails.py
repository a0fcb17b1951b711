"""Confirmation before destructive (and, when configured, execute) calls: one mechanism for all.

Policy per risk class (`--confirm destructive=auto,execute=off` / MCP_WORKFLOWS_CONFIRM):
- `elicit`: ask the human through MCP elicitation (both protocol eras, via the SDK's Resolve +
  Elicit, so 2026-07-28 clients get an input-required round trip and older ones a mid-call
  `elicitation/create`);
- `token`: the first call returns a preview and a short-lived token bound to the tool and its
  exact arguments; only a second call carrying that token acts;
- `auto` (default): `elicit` when the client declared form elicitation, `token` otherwise;
- `off`: act at once.
Decline, cancel, an unticked form, or a wrong or expired token change nothing upstream.

Tokens are HMAC-signed with a key derived from a stable secret (MCP_WORKFLOWS_CONFIRMATION_SECRET,
else the API key), so a token still verifies when the second call lands in a fresh server
process, as happens with clients that start a server per call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import anyio
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from pydantic import BaseModel, Field

from mcp_workflows.config import ConfirmPolicy, Settings
from mcp_workflows.server.results import ToolInputError

_TOKEN_VERSION = "c1"  # noqa: S105 - a format tag, not a secret
_KEY_LABEL = b"mcp-workflows/confirmation-token/v1"
_REQUEST_STATE_LABEL = b"mcp-workflows/request-state/v1"


class ConfirmationForm(BaseModel):
    """The form the human sees. One box to tick: nothing else to fill in."""

    confirm: bool = Field(description="Tick to confirm. Leave unticked (or decline) to change nothing.")


class NotAsked(BaseModel):
    """A confirmation resolver's answer when it did not ask the human (token or off policy)."""

    mode: Literal["token", "off"]


class Unanswered(BaseModel):
    """The human was asked mid-call (handshake era) but declined, cancelled or never answered;
    or the policy demands a form this client cannot show (`unsupported`)."""

    action: Literal["decline", "cancel", "timeout", "unsupported"]


ConfirmationAnswer = ElicitationResult[ConfirmationForm | NotAsked | Unanswered]


async def elicit_within(ctx: Context[Any, Any], message: str, timeout_s: float) -> ConfirmationForm | Unanswered:
    """Ask through a mid-call `elicitation/create` (handshake era), never waiting past `timeout_s`.

    Some clients declare elicitation and never render it; the call must still end, with nothing done.
    """
    with anyio.move_on_after(timeout_s):
        result = await ctx.elicit(message, ConfirmationForm)
        if isinstance(result, AcceptedElicitation):
            form: ConfirmationForm = result.data
            return form
        return Unanswered(action="decline" if result.action == "decline" else "cancel")
    return Unanswered(action="timeout")


@dataclass(frozen=True)
class Verdict:
    """What the tool should do after the confirmation step."""

    proceed: bool
    status: Literal["confirmed", "confirmation_required", "declined", "cancelled", "timed_out"]
    path: Literal["elicitation", "token", "policy_off", "none"]
    token: str | None = None


class TokenSigner:
    """Stateless, argument-bound, expiring confirmation tokens."""

    def __init__(self, secret: bytes, ttl_s: int, clock: Callable[[], float] = time.time) -> None:
        self._key = hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()
        self._ttl_s = ttl_s
        self._clock = clock

    @property
    def ttl_s(self) -> int:
        return self._ttl_s

    def issue(self, tool: str, args: Mapping[str, Any]) -> tuple[str, float]:
        expires = int(self._clock()) + self._ttl_s
        return f"{_TOKEN_VERSION}.{expires}.{self._sign(tool, args, expires)}", float(expires)

    def verify(self, token: str, tool: str, args: Mapping[str, Any]) -> None:
        """Raise ToolInputError with an actionable message unless the token fits these exact arguments."""
        again = f"Call {tool} again without confirmation_token to get a fresh preview and token."
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _TOKEN_VERSION or not parts[1].isdigit():
            raise ToolInputError(f"confirmation_token is malformed. {again}")
        expires = int(parts[1])
        if not hmac.compare_digest(parts[2], self._sign(tool, args, expires)):
            raise ToolInputError(
                "confirmation_token does not match this call: it was issued for a different tool or for "
                f"different arguments (or by a server with another secret). {again}"
            )
        if self._clock() > expires:
            raise ToolInputError(f"confirmation_token expired (tokens are valid for {self._ttl_s} s). {again}")

    def _sign(self, tool: str, args: Mapping[str, Any], expires: int) -> str:
        canonical = json.dumps({"tool": tool, "args": args, "exp": expires}, sort_keys=True, separators=(",", ":"))
        digest = hmac.new(self._key, canonical.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signing_secret(settings: Settings) -> bytes:
    """A stable secret when one exists; a per-process random one otherwise (sandbox without key)."""
    if settings.confirmation_secret is not None:
        return settings.confirmation_secret.get_secret_value().encode()
    if settings.api_key is not None and not settings.sandbox:
        return settings.api_key.get_secret_value().encode()
    return secrets.token_bytes(32)


def request_state_key(secret: bytes) -> bytes:
    """The key that seals the SDK's requestState (the 2026-07-28 input-required round trip of a
    confirmation form). Derived from the signing secret, like confirmation tokens, so a round
    trip begun on one replica (or before a restart) can finish on another."""
    return hmac.new(secret, _REQUEST_STATE_LABEL, hashlib.sha256).digest()


class Confirmations:
    """Decides how to confirm a call and settles the outcome."""

    def __init__(self, policy: ConfirmPolicy, signer: TokenSigner) -> None:
        self._policy = policy
        self.signer = signer

    def effective_mode(
        self, risk: str, ctx: Context[Any, Any], *, always_preview: bool = False
    ) -> Literal["elicit", "token", "off"]:
        """The confirmation this call gets. Batch tools always preview their blast radius first."""
        mode = self._policy.get(risk, "off")
        if mode == "off" and always_preview:
            mode = "auto"
        if mode != "auto":
            return mode
        return "elicit" if client_can_elicit(ctx) else "token"

    def settle(self, tool: str, args: Mapping[str, Any], answer: ConfirmationAnswer, token: str | None) -> Verdict:
        """Turn the resolver's outcome (and any token) into proceed / preview / refusal."""
        if not isinstance(answer, AcceptedElicitation):
            return Verdict(False, "declined" if answer.action == "decline" else "cancelled", "elicitation")
        data = answer.data
        if isinstance(data, Unanswered) and data.action == "unsupported":
            raise ToolInputError(
                f"{tool} needs the user's confirmation through an elicitation form (the operator's policy), and "
                "this client declared no elicitation support. Nothing was changed. Use a client that supports "
                "elicitation, or ask the operator to allow token confirmation (MCP_WORKFLOWS_CONFIRM=...=token)."
            )
        if isinstance(data, Unanswered):
            status: Literal["declined", "cancelled", "timed_out"] = {
                "decline": "declined",
                "cancel": "cancelled",
                "timeout": "timed_out",
            }[data.action]  # type: ignore[assignment]
            return Verdict(False, status, "elicitation")
        if isinstance(data, ConfirmationForm):
            if data.confirm:
                return Verdict(True, "confirmed", "elicitation")
            return Verdict(False, "declined", "elicitation")
        if data.mode == "off":
            return Verdict(True, "confirmed", "policy_off")
        if token is None:
            issued, _ = self.signer.issue(tool, args)
            return Verdict(False, "confirmation_required", "token", token=issued)
        self.signer.verify(token, tool, args)
        return Verdict(True, "confirmed", "token")


def client_can_elicit(ctx: Context[Any, Any]) -> bool:
    """True when this client declared form elicitation and this connection can carry it."""
    capabilities = ctx.client_capabilities
    elicitation = capabilities.elicitation if capabilities is not None else None
    if elicitation is None or (elicitation.form is None and elicitation.url is not None):
        return False
    version = ctx.protocol_version or ""
    # 2026-07-28 clients answer through the input-required round trip; older ones need a
    # back channel (absent on stateless or JSON-response HTTP).
    return version >= "2026-07-28" or ctx.session.can_send_request

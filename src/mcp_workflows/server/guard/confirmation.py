"""Confirmation before destructive (and, when configured, execute) calls: one mechanism for all.

Policy per risk class (`--confirm destructive=auto,execute=off` / MCP_WORKFLOWS_CONFIRM):
- `elicit`: ask the human through MCP elicitation (both protocol eras, via the SDK's Resolve +
  Elicit, so 2026-07-28 clients get an input-required round trip and older ones a mid-call
  `elicitation/create`);
- `token`: the first call returns a preview and a short-lived token bound to the tool and its
  exact arguments; only a second call carrying that token acts;
- `auto` (default): `elicit` when the client declared form elicitation, `token` otherwise;
- `off`: act at once.
Decline, cancel, an unticked form, or a wrong, expired or already used token change nothing.

A guarded tool declares `confirm=Confirm(describe, check)` in its `@tool(...)`; `guarded()` turns
its function into the one the SDK registers: a resolver checks the arguments and asks, the
wrapper settles the answer (or token) and only then runs the tool's body.

Tokens are HMAC-signed with a key derived from a stable secret (MCP_WORKFLOWS_CONFIRMATION_SECRET,
else the API key), so a token still verifies when the second call lands in a fresh server
process. Each confirmation is spent once (`guard/spent.py`).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import inspect
import json
import secrets
import time
import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

import anyio
import pydantic_core
from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from mcp_workflows.config import ConfirmPolicy, Settings
from mcp_workflows.server.catalog import Declaration
from mcp_workflows.server.guard.caller import caller_subject
from mcp_workflows.server.guard.spent import ConfirmationStore
from mcp_workflows.server.results import ToolInputError, ToolResult
from mcp_workflows.server.state import app_state

_TOKEN_VERSION = "c2"  # noqa: S105 - a format tag, not a secret
_KEY_LABEL = b"mcp-workflows/confirmation-token/v1"
_REQUEST_STATE_LABEL = b"mcp-workflows/request-state/v1"
FORM_TTL_S = 600.0  # the SDK's request-state lifetime: a form answer cannot be replayed after it

G = TypeVar("G", bound="Guarded")


class Guarded(ToolResult):
    """Base of results of tools that may ask for confirmation before acting.

    `outcome` is `done` when the action happened; otherwise nothing changed upstream and
    `message` says why (and, for `confirmation_required`, what would happen).
    """

    outcome: Literal["done", "confirmation_required", "declined", "cancelled", "timed_out"] | None = "done"
    message: str | None = None
    confirmation_token: str | None = None
    confirmed_by: Literal["elicitation", "token", "policy_off"] | None = None


ConfirmationToken = Annotated[
    str | None,
    Field(max_length=200, description="From this tool's last result, once the user agreed."),
]


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
Question = Elicit[ConfirmationForm] | ConfirmationForm | NotAsked | Unanswered


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
    path: Literal["elicitation", "token", "policy_off"]
    token: str | None = None


class TokenSigner:
    """Argument-bound, expiring confirmation tokens, verifiable by any process sharing the secret."""

    def __init__(self, secret: bytes, ttl_s: int, clock: Callable[[], float] = time.time) -> None:
        self._key = hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()
        self._ttl_s = ttl_s
        self._clock = clock

    @property
    def ttl_s(self) -> int:
        return self._ttl_s

    def issue(self, tool: str, args: Mapping[str, Any]) -> str:
        """A new token: two previews of the same call never share one, so each is spent on its own."""
        expires = int(self._clock()) + self._ttl_s
        nonce = secrets.token_hex(8)
        return f"{_TOKEN_VERSION}.{expires}.{nonce}.{self._sign(tool, args, expires, nonce)}"

    def verify(self, token: str, tool: str, args: Mapping[str, Any]) -> float:
        """The token's expiry time; ToolInputError with an actionable message unless the token
        fits these exact arguments."""
        again = f"Call {tool} again without confirmation_token to get a fresh preview and token."
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != _TOKEN_VERSION or not parts[1].isdigit():
            raise ToolInputError(f"confirmation_token is malformed. {again}")
        expires, nonce, signature = int(parts[1]), parts[2], parts[3]
        if not hmac.compare_digest(signature, self._sign(tool, args, expires, nonce)):
            raise ToolInputError(
                "confirmation_token does not match this call: it was issued for a different tool or for "
                f"different arguments (or by a server with another secret). {again}"
            )
        if self._clock() > expires:
            raise ToolInputError(f"confirmation_token expired (tokens are valid for {self._ttl_s} s). {again}")
        return float(expires)

    def _sign(self, tool: str, args: Mapping[str, Any], expires: int, nonce: str) -> str:
        claims = {"tool": tool, "args": args, "exp": expires, "nonce": nonce}
        canonical = json.dumps(claims, sort_keys=True, separators=(",", ":"))
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
    """Decides how to confirm a call and settles the outcome, spending each confirmation once."""

    def __init__(
        self,
        policy: ConfirmPolicy,
        signer: TokenSigner,
        store: ConfirmationStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._policy = policy
        self.signer = signer
        self._store = store
        self._clock = clock

    async def form_reference(self, tool: str, args: Mapping[str, Any], *, new: bool) -> str:
        """The reference shown in a 2026-07-28 confirmation form, which makes its answer single-use.

        The SDK carries a form's answer in a sealed request state that a client could replay for as
        long as it is valid. Each new question gets a fresh reference, remembered for the caller, the
        call's tool and its arguments, and part of the question's text: the answer to an older
        question no longer matches the question asked (the SDK asks again), and an answer whose
        reference was spent is refused. Two people (OAuth subjects, static tokens) confirming the
        same action at once each get their own question.
        """
        key = "ask:" + json.dumps(
            {"caller": caller_subject(), "tool": tool, "args": args}, sort_keys=True, separators=(",", ":")
        )
        reference = None if new else await self._store.recall(key)
        if reference is None:
            reference = secrets.token_hex(4)
            await self._store.remember(key, reference, self._clock() + FORM_TTL_S)
        return reference

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

    async def settle(
        self,
        tool: str,
        args: Mapping[str, Any],
        answer: ConfirmationAnswer,
        token: str | None,
        form_reference: str | None = None,
    ) -> Verdict:
        """Turn the resolver's outcome (and any token) into proceed / preview / refusal.

        `form_reference` is the reference of a 2026-07-28 form answer: like a token, it authorises
        one action.
        """
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
            if not data.confirm:
                return Verdict(False, "declined", "elicitation")
            spend_by = self._clock() + FORM_TTL_S
            if form_reference is not None and not await self._store.spend(f"form:{form_reference}", spend_by):
                raise ToolInputError(
                    f"this confirmation of {tool} was already used: an accepted form authorises one action. "
                    f"Nothing was changed. Call {tool} again to ask the user anew."
                )
            return Verdict(True, "confirmed", "elicitation")
        if data.mode == "off":
            return Verdict(True, "confirmed", "policy_off")
        if token is None:
            return Verdict(False, "confirmation_required", "token", token=self.signer.issue(tool, args))
        expires = self.signer.verify(token, tool, args)
        if not await self._store.spend(f"token:{token}", expires):
            raise ToolInputError(
                f"confirmation_token was already used: a confirmation authorises one action. Nothing was changed. "
                f"Call {tool} again without confirmation_token to get a fresh preview and token."
            )
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


# ---------------------------------------------------------------- guarded tools


def guarded(declaration: Declaration) -> Callable[..., Awaitable[Any]]:
    """The function the SDK registers for a guarded tool.

    Its signature is the tool's own plus `answer` (resolved by a per-tool resolver, so it never
    appears in the input schema) and `confirmation_token`. The resolver checks the arguments and
    asks the human when the policy says so; the wrapper settles the answer or token, then runs
    the body and records how the action was confirmed.
    """
    confirm = declaration.confirm
    assert confirm is not None, f"{declaration.spec.name} declares no confirmation"
    spec, body = declaration.spec, declaration.fn
    hints = typing.get_type_hints(body, include_extras=True)
    result_type: type[Guarded] = hints["return"]
    signature = inspect.signature(body)
    context_name, *argument_names = signature.parameters

    def bound(arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The arguments a confirmation binds, as JSON."""
        kept = {key: value for key, value in arguments.items() if key not in confirm.unbound}
        return dict(pydantic_core.to_jsonable_python(kept))

    async def ask(ctx: Context[Any, Any], **arguments: Any) -> Question:
        state = app_state(ctx)
        if confirm.check is not None:
            await confirm.check(state, arguments)
        mode = state.confirmations.effective_mode(spec.risk.value, ctx, always_preview=spec.forces_preview(arguments))
        if mode != "elicit":
            return NotAsked(mode=mode)
        if not client_can_elicit(ctx):
            return Unanswered(action="unsupported")
        message = await confirm.describe(state, arguments)
        if ctx.protocol_version and ctx.protocol_version < "2026-07-28":
            return await elicit_within(ctx, message, state.settings.elicitation_timeout_s)
        new = not ctx.input_responses  # the first round asks a new question
        reference = await state.confirmations.form_reference(spec.name, bound(arguments), new=new)
        return Elicit(f"{message} (confirmation {reference})", ConfirmationForm)

    # The SDK hands a resolver the validated tool arguments it names, and keys a round trip's
    # state by the resolver's qualified name: one named resolver per tool.
    keyword = inspect.Parameter.KEYWORD_ONLY
    ask.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("ctx", keyword, annotation=Context)]
        + [inspect.Parameter(name, keyword) for name in argument_names],
        return_annotation=Question,
    )
    ask.__annotations__ = {"ctx": Context, "return": Question}
    ask.__qualname__ = ask.__name__ = f"confirm_{spec.name}"

    @functools.wraps(body)
    async def run(
        ctx: Context[Any, Any], *, answer: ConfirmationAnswer, confirmation_token: str | None = None, **arguments: Any
    ) -> Guarded:
        state = app_state(ctx)
        args = bound(arguments)
        reference = None
        if ctx.input_responses:  # a 2026-07-28 form answer: spend the reference of the question it answers
            reference = await state.confirmations.form_reference(spec.name, args, new=False)
        verdict = await state.confirmations.settle(spec.name, args, answer, confirmation_token, reference)
        if verdict.proceed:
            result: Guarded = await body(ctx, **arguments)
            return result.model_copy(update={"confirmed_by": verdict.path})
        if verdict.status == "confirmation_required":
            preview = await confirm.describe(state, arguments)
            return result_type(
                outcome="confirmation_required",
                message=f"{preview} Show this to the user; if they agree, call {spec.name} again with "
                f"confirmation_token (valid {state.confirmations.signer.ttl_s} s).",
                confirmation_token=verdict.token,
            )
        why = "no answer came in time" if verdict.status == "timed_out" else "the user did not confirm"
        return result_type(outcome=verdict.status, message=f"Nothing changed: {why}.")

    answer = inspect.Parameter("answer", keyword, annotation=Annotated[ConfirmationAnswer, Resolve(ask)])
    token = inspect.Parameter("confirmation_token", keyword, default=None, annotation=ConfirmationToken)
    parameters = [
        parameter.replace(annotation=hints.get(name, parameter.annotation))
        for name, parameter in signature.parameters.items()
    ]
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*parameters, answer, token], return_annotation=result_type
    )
    run.__annotations__ = {
        **{name: hints[name] for name in signature.parameters if name in hints},
        "answer": answer.annotation,
        "confirmation_token": ConfirmationToken,
        "return": result_type,
    }
    del run.__wrapped__  # the SDK must see this signature, not the body's
    assert context_name in run.__annotations__, f"{spec.name}: the first parameter must be the Context"
    return run

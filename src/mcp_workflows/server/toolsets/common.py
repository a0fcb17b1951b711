"""What every toolset shares: the result base class and the common parameter types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar

import anyio
import pydantic_core
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from pydantic import BaseModel, Field

from mcp_workflows.server.catalog import BY_NAME
from mcp_workflows.server.guardrails import (
    ConfirmationAnswer,
    ConfirmationForm,
    NotAsked,
    Unanswered,
    client_can_elicit,
    elicit_within,
)
from mcp_workflows.server.state import AppState, app_state

A = TypeVar("A")
B = TypeVar("B")
G = TypeVar("G", bound="Guarded")


class ToolResult(BaseModel):
    """Base of every tool result. The server dumps results with `exclude_none`, so fields that are
    None are left out (payloads the tool passes through, such as workflow results, keep their own
    nulls): models see fewer tokens, and the advertised output schema (server/schemas.py) marks
    such fields optional instead of nullable."""


Cursor = Annotated[str | None, Field(max_length=2048, description="next_cursor from the previous page.")]
ExecutionId = Annotated[
    str, Field(min_length=1, max_length=256, description="Execution id, from execute_workflow or list_runs.")
]
Limit = Annotated[int, Field(ge=1, le=100, description="Page size, 1-100.")]
NextCursor = Annotated[str | None, Field(description="Pass as cursor for the next page; absent on the last page.")]


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Await two independent calls concurrently; the first failure is raised as itself.

    (A task group would wrap it in an ExceptionGroup, hiding the typed API error that the
    server turns into an actionable message.)
    """
    results: dict[int, Any] = {}

    async def run(index: int, awaitable: Awaitable[Any]) -> None:
        results[index] = await awaitable

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(run, 0, first)
            group.start_soon(run, 1, second)
    except BaseExceptionGroup as group_error:
        raise group_error.exceptions[0] from None
    return results[0], results[1]


# ---------------------------------------------------------------- confirmation

Describer = Callable[[AppState, Mapping[str, Any]], Awaitable[str]]


class Guarded(ToolResult):
    """Base of results of tools that may ask for confirmation before acting.

    `outcome` is `done` when the action happened; otherwise nothing changed upstream and
    `message` says why (and, for `confirmation_required`, what would happen).
    """

    outcome: Literal["done", "confirmation_required", "declined", "cancelled", "timed_out"] | None = "done"
    message: str | None = None
    confirmation_token: str | None = None
    confirmed_by: Literal["elicitation", "token", "policy_off"] | None = None


async def ask_confirmation(ctx: Context) -> Elicit[ConfirmationForm] | ConfirmationForm | NotAsked | Unanswered:
    """The one confirmation resolver: asks the human when the policy and the client allow it.

    It reads the tool name and raw arguments from the request, so every guarded tool shares it.
    Handshake-era clients are asked here, with a bounded wait; 2026-07-28 clients get an
    input-required round trip from the SDK (the server holds nothing open while they decide).
    """
    state = app_state(ctx)
    params = ctx.request_context.params or {}
    tool = str(params.get("name", ""))
    spec = BY_NAME[tool]
    arguments = params.get("arguments") or {}
    mode = state.confirmations.effective_mode(spec.risk.value, ctx, always_preview=spec.forces_preview(arguments))
    if mode != "elicit":
        return NotAsked(mode=mode)
    if not client_can_elicit(ctx):
        return Unanswered(action="unsupported")
    message = await _describe(state, tool, arguments)
    if ctx.protocol_version and ctx.protocol_version < "2026-07-28":
        return await elicit_within(ctx, message, state.settings.elicitation_timeout_s)
    return Elicit(message, ConfirmationForm)


Confirmation = Annotated[ConfirmationAnswer, Resolve(ask_confirmation)]
ConfirmationToken = Annotated[
    str | None,
    Field(max_length=200, description="From this tool's last result, once the user agreed."),
]


async def confirm(
    ctx: Context,
    tool: str,
    args: Mapping[str, Any],
    answer: ConfirmationAnswer,
    token: str | None,
    result_type: type[G],
) -> tuple[G | None, str]:
    """Settle the confirmation step of a guarded tool.

    Returns (result, path): a result to return as is when the tool must not act (preview,
    decline, cancel), else (None, how it was confirmed). `args` must be the tool's arguments
    without the token, exactly as they decide what happens: a token is bound to them.
    """
    state = app_state(ctx)
    verdict = state.confirmations.settle(tool, args, answer, token)
    if verdict.proceed:
        return None, verdict.path
    if verdict.status == "confirmation_required":
        preview = await _describe(state, tool, args)
        return result_type(
            outcome="confirmation_required",
            message=f"{preview} Show this to the user; if they agree, call {tool} again with confirmation_token "
            f"(valid {state.confirmations.signer.ttl_s} s).",
            confirmation_token=verdict.token,
        ), verdict.path
    why = "no answer came in time" if verdict.status == "timed_out" else "the user did not confirm"
    return result_type(outcome=verdict.status, message=f"Nothing changed: {why}."), verdict.path


async def _describe(state: AppState, tool: str, arguments: Mapping[str, Any]) -> str:
    from mcp_workflows.server.toolsets import tool_describer

    description: str = await tool_describer(tool)(state, arguments)
    return description


def capped(value: Any, limit_chars: int, what: str, more: str) -> tuple[Any, str | None]:
    """`value` unchanged when its JSON fits in `limit_chars`, else a truncated string and a note."""
    if value is None:
        return None, None
    text = pydantic_core.to_json(value).decode()
    if len(text) <= limit_chars:
        return value, None
    return text[:limit_chars], f"{what} cut to {limit_chars} of {len(text)} characters; {more} has it all"


# ---------------------------------------------------------------- times and notes


def iso_from_ns(value: int | str | None) -> str | None:
    """Nanoseconds since the epoch as an ISO time (UTC, milliseconds); strings pass through."""
    if value is None or isinstance(value, str):
        return value
    from datetime import UTC, datetime

    return datetime.fromtimestamp(value / 1e9, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_time(value: str | None, field: str) -> str | None:
    """`value` when it is an ISO 8601 time (or None); else a ToolInputError naming `field`."""
    if value is None:
        return None
    from datetime import datetime

    from mcp_workflows.server.results import ToolInputError

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ToolInputError(
            f"{field} must be an ISO 8601 time such as 2025-01-31T12:00:00Z, got {value[:40]!r}."
        ) from None
    return value


def join_notes(*notes: str | None) -> str | None:
    """The notes that are set, joined into one sentence list; None when there are none."""
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None

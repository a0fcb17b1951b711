"""What every toolset shares: parameter types (one definition each) and small result helpers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar, cast

import pydantic_core
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from mcp_workflows.api.operations import segment_problem
from mcp_workflows.server.concurrency import gather
from mcp_workflows.server.results import PARAMETER_SOURCE, ToolResult
from mcp_workflows.server.schema_check import check_against_schema
from mcp_workflows.server.state import AppState

A = TypeVar("A")
B = TypeVar("B")

__all__ = ["ToolResult"]


def path_segment(parameter: str) -> AfterValidator:
    """Refuse, at the tool boundary, a value that cannot fill the upstream path parameter
    `parameter` (`api/operations.py` checks again where the URL is built)."""
    source = PARAMETER_SOURCE.get(parameter, "the listing tool")

    def check(value: str) -> str:
        if (problem := segment_problem(parameter, value)) is not None:
            raise PydanticCustomError(
                "path_segment",
                "{value} {problem}: an id or name cannot be used that way; {source} gives valid values",
                {"value": repr(value[:80]), "problem": problem, "source": source},
            )
        return value

    return AfterValidator(check)


WorkflowIdentifier = Annotated[
    str,
    Field(min_length=1, max_length=256, description="Workflow name or id, from list_workflows."),
    path_segment("workflow_identifier"),
]
ExecutionId = Annotated[
    str,
    Field(min_length=1, max_length=256, description="Execution id, from execute_workflow or list_runs."),
    path_segment("execution_id"),
]
RegistrationId = Annotated[
    uuid.UUID, Field(description="Registration id (UUID) from list_workflow_registrations or get_workflow.")
]
WaitSeconds = Annotated[float, Field(ge=0, le=50, description="Seconds to wait for the result (0: return at once).")]
Cursor = Annotated[str | None, Field(max_length=2048, description="next_cursor from the previous page.")]
Limit = Annotated[int, Field(ge=1, le=100, description="Page size, 1-100.")]
NextCursor = Annotated[str | None, Field(description="Pass as cursor for the next page; absent on the last page.")]


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Await two independent calls concurrently; the first failure is raised as itself."""
    a, b = await gather([first, second])
    return cast(A, a), cast(B, b)


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


async def check_workflow_input(
    state: AppState, workflow_identifier: str, deployment_name: str | None, value: dict[str, Any] | None
) -> None:
    """Refuse an input that does not match the input_schema of the registration that will run it
    (when that registration is known), before anything is sent."""
    registration = await state.registrations.to_run(workflow_identifier, deployment_name)
    if registration is not None:
        check_against_schema(
            value or {},
            registration.definition.input_schema,
            what="input",
            schema_source="get_workflow shows the input_schema.",
        )

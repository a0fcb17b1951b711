"""What every toolset shares: the vocabulary (one parameter type per concept, described once) and
small result helpers.

One name per concept across all tools: `workflow` (a name or an id, wherever a workflow is meant),
`execution_id`, `run_id`, `registration_id`, `schedule_id`, `deployment` (a deployment's name),
`handler` (a signal, query or update name), and `since` / `until` for every time range.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar, cast

import pydantic_core
from pydantic import Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from mcp_workflows.api.operations import is_uuid, segment_problem
from mcp_workflows.server.concurrency import gather
from mcp_workflows.server.results import PARAMETER_SOURCE, ToolResult
from mcp_workflows.server.schema_check import check_against_schema
from mcp_workflows.server.state import AppState

A = TypeVar("A")
B = TypeVar("B")

__all__ = ["ToolResult"]


@dataclass(frozen=True)
class PathSegment:
    """Refuse, at the tool boundary, a value that cannot fill the upstream path parameter
    `parameter` (`api/operations.py` checks again where the URL is built).

    It runs before the type's own checks, so a hostile value is named as such (with the tool that
    gives valid values) even where a pattern or a UUID type would also refuse it. It is data, so
    the tests find every argument that reaches a URL path.
    """

    parameter: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))

    def _check(self, value: Any) -> Any:
        if isinstance(value, str) and (problem := segment_problem(self.parameter, value)) is not None:
            raise PydanticCustomError(
                "path_segment",
                "{value} {problem}: an id or name cannot be used that way; {source} gives valid values",
                {
                    "value": repr(value[:80]),
                    "problem": problem,
                    "source": PARAMETER_SOURCE.get(self.parameter, "the listing tool"),
                },
            )
        return value


WorkflowIdentifier = Annotated[
    str,
    Field(min_length=1, max_length=256, description="Workflow name or id, from list_workflows."),
    PathSegment("workflow_identifier"),
]
WorkflowFilter = Annotated[
    str | None,
    Field(min_length=1, max_length=256, description="Only this workflow (name or id, from list_workflows)."),
    PathSegment("workflow_identifier"),
]
ExecutionId = Annotated[
    str,
    Field(min_length=1, max_length=256, description="Execution id, from list_executions or execute_workflow."),
    PathSegment("execution_id"),
]
RunIdFilter = Annotated[
    uuid.UUID | None,
    Field(description="Only this run (run_id from get_execution or list_executions)."),
    PathSegment("run_id"),
]
RegistrationId = Annotated[
    uuid.UUID,
    Field(description="Registration id (UUID) from list_workflow_registrations or get_workflow."),
    PathSegment("workflow_registration_id"),
]
DeploymentName = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_-]+$", description="Deployment, from list_deployments."),
    PathSegment("name"),
]
DeploymentFilter = Annotated[
    str | None,
    Field(max_length=128, pattern=r"^[A-Za-z0-9_-]+$", description="Only this deployment (from list_deployments)."),
]
Handler = Annotated[
    str,
    Field(min_length=1, max_length=200, description="Handler name, from get_execution's handlers."),
]
Since = Annotated[datetime | None, Field(description="From this ISO 8601 time, e.g. 2026-01-31T09:00:00Z.")]
Until = Annotated[datetime | None, Field(description="Up to this ISO 8601 time.")]
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
    return datetime.fromtimestamp(value / 1e9, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso(value: datetime | None) -> str | None:
    """A time as the API takes it: ISO 8601, UTC when the caller gave no zone."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


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


async def workflow_name_of(state: AppState, workflow: str | None) -> str | None:
    """The name of a workflow given by name or id (upstream filters that take a name only)."""
    if workflow is None or not is_uuid(workflow):
        return workflow
    return (await state.api.workflows.get(workflow)).name

"""Turn tool outcomes into MCP results a model can act on.

Success: the structured result plus a compact JSON text copy (Mistral's own client reads only
text). Failure: an `isError` result whose text starts with `Error:` and carries the whole
message, saying what was wrong and which tool gives a valid value. Never a traceback, never
the API key.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError

from mcp_workflows.api.errors import (
    Conflict,
    InvalidIdentifier,
    InvalidRequest,
    NotFound,
    RateLimited,
    TransportFailure,
    Unauthorized,
    UpstreamUnavailable,
    WorkflowsAPIError,
)
from mcp_workflows.redaction import redact

# Which tool lists valid ids for each kind of resource, for "not found" hints.
LISTING_TOOL: dict[str, str] = {
    "workflow": "list_workflows",
    "registration": "list_workflow_registrations",
    "execution": "list_executions",
    "run": "list_executions",
    "schedule": "list_schedules",
    "deployment": "list_deployments",
}


# Which tool gives valid values for each upstream path parameter.
PARAMETER_SOURCE: dict[str, str] = {
    "workflow_identifier": "list_workflows",
    "workflow_name": "list_workflows",
    "workflow_registration_id": "list_workflow_registrations",
    "execution_id": "list_executions",
    "run_id": "list_executions",
    "schedule_id": "list_schedules",
    "name": "list_deployments",
}


class ToolResult(BaseModel):
    """Base of every tool result. The server dumps results with `exclude_none`, so fields that are
    None are left out (payloads the tool passes through, such as workflow results, keep their own
    nulls): models see fewer tokens, and the advertised output schema (server/schemas.py) marks
    such fields optional instead of nullable."""


class ToolInputError(Exception):
    """A problem with the caller's arguments found by the tool itself (before any request)."""


class CreatedIdError(Exception):
    """An upstream failure after a request that creates something (a run, a schedule...).

    Whatever failed, the text names what may now exist, so an agent follows it instead of
    creating a second one (a second run, on the real API).
    """

    def __init__(self, cause: WorkflowsAPIError, what: str, follow: str) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.what = what
        self.follow = follow

    def hint(self) -> str:
        if isinstance(self.cause, NotFound | InvalidRequest | Unauthorized | InvalidIdentifier):
            return f"Nothing was created ({self.what} does not exist)."
        return f"{self.what} may exist now. {self.follow}"


RUN_FAILED = frozenset({"FAILED", "TIMED_OUT"})  # runs that end an execution tool's call as an error


def error_result(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=redact(f"Error: {message}"))], is_error=True)


def success_result(structured: dict[str, Any]) -> CallToolResult:
    """The result and its compact text copy, both redacted (the text is checked, the rare result
    that holds a secret is rebuilt from the redacted text)."""
    text = compact_text(structured)
    if redact.needed(text):
        text = redact(text)
        structured = json.loads(text)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)


def compact_text(value: Any) -> str:
    """One-line JSON: the same facts as the structured result (tool results already leave
    their None fields out), in as few tokens as JSON allows."""
    return pydantic_core.to_json(value).decode()


def describe_validation_error(tool: str, exc: ValidationError) -> str:
    """Name every bad argument and what it should be; never echo long input values back."""
    problems = []
    for err in exc.errors(include_url=False):
        location = ".".join(str(part) for part in err["loc"]) or "arguments"
        problems.append(f"`{location}`: {err['msg']}")
    return f"invalid arguments for {tool}: " + "; ".join(problems) + ". Fix them and call again."


def describe_api_error(exc: WorkflowsAPIError, *, base_url: str) -> str:
    """What went wrong upstream, and what the model (or the user) can do about it."""
    what = f"{exc.resource} '{exc.identifier}'" if exc.resource and exc.identifier else "the requested item"
    if isinstance(exc, InvalidIdentifier):
        source = PARAMETER_SOURCE.get(exc.parameter)
        hint = f" Call {source} for valid values." if source else ""
        return f"{exc.detail}: an id or name cannot be used that way. Nothing was sent.{hint}"
    if isinstance(exc, NotFound):
        listing = LISTING_TOOL.get(exc.resource or "")
        hint = f" Call {listing} to find valid ids." if listing else ""
        return f"{what} was not found (HTTP 404: {exc.detail}).{hint}"
    if isinstance(exc, Unauthorized):
        return (
            f"the Mistral API refused the credentials (HTTP {exc.status}: {exc.detail}). "
            "Check that MISTRAL_API_KEY is set to a valid key with access to Workflows, then restart the server."
        )
    if isinstance(exc, Conflict):
        code = f" {exc.code}" if exc.code else ""
        return f"conflict on {what} (HTTP 409{code}): {exc.detail}."
    if isinstance(exc, InvalidRequest):
        fields = "; ".join(f"`{e.location}`: {e.message}" for e in exc.field_errors)
        return f"the API rejected the request (HTTP {exc.status}): {fields or exc.detail}. Fix the arguments and retry."
    if isinstance(exc, RateLimited):
        when = f"after {exc.retry_after_s:.0f} seconds" if exc.retry_after_s is not None else "in a little while"
        return f"the Mistral API is rate limiting requests (HTTP 429). Retry {when}."
    if isinstance(exc, UpstreamUnavailable):
        return (
            f"the Mistral API failed (HTTP {exc.status}: {exc.detail}). "
            "This is usually temporary: retry in a few seconds."
        )
    if isinstance(exc, TransportFailure):
        return (
            f"could not get an answer from the Workflows API at {base_url} ({exc.detail}). "
            "Check the network or MISTRAL_BASE_URL, then retry."
        )
    return f"the Workflows API answered HTTP {exc.status}: {exc.detail}."

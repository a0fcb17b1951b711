"""Typed failures of the Workflows API.

The HTTP layer turns every non-success response into one of these, so callers branch on types,
never on status codes or raw bodies. Messages never contain the API key.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One field the upstream API rejected (from a 422 `HTTPValidationError`)."""

    location: str
    message: str


@dataclass
class WorkflowsAPIError(Exception):
    """Base class: an operation on the Workflows API failed."""

    detail: str
    status: int | None = None
    code: str | None = None
    operation: str = ""
    resource: str | None = None
    identifier: str | None = None
    body: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        status = f"HTTP {self.status}" if self.status else "no response"
        code = f", {self.code}" if self.code else ""
        return f"{self.operation or 'request'} failed ({status}{code}): {self.detail}"


@dataclass
class InvalidIdentifier(WorkflowsAPIError):
    """A value cannot fill a path parameter (it would leave its segment or name another route).

    Raised before any request is sent."""

    parameter: str = ""


class Unauthorized(WorkflowsAPIError):
    """401/403: the key is missing, wrong, or not allowed to do this."""


class NotFound(WorkflowsAPIError):
    """404: the id or name does not exist (or is not visible to this key)."""


class Conflict(WorkflowsAPIError):
    """409: e.g. the execution id is already used, or the execution is not running."""


@dataclass
class InvalidRequest(WorkflowsAPIError):
    """422 (or 400): the request did not validate upstream."""

    field_errors: list[FieldError] = field(default_factory=lambda: [])


@dataclass
class RateLimited(WorkflowsAPIError):
    """429: too many requests; `retry_after_s` says when to try again, when upstream told us."""

    retry_after_s: float | None = None


class UpstreamUnavailable(WorkflowsAPIError):
    """5xx: the API failed or is overloaded."""


class TransportFailure(WorkflowsAPIError):
    """The request never got a complete answer: connection refused or dropped, or a timeout."""

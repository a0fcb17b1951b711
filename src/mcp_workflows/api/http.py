"""The one HTTP client of the process: auth, timeouts, safe retries, error mapping, redaction.

Every api/ call goes through `ApiHttp.call`, so these rules hold everywhere:
- the API key is only ever in the Authorization header, never in a message or log line;
- reads (and writes made idempotent by the caller) retry on connection errors, 429 and
  502/503/504 with exponential backoff and full jitter, honouring Retry-After, within a total
  time limit; other 4xx are never retried;
- every failure becomes a typed `WorkflowsAPIError`.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2

from mcp_workflows import __version__
from mcp_workflows.api.errors import (
    Conflict,
    FieldError,
    InvalidRequest,
    NotFound,
    RateLimited,
    TransportFailure,
    Unauthorized,
    UpstreamUnavailable,
    WorkflowsAPIError,
)
from mcp_workflows.api.operations import Operation

logger = logging.getLogger("mcp_workflows.api")

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
QueryValue = str | int | float | bool | list[str] | None


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter."""

    total_s: float = 20.0
    base_s: float = 0.25
    cap_s: float = 4.0
    max_attempts: int = 5

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


@dataclass(frozen=True)
class Target:
    """What a request is about, so errors can name it ("workflow 'x' was not found")."""

    resource: str
    identifier: str


class ApiHttp:
    """Thin async wrapper over one shared `httpx2.AsyncClient`."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        request_timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        retry: RetryPolicy | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        self._retry = retry or RetryPolicy()
        self._client_options: dict[str, Any] = {
            "base_url": base_url.rstrip("/"),
            "headers": {
                "Authorization": f"Bearer {api_key}",
                "User-Agent": f"mcp-workflows/{__version__}",
                "Accept": "application/json",
            },
            "timeout": httpx2.Timeout(request_timeout_s, connect=connect_timeout_s),
            "transport": transport,
            "follow_redirects": False,
        }
        self._client: httpx2.AsyncClient | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        """The shared client, created on first use: building its TLS context takes ~40 ms,
        which would otherwise delay the server's first reply."""
        if self._client is None:
            self._client = httpx2.AsyncClient(**self._client_options)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def call(
        self,
        operation: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        target: Target | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON body (None for an empty body).

        `idempotent` overrides the method's own semantics: a POST that carries a caller-chosen
        execution id is safe to repeat, a PUT that is not (none here) would not be.
        """
        url = operation.url_path(**(path_params or {}))
        query = {k: v for k, v in (params or {}).items() if v is not None and v != []}
        may_retry = operation.idempotent if idempotent is None else idempotent
        deadline = time.monotonic() + self._retry.total_s
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = await self.client.request(operation.method, url, params=query or None, json=json)
            except httpx2.TransportError as exc:
                failure = transport_failure(exc, operation, target)
                never_sent = isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout)
                delay = self._next_delay(attempt, deadline, None)
                if (may_retry or never_sent) and delay is not None:
                    logger.warning("%s %s: %s; retrying in %.2fs", operation.method, url, failure.detail, delay)
                    attempt += 1
                    await anyio.sleep(delay)
                    continue
                raise failure from None
            elapsed_ms = (time.monotonic() - started) * 1000
            logger.debug("%s %s -> %s in %.0f ms", operation.method, url, response.status_code, elapsed_ms)
            if response.is_success:
                return _decode(response, operation, target)
            error = error_from_response(response, operation, target)
            if may_retry and response.status_code in RETRYABLE_STATUSES:
                retry_after = error.retry_after_s if isinstance(error, RateLimited) else None
                delay = self._next_delay(attempt, deadline, retry_after)
                if delay is not None:
                    logger.warning("%s %s -> %s; retrying in %.2fs", operation.method, url, response.status_code, delay)
                    attempt += 1
                    await anyio.sleep(delay)
                    continue
            raise error

    def _next_delay(self, attempt: int, deadline: float, retry_after: float | None) -> float | None:
        """The wait before the next attempt, or None when the budget says stop."""
        if attempt + 1 >= self._retry.max_attempts:
            return None
        delay = retry_after if retry_after is not None else self._retry.backoff(attempt)
        if time.monotonic() + delay > deadline:
            return None
        return delay


def _decode(response: httpx2.Response, operation: Operation, target: Target | None) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise UpstreamUnavailable(
            detail="the API answered with a body that is not JSON",
            status=response.status_code,
            operation=operation.operation_id,
            **_target_fields(target),
        ) from None


def _target_fields(target: Target | None) -> dict[str, Any]:
    return {
        "resource": target.resource if target else None,
        "identifier": target.identifier if target else None,
    }


def transport_failure(exc: httpx2.TransportError, operation: Operation, target: Target | None) -> TransportFailure:
    kind = "timed out" if isinstance(exc, httpx2.TimeoutException) else "connection failed"
    return TransportFailure(
        detail=f"{kind} ({type(exc).__name__})", operation=operation.operation_id, **_target_fields(target)
    )


def error_from_response(response: httpx2.Response, operation: Operation, target: Target | None) -> WorkflowsAPIError:
    """Map a failed response to a typed error, parsing both upstream error body shapes."""
    body: dict[str, Any] = {}
    try:
        parsed = response.json()
        if isinstance(parsed, dict):
            body = parsed
    except ValueError:
        pass
    status = response.status_code
    raw_detail = body.get("detail")
    field_errors: list[FieldError] = []
    if isinstance(raw_detail, list):
        for item in raw_detail:
            if isinstance(item, dict):
                loc = [str(part) for part in item.get("loc", []) if part not in ("body", "query", "path")]
                field_errors.append(FieldError(location=".".join(loc) or "request", message=str(item.get("msg", ""))))
        detail = "; ".join(f"{e.location}: {e.message}" for e in field_errors) or "invalid request"
    elif isinstance(raw_detail, str) and raw_detail:
        detail = raw_detail
    else:
        detail = response.reason_phrase or f"HTTP {status}"
    code = body.get("code") if isinstance(body.get("code"), str) else None
    common: dict[str, Any] = {
        "detail": detail[:2000],
        "status": status,
        "code": code,
        "operation": operation.operation_id,
        "body": body,
        **_target_fields(target),
    }
    if status in (401, 403):
        return Unauthorized(**common)
    if status == 404:
        return NotFound(**common)
    if status == 409:
        return Conflict(**common)
    if status in (400, 422):
        return InvalidRequest(**common, field_errors=field_errors)
    if status == 429:
        return RateLimited(**common, retry_after_s=_retry_after(response))
    if status >= 500:
        return UpstreamUnavailable(**common)
    return WorkflowsAPIError(**common)


def _retry_after(response: httpx2.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())

"""Upstream-shaped error bodies: domain errors `{detail, code, ...}` and 422 `HTTPValidationError`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """Raised by handlers; turned into a JSON response with the upstream status and body."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("detail"))
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_found(kind: str, identifier: str, code: str = "WF_1100") -> ApiError:
    """404 naming the missing object, e.g. `Execution 'x' not found`."""
    return ApiError(404, {"detail": f"{kind} '{identifier}' not found", "code": code})


def conflict(detail: str, code: str, **extra: Any) -> ApiError:
    """409 with a WF code and extra fields (e.g. the execution's current status)."""
    return ApiError(409, {"detail": detail, "code": code, **extra})


def not_running(execution_id: str, status: str | None) -> ApiError:
    """409 WF_1102: signal/query/update/cancel/terminate on an execution that is not running."""
    return conflict(
        f"Execution '{execution_id}' is not running (status {status})",
        "WF_1102",
        execution_id=execution_id,
        status=status,
    )


def validation_error(errors: Sequence[dict[str, Any]]) -> ApiError:
    """422 in the FastAPI `HTTPValidationError` shape; every item is made JSON-safe."""
    detail = [json.loads(json.dumps(e, default=str)) for e in errors]
    return ApiError(422, {"detail": detail})


def one_validation_error(loc: Sequence[str | int], msg: str, type_: str, input_: Any = None) -> ApiError:
    """422 with a single `ValidationError` item."""
    item: dict[str, Any] = {"loc": list(loc), "msg": msg, "type": type_}
    if input_ is not None:
        item["input"] = input_
    return validation_error([item])


async def api_error_handler(request: Request, exc: Exception) -> Response:
    """Starlette exception handler for ApiError."""
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods answer JSON `{detail}` like the upstream (FastAPI) service."""
    status = getattr(exc, "status_code", 500)
    detail = getattr(exc, "detail", "Error")
    headers = getattr(exc, "headers", None)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)

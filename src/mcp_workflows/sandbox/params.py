"""Request parsing with pydantic, so bad query strings and bodies get upstream-style 422 errors."""

from __future__ import annotations

import base64
import binascii
import json
import types
import typing
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from .errors import one_validation_error, validation_error

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def _is_list(annotation: Any) -> bool:
    """True when a field accepts a list, so repeated query keys (`?tags=a&tags=b`) are collected."""
    if typing.get_origin(annotation) is list:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return False


def _errors(exc: ValidationError, prefix: str) -> list[dict[str, Any]]:
    return [
        {**err, "loc": [prefix, *err["loc"]]}
        for err in exc.errors(include_url=False, include_context=True, include_input=True)
    ]


def parse_query(request: Request, model: type[M]) -> M:
    """Validate the query string against `model`; list fields take every repeated key."""
    raw: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        values = request.query_params.getlist(key)
        if not values:
            continue
        raw[name] = values if _is_list(field.annotation) else values[-1]
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(_errors(exc, "query")) from exc


async def read_json(request: Request, *, required: bool) -> Any:
    """The decoded JSON body; None for an empty optional body; 422 for bad JSON or a missing body."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise one_validation_error(["body"], "Field required", "missing")
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise one_validation_error(["body", 0], "JSON decode error", "json_invalid") from exc


async def parse_body(request: Request, model: type[M]) -> M:
    """Validate a required JSON body against `model`."""
    data = await read_json(request, required=True)
    return validate_body(data, model)


async def parse_optional_body(request: Request, model: type[M]) -> M | None:
    """Validate an optional JSON body (`null` or empty means no body)."""
    data = await read_json(request, required=False)
    if data is None:
        return None
    return validate_body(data, model)


def validate_body(data: Any, model: type[M]) -> M:
    """Validate decoded JSON against `model`, with loc prefixed by `body`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(_errors(exc, "body")) from exc


def encode_cursor(offset: int) -> str:
    """Opaque pagination cursor: clients must send it back unchanged."""
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, name: str = "cursor") -> int:
    """Offset inside a cursor; 422 for a cursor this sandbox did not issue."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded.encode()))["o"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise one_validation_error(["query", name], "Invalid cursor", "value_error", cursor) from exc
    if not isinstance(offset, int) or offset < 0:
        raise one_validation_error(["query", name], "Invalid cursor", "value_error", cursor)
    return offset


def paginate(items: Sequence[T], cursor: str | None, limit: int, name: str = "cursor") -> tuple[list[T], str | None]:
    """One page of `items` and the cursor of the next page (None on the last page)."""
    start = decode_cursor(cursor, name)
    page = list(items[start : start + limit])
    end = start + len(page)
    return page, (encode_cursor(end) if end < len(items) else None)


def path_uuid(raw: str, name: str) -> str:
    """A path parameter typed `format: uuid` upstream, normalised; 422 like FastAPI otherwise."""
    try:
        return str(uuid.UUID(raw))
    except ValueError as exc:
        raise one_validation_error(["path", name], "Input should be a valid UUID", "uuid_parsing", raw) from exc

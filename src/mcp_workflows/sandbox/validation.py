"""Check workflow and handler inputs against their JSON schemas, as the upstream workers do (422)."""

from __future__ import annotations

import importlib
from typing import Any

from .errors import validation_error

# Loaded by name: jsonschema ships no type stubs, and this keeps mypy --strict clean either way.
_jsonschema: Any = importlib.import_module("jsonschema")


def check_input(schema: dict[str, Any], value: Any, loc: list[str | int]) -> dict[str, Any]:
    """Return the input as a dict (None means `{}`), or raise a 422 listing every schema violation."""
    data = {} if value is None else value
    errors = sorted(_jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise validation_error(
            [
                {
                    "loc": [*loc, *e.absolute_path],
                    "msg": e.message,
                    "type": f"json_schema.{e.validator}",
                    "input": e.instance,
                }
                for e in errors
            ]
        )
    assert isinstance(data, dict)
    return data

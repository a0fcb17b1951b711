"""Check a payload against a workflow's own JSON schema before sending it upstream.

The model gets every problem at once, with the path of each bad field and where the schema comes
from, instead of a round trip that fails on the first one.
"""

from __future__ import annotations

from typing import Any

from mcp_workflows.server.results import ToolInputError

MAX_REPORTED = 5


def check_against_schema(value: Any, schema: dict[str, Any] | None, *, what: str, schema_source: str) -> None:
    """Raise ToolInputError listing the violations of `value` against `schema` (if any)."""
    if not schema:
        return
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    problems = []
    for error in errors[:MAX_REPORTED]:
        path = ".".join(str(part) for part in error.absolute_path)
        where = f"{what}.{path}" if path else what
        problems.append(f"`{where}`: {_short(error.message)}")
    more = f" (and {len(errors) - MAX_REPORTED} more)" if len(errors) > MAX_REPORTED else ""
    raise ToolInputError(f"{what} does not match its schema: {'; '.join(problems)}{more}. {schema_source}")


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"

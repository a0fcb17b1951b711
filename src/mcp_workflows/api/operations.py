"""Upstream operations as data (operationId, method, path template, risk class), and the path-segment rule.

Each area module (`api/workflows.py`, `api/executions.py`, ...) declares its operations once, as
module constants next to the methods that call them; `upstream_operations()` collects them for
coverage checks, the tool catalog, the contract tests and the sandbox's route check. This is the
one list of upstream operations: nothing else repeats it.

An id is never a route: every value that fills a path parameter is checked here, where the URL is
built, so no caller can bypass it. ASGI servers (the upstream runs FastAPI) decode `%2F` before
routing, so percent-encoding alone does not keep `greeting/archive` inside its segment.
"""

from __future__ import annotations

import importlib
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Literal
from urllib.parse import quote

from mcp_workflows.api.errors import InvalidIdentifier

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
AREAS = ("workflows", "executions", "runs", "schedules", "deployments", "events", "observability")
MAX_SEGMENT_CHARS = 512
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")  # what quote() would leave as it is
_PARAMETER = re.compile(r"^\{(\w+)\}$")
_FORBIDDEN = {"/": "a '/'", "\\": "a '\\'", "%": "a '%'"}


class Risk(StrEnum):
    """What a call can do to the user's world: the upstream risk classes (workflows-api.md section 2).

    A tool (server/catalog.py) carries the highest class of the operations it calls.
    """

    READ = "read"
    WRITE = "write"  # a write another call undoes (W-rev)
    DESTRUCTIVE = "destructive"  # destroys or interrupts work, or needs an explicit undo (W-destr)
    EXECUTE = "execute"  # starts or drives work that costs compute and may act outside; no undo (X)


@dataclass(frozen=True)
class Operation:
    """One upstream endpoint and its risk class."""

    operation_id: str
    method: Method
    path: str
    risk: Risk

    def url_path(self, **path_params: str) -> str:
        """Fill the template with checked, percent-encoded values (InvalidIdentifier otherwise)."""
        for name, value in path_params.items():
            if problem := segment_problem(name, value):
                raise InvalidIdentifier(
                    detail=f"{name} {value[:80]!r} {problem}",
                    operation=self.operation_id,
                    parameter=name,
                    identifier=value[:200],
                )
        return self.path.format(**{name: _encoded(value) for name, value in path_params.items()})

    @property
    def idempotent(self) -> bool:
        """Methods that can be repeated safely by HTTP semantics."""
        return self.method in ("GET", "PUT", "DELETE")


def segment_problem(parameter: str, value: str) -> str | None:
    """Why `value` cannot fill the path parameter `parameter`, or None when it can.

    Refused: empty or over-long values, '/', '\\', '%', control characters, values made only of
    dots, and any literal segment a sibling route has at the same place (`archive` where a
    workflow identifier goes would reach the bulk-archive route).
    """
    if not value:
        return "is empty"
    if len(value) > MAX_SEGMENT_CHARS:
        return f"is longer than {MAX_SEGMENT_CHARS} characters"
    for char, what in _FORBIDDEN.items():
        if char in value:
            return f"contains {what}"
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return "contains a control character"
    if value.strip(".") == "":
        return "is made only of dots"
    if value in reserved_segments(parameter):
        return f"is the name of another route ({value!r}), not an id"
    return None


@cache
def reserved_segments(parameter: str) -> frozenset[str]:
    """Literal segments of sibling routes wherever `parameter` fills a path, from the operation table."""
    templates = [op.path.strip("/").split("/") for op in upstream_operations()]
    reserved: set[str] = set()
    for segments in templates:
        for index, segment in enumerate(segments):
            match = _PARAMETER.match(segment)
            if match is None or match.group(1) != parameter:
                continue
            prefix = segments[:index]
            for other in templates:
                if other[:index] == prefix and len(other) > index and not _PARAMETER.match(other[index]):
                    reserved.add(other[index])
    return frozenset(reserved)


def is_uuid(value: str) -> bool:
    """Many paths take a name or an id: tell them apart."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _encoded(value: str) -> str:
    """`value` percent-encoded as one path segment; ids and names usually need no encoding."""
    return value if _UNRESERVED.fullmatch(value) else quote(value, safe="")


@cache
def upstream_operations() -> tuple[Operation, ...]:
    """Every upstream operation, as the area modules declare them (one constant each)."""
    operations: list[Operation] = []
    for area in AREAS:
        module = importlib.import_module(f"mcp_workflows.api.{area}")
        operations.extend(value for value in vars(module).values() if isinstance(value, Operation))
    return tuple(operations)

"""Upstream operations as data: operationId, method and path template.

Each api/ method names the operation it calls, so the tool catalog can say which upstream
operations a tool covers and contract tests can check requests against the spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")  # what quote() would leave as it is


@dataclass(frozen=True)
class Operation:
    """One upstream endpoint."""

    operation_id: str
    method: Method
    path: str

    def url_path(self, **path_params: str) -> str:
        """Fill the template, percent-encoding every value so an id can never change the route."""
        return self.path.format(**{name: _segment(value) for name, value in path_params.items()})

    @property
    def idempotent(self) -> bool:
        """Methods that can be repeated safely by HTTP semantics."""
        return self.method in ("GET", "PUT", "DELETE")


def _segment(value: str) -> str:
    """`value` percent-encoded as one path segment; ids and names usually need no encoding.

    quote() leaves dots alone, and a segment that is only dots would be resolved away by URL
    normalisation (`executions/../cancel` is `cancel`), so those dots are encoded too.
    """
    if not value:
        raise ValueError("a path parameter cannot be empty")
    if value.strip(".") == "":
        return value.replace(".", "%2E")
    return value if _UNRESERVED.fullmatch(value) else quote(value, safe="")

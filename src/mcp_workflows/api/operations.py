"""Upstream operations as data: operationId, method and path template.

Each api/ method names the operation it calls, so the tool catalog can say which upstream
operations a tool covers and contract tests can check requests against the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass(frozen=True)
class Operation:
    """One upstream endpoint."""

    operation_id: str
    method: Method
    path: str

    def url_path(self, **path_params: str) -> str:
        """Fill the template, percent-encoding every value so an id can never change the route."""
        return self.path.format(**{name: quote(value, safe="") for name, value in path_params.items()})

    @property
    def idempotent(self) -> bool:
        """Methods that can be repeated safely by HTTP semantics."""
        return self.method in ("GET", "PUT", "DELETE")

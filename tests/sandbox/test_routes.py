"""The sandbox routes exactly the upstream operations of api/ (the one list), each to its own handler.

In-process: the routing table is read, nothing is served. Whether each route answers per the live contract is
tests/contract/test_sdk_oracle.py's job.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Match, Route

from mcp_workflows.api.operations import Operation, upstream_operations
from mcp_workflows.sandbox.app import create_app

ROUTES = [route for route in create_app().router.routes if isinstance(route, Route)]
PREFIX = "/v1/workflows"


def _template(path: str) -> str:
    """The path with its parameter names left out: the sandbox may name them differently."""
    return re.sub(r"\{[^/]+\}", "{}", path)


def _first_match(method: str, path: str) -> Route | None:
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    return next((route for route in ROUTES if route.matches(scope)[0] is Match.FULL), None)


@pytest.mark.parametrize("op", upstream_operations(), ids=lambda op: op.operation_id)
def test_each_operation_reaches_its_own_route(op: Operation) -> None:
    """A concrete request of the operation is routed (in the app's order) to the route of its path template."""
    concrete = re.sub(r"\{[^/]+\}", "some-id", op.path)
    route = _first_match(op.method, concrete)
    assert route is not None, f"the sandbox has no route for {op.method} {op.path}"
    assert _template(route.path) == _template(op.path), f"{op.method} {concrete} reaches {route.path}"


def test_the_sandbox_serves_no_other_workflows_route() -> None:
    served = {
        (method, _template(route.path))
        for route in ROUTES
        if route.path.startswith(PREFIX)
        for method in route.methods or ()
        if method != "HEAD"
    }
    declared = {(op.method, _template(op.path)) for op in upstream_operations()}
    assert served == declared, {"not in api/": sorted(served - declared), "no route": sorted(declared - served)}

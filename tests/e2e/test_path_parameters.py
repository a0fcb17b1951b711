"""An id or name can never become a route, whatever the operator's settings (issue 9).

Which arguments reach a URL path is read from the declarations (`PathSegment` on an argument's
type) and checked against the operation table; the hostile values come from the same rule the
api/ layer applies (`segment_problem`), including every literal segment a sibling route has where
the id goes. Every such argument of every tool gets every hostile value, in one in-process session
per setting: the call must fail naming the field and the tool that lists valid values, and nothing
may reach the sandbox (which, like the upstream, decodes `%2F` before routing). The api/ layer must
refuse the same values when the tool boundary is bypassed.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Union

import httpx2
import pytest

from mcp_workflows.api.errors import InvalidIdentifier
from mcp_workflows.api.http import ApiHttp
from mcp_workflows.api.operations import Operation, reserved_segments, upstream_operations
from mcp_workflows.server.catalog import declared_tools
from mcp_workflows.server.results import PARAMETER_SOURCE
from mcp_workflows.server.tools.shared import PathSegment
from tests.e2e.inprocess import API_KEY, connect_in_process
from tests.e2e.session import Mode, Session, text_of

pytestmark = pytest.mark.anyio

OPERATIONS = {op.operation_id: op for op in upstream_operations()}
# Path parameters the server fills from an upstream answer, never from an argument as given:
# get_workflow_metrics resolves `workflow` to its name first, manage_deployment reads the
# deployment's id from get_deployment.
FILLED_BY_THE_SERVER = frozenset({"workflow_name", "deployment_id"})
# Values that leave their segment whatever the parameter (each is refused by a different rule).
ESCAPES = ["greeting/archive", "a\\b", "greeting%2Farchive", "100%", "a\nb", "\x7f", ".", ".."]


@dataclass(frozen=True)
class PathArgument:
    tool: str
    argument: str
    parameter: str  # the upstream path parameter it fills
    is_list: bool


def _path_parameter(hint: Any) -> tuple[str, bool] | None:
    """The path parameter a type annotation guards, and whether it is a list of them."""
    if typing.get_origin(hint) is Annotated:
        for meta in hint.__metadata__:
            if isinstance(meta, PathSegment):
                return meta.parameter, False
        return _path_parameter(typing.get_args(hint)[0])
    if typing.get_origin(hint) is list:
        found = _path_parameter(typing.get_args(hint)[0])
        return (found[0], True) if found else None
    if typing.get_origin(hint) in (Union, types.UnionType):
        return next((found for arg in typing.get_args(hint) if (found := _path_parameter(arg))), None)
    return None


def path_arguments() -> list[PathArgument]:
    found = []
    for declared in declared_tools():
        for name, hint in typing.get_type_hints(declared.fn, include_extras=True).items():
            if name != "return" and (guarded := _path_parameter(hint)):
                found.append(PathArgument(declared.spec.name, name, *guarded))
    return found


PATH_ARGUMENTS = path_arguments()
TOOLS = {declared.spec.name: declared.spec for declared in declared_tools()}


def hostile(parameter: str, *, every: bool = True) -> list[str]:
    """Every escape and sibling segment; else one of each kind (a separator, dots, a sibling)."""
    siblings = sorted(reserved_segments(parameter))
    return [*ESCAPES, *siblings] if every else ["greeting/archive", "..", *siblings[:1]]


def test_every_path_parameter_a_tool_fills_from_its_arguments_is_guarded() -> None:
    """A new tool that passes an argument into a path without `PathSegment` fails here."""
    assert len(PATH_ARGUMENTS) >= 30, "the declarations were read"
    guarded: dict[str, set[str]] = {}
    for found in PATH_ARGUMENTS:
        guarded.setdefault(found.tool, set()).add(found.parameter)
        assert found.parameter in PARAMETER_SOURCE, f"{found.tool}.{found.argument}: no listing tool to name"
    for name, spec in TOOLS.items():
        needed = {param for op in spec.operations for param in _parameters(OPERATIONS[op])}
        unguarded = needed - guarded.get(name, set()) - FILLED_BY_THE_SERVER
        assert not unguarded, f"{name} fills {unguarded} from an argument no PathSegment checks"


def _parameters(operation: Operation) -> list[str]:
    return [part[1:-1] for part in operation.path.split("/") if part.startswith("{")]


def _filler(schema: dict[str, Any]) -> Any:
    """A plain valid value for a required argument other than the one under test."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [_filler(schema.get("items", {}))]
    if kind == "object":
        return {}
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return "00000000-0000-4000-8000-000000000000" if schema.get("format") == "uuid" else "x"


async def _schemas(session: Session) -> dict[str, dict[str, Any]]:
    return {tool.name: tool.input_schema for tool in (await session.client.list_tools()).tools}


async def _state(session: Session) -> Any:
    """What a stray request could have changed (read outside the counted calls)."""
    workflows = await session.sandbox("GET", "/v1/workflows", params={"limit": 100, "archived": "true"})
    runs = await session.sandbox("GET", "/v1/workflows/runs", params={"page_size": 100})
    schedules = await session.sandbox("GET", "/v1/workflows/schedules", params={"page_size": 100})
    return workflows, len(runs["executions"]), schedules


# The whole matrix with the default settings; one value of each kind under the other settings,
# whose point is that the refusal comes before their own rules.
SETTINGS: list[tuple[str, Mode, dict[str, Any]]] = [
    ("default", "auto", {}),
    ("deny", "auto", {"deny_workflows": "approval,count*"}),
    ("exclude", "legacy", {"exclude_tools": "archive_workflow,get_execution"}),
    ("read_only", "auto", {"read_only": True}),
]


@pytest.mark.parametrize(("label", "era", "rules"), SETTINGS, ids=[s[0] for s in SETTINGS])
async def test_hostile_ids_are_refused_before_anything_is_sent(
    sandbox_url: str, label: str, era: Mode, rules: dict[str, Any]
) -> None:
    async with connect_in_process(sandbox_url, era, {"toolsets": "all", **rules}) as session:
        schemas = await _schemas(session)
        state_before = await _state(session)
        stats_before = await session.sandbox("GET", "/_sandbox/stats")
        calls = 0
        for found in PATH_ARGUMENTS:
            active = found.tool in schemas
            schema = schemas.get(found.tool, {"properties": {}, "required": []})
            base = {
                name: _filler(schema["properties"][name])
                for name in schema.get("required", [])
                if name != found.argument
            }
            for value in hostile(found.parameter, every=label == "default"):
                arguments = {**base, found.argument: [value] if found.is_list else value}
                result = await session.call(found.tool, arguments)
                calls += 1
                where = f"{label}: {found.tool}({found.argument}={value!r})"
                assert result.is_error, where
                text = text_of(result)
                assert "Traceback" not in text, where
                if not active:
                    assert "is not active here" in text, f"{where}: {text}"
                    continue
                location = f"`{found.argument}.0`" if found.is_list else f"`{found.argument}`"
                assert location in text, f"{where}: {text}"
                assert "an id or name cannot be used that way" in text, f"{where}: {text}"
                assert PARAMETER_SOURCE[found.parameter] in text, f"{where}: {text}"
        assert calls > (300 if label == "default" else 60)
        stats_after = await session.sandbox("GET", "/_sandbox/stats")
        assert stats_after == stats_before, f"{label}: requests reached the sandbox"
        assert await _state(session) == state_before, f"{label}: something changed upstream"
        if label in ("exclude", "read_only"):
            assert {"archive_workflow"} - set(schemas), "the setting left the tool out"


async def test_the_api_layer_refuses_the_same_values_when_the_tool_boundary_is_bypassed(sandbox_url: str) -> None:
    """Every operation with a path parameter, called directly through the one HTTP client."""
    http = ApiHttp(base_url=sandbox_url, api_key=API_KEY)
    async with httpx2.AsyncClient(base_url=sandbox_url) as sandbox:
        before = (await sandbox.get("/_sandbox/stats")).json()
        refused = 0
        try:
            for operation in OPERATIONS.values():
                parameters = _parameters(operation)
                for parameter in parameters:
                    others = {name: "ok-id" for name in parameters if name != parameter}
                    for value in hostile(parameter):
                        with pytest.raises(InvalidIdentifier) as caught:
                            await http.call(operation, path_params={**others, parameter: value}, json={})
                        assert caught.value.parameter == parameter
                        assert caught.value.operation == operation.operation_id
                        refused += 1
        finally:
            await http.aclose()
        assert refused > 300
        assert (await sandbox.get("/_sandbox/stats")).json() == before, "nothing was sent"


async def test_an_explicit_null_for_an_optional_id_is_no_filter(session: Session) -> None:
    """The boundary check passes None through: `workflow: null` lists every execution."""
    result = await session.call("list_executions", {"workflow": None})
    assert not result.is_error, text_of(result)

"""The api/ layer covers every upstream operation once, and an id can never become a route."""

from __future__ import annotations

import httpx2
import pytest

from mcp_workflows.api.errors import InvalidIdentifier
from mcp_workflows.api.operations import Operation, reserved_segments, segment_problem, upstream_operations

from .conftest import SPEC_OPERATIONS

OPERATIONS = upstream_operations()
BY_ID = {op.operation_id: op for op in OPERATIONS}
GET_EXECUTION = BY_ID["get_workflow_execution_v1_workflows_executions__execution_id__get"]
GET_WORKFLOW = BY_ID["get_workflow_v1_workflows__workflow_identifier__get"]


def test_the_contract_has_56_operations() -> None:
    assert len(SPEC_OPERATIONS) == 56


def test_each_operation_is_declared_once() -> None:
    ids = [op.operation_id for op in OPERATIONS]
    assert len(ids) == len(set(ids)), "an operationId is declared twice"
    assert len({(op.method, op.path) for op in OPERATIONS}) == len(OPERATIONS), "two operations share a route"


def test_every_spec_operation_is_covered_and_nothing_else() -> None:
    ours = set(BY_ID)
    assert ours == set(SPEC_OPERATIONS), f"missing {set(SPEC_OPERATIONS) - ours}, unknown {ours - set(SPEC_OPERATIONS)}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_operation_matches_the_spec(operation: Operation) -> None:
    spec = SPEC_OPERATIONS[operation.operation_id]
    assert operation.method == spec["method"]
    assert operation.path == spec["path"]


def test_path_parameters_are_percent_encoded() -> None:
    assert GET_EXECUTION.url_path(execution_id="a b?c") == "/v1/workflows/executions/a%20b%3Fc"
    assert GET_EXECUTION.url_path(execution_id="run-1.2_x~y") == "/v1/workflows/executions/run-1.2_x~y"
    assert GET_EXECUTION.url_path(execution_id="é") == "/v1/workflows/executions/%C3%A9"


def test_sibling_routes_are_derived_from_the_operation_table() -> None:
    """Every literal segment that sits where an id goes, and nothing else."""
    assert reserved_segments("workflow_identifier") == {
        "archive",
        "unarchive",
        "registrations",
        "executions",
        "runs",
        "events",
        "schedules",
        "deployments",
    }
    assert reserved_segments("workflow_name") == reserved_segments("workflow_identifier")
    assert reserved_segments("execution_id") == {"cancel", "terminate"}
    assert reserved_segments("schedule_id") == frozenset()
    assert reserved_segments("run_id") == frozenset()


@pytest.mark.parametrize(
    ("parameter", "value", "why"),
    [
        ("workflow_identifier", "greeting/archive", "'/'"),
        ("workflow_identifier", "greeting%2Farchive", "'%'"),
        ("workflow_identifier", "a\\b", "'\\'"),
        ("workflow_identifier", "archive", "another route"),
        ("workflow_identifier", "executions", "another route"),
        ("execution_id", "cancel", "another route"),
        ("execution_id", ".", "only of dots"),
        ("execution_id", "..", "only of dots"),
        ("execution_id", "a\nb", "control character"),
        ("execution_id", "a\x7fb", "control character"),
        ("execution_id", "", "empty"),
        ("execution_id", "x" * 513, "longer"),
    ],
)
def test_a_value_that_would_leave_its_segment_is_refused(parameter: str, value: str, why: str) -> None:
    problem = segment_problem(parameter, value)
    assert problem is not None
    assert why in problem
    operation = GET_WORKFLOW if parameter == "workflow_identifier" else GET_EXECUTION
    with pytest.raises(InvalidIdentifier) as caught:
        operation.url_path(**{parameter: value})
    assert caught.value.parameter == parameter
    assert caught.value.operation == operation.operation_id


@pytest.mark.parametrize("value", ["greeting", "my.workflow", "a b", "runs-2", "Archive", "mcp-0123abc"])
def test_ordinary_names_and_ids_pass(value: str) -> None:
    assert segment_problem("workflow_identifier", value) is None


@pytest.mark.parametrize(("dots", "reached"), [(".", b"/v1/workflows/executions"), ("..", b"/v1/workflows")])
def test_what_the_dot_rule_prevents(dots: str, reached: bytes) -> None:
    """URL normalisation would resolve `executions/..` to the parent route (list_workflows)."""
    unencoded = httpx2.Client(base_url="http://api.example").build_request("GET", f"/v1/workflows/executions/{dots}")
    assert unencoded.url.raw_path == reached

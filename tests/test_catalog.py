"""The catalog against the upstream operations: every operation reachable, risk classes and hints true.

Each upstream operation declares its risk class once, on its `Operation` in api/ (transcribed from the API
digest's operation catalogue, workflows-api.md section 2: R, W-rev, W-destr, X). A tool carries the highest
risk of the operations it covers, and its annotations must follow from that class. The declared classes are
checked against what each operation's method and verb imply, so a wrong class on a new operation fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_workflows.api.operations import Operation, Risk, upstream_operations
from mcp_workflows.server.catalog import Declaration, declared_tools

DECLARED = declared_tools()
OPERATIONS = {op.operation_id: op for op in upstream_operations()}

CONTRACT = json.loads((Path(__file__).parent / "contract" / "upstream_contract.json").read_text())

R, W, D, X = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE, Risk.EXECUTE
SEVERITY = [R, W, X, D]
# Verbs (an operationId's first word, batch_/bulk_ left out) of operations that destroy or interrupt work.
DESTRUCTIVE_VERBS = {"archive", "cancel", "terminate", "reset", "stop", "restart", "unharden", "delete", "unschedule"}
READ_BY_POST_VERBS = {"query"}  # reads whose request carries a body


def risk_problems(op: Operation) -> list[str]:
    """Where the declared risk class contradicts what the method and the verb say."""
    verb = op.operation_id.removeprefix("batch_").removeprefix("bulk_").split("_")[0]
    problems = []
    if (op.method == "GET" or verb in READ_BY_POST_VERBS) != (op.risk is R):
        problems.append(f"{op.method} {verb}: read exactly when a GET or a query, not {op.risk}")
    if (op.method == "DELETE" or verb in DESTRUCTIVE_VERBS) != (op.risk is D):
        problems.append(f"{op.method} {verb}: destructive exactly when a DELETE or a {sorted(DESTRUCTIVE_VERBS)}")
    if op.risk is X and op.method != "POST":
        problems.append(f"{op.method} {verb}: starting work is a POST")
    return problems


@pytest.mark.parametrize("op", upstream_operations(), ids=lambda op: op.operation_id)
def test_each_operation_declares_the_risk_its_method_and_verb_imply(op: Operation) -> None:
    assert risk_problems(op) == []


@pytest.mark.parametrize(
    ("op", "wrong"),
    [
        (Operation("get_thing", "GET", "/t", W), "read exactly when"),
        (Operation("query_thing", "POST", "/t/queries", X), "read exactly when"),
        (Operation("cancel_thing", "POST", "/t/cancel", W), "destructive exactly when"),
        (Operation("batch_terminate_things", "POST", "/terminate", X), "destructive exactly when"),
        (Operation("delete_thing", "DELETE", "/t", W), "destructive exactly when"),
        (Operation("pause_thing", "POST", "/t/pause", D), "destructive exactly when"),
        (Operation("update_thing", "PATCH", "/t", X), "starting work is a POST"),
    ],
)
def test_a_wrong_risk_class_is_named(op: Operation, wrong: str) -> None:
    assert any(wrong in problem for problem in risk_problems(op)), risk_problems(op)


# Tools built on operations another tool also exposes (they use reserved handlers of those operations).
SHARED_OPERATIONS = {"submit_input"}


def test_tools_cover_exactly_the_operations_once() -> None:
    covered = [op_id for d in DECLARED if d.spec.name not in SHARED_OPERATIONS for op_id in d.spec.operations]
    assert len(covered) == len(set(covered)), "an operation is reachable from two tools"
    assert set(covered) == set(OPERATIONS), {"no tool": sorted(set(OPERATIONS) - set(covered))}
    assert set(OPERATIONS) == {op["operationId"] for op in CONTRACT["operations"]}
    shared = {op_id for d in DECLARED if d.spec.name in SHARED_OPERATIONS for op_id in d.spec.operations}
    assert shared <= set(OPERATIONS)


@pytest.mark.parametrize("declared", DECLARED, ids=[d.spec.name for d in DECLARED])
def test_risk_class_and_annotations_follow_the_operations(declared: Declaration) -> None:
    spec = declared.spec
    risks = [OPERATIONS[op_id].risk for op_id in spec.operations] or [R]
    assert spec.risk == max(risks, key=SEVERITY.index), "a tool carries the highest risk of its operations"
    hints = spec.annotations
    assert hints.read_only_hint is (spec.risk is R)
    assert hints.destructive_hint is (spec.risk is D)
    assert hints.open_world_hint is (spec.risk is X)
    assert hints.title == spec.title
    if spec.risk is X:
        assert hints.idempotent_hint is False, "starting work twice is not idempotent"
    if spec.risk is R:
        assert hints.idempotent_hint is True


def test_every_listing_of_workflow_rows_is_trimmed_by_the_scope_rules() -> None:
    """A list tool whose rows name their workflow must declare it, or allow/deny would not hide them."""
    import typing

    from pydantic import BaseModel

    for declared in DECLARED:
        spec = declared.spec
        result = typing.get_type_hints(declared.fn)["return"]
        row_fields = {
            field: typing.get_args(info.annotation)[0]
            for field, info in result.model_fields.items()
            if typing.get_origin(info.annotation) is list
            and isinstance(typing.get_args(info.annotation)[0], type)
            and issubclass(typing.get_args(info.annotation)[0], BaseModel)
        }
        named = {
            (field, name)
            for field, row in row_fields.items()
            for name in ("name", "workflow_name")
            if name in row.model_fields and (name == "workflow_name" or field == "workflows")
        }
        if spec.listing is None:
            assert not named, f"{spec.name} lists rows named by workflow ({named}) but declares no listing"
        else:
            listing = (spec.listing.rows, spec.listing.workflow_field)
            assert listing in named, f"{spec.name}: listing {spec.listing} is not a field of its rows"


def test_guarded_tools_are_exactly_the_destructive_and_execute_ones() -> None:
    """Every tool that destroys or starts work declares a confirmation, and no read or write tool does."""
    for declared in DECLARED:
        needs = declared.spec.risk in (Risk.DESTRUCTIVE, Risk.EXECUTE)
        assert (declared.confirm is not None) is needs, declared.spec.name


def test_enable_toolsets_offers_every_optional_toolset() -> None:
    import typing

    from mcp_workflows.server.guard.selection import OPTIONAL_TOOLSETS
    from mcp_workflows.server.tools.core import Toolset

    assert set(typing.get_args(Toolset)) == set(OPTIONAL_TOOLSETS)

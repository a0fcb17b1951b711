"""The catalog against the upstream contract: every operation reachable, risk classes and hints true.

The risk of each upstream operation is transcribed from the API digest's operation catalogue
(workflows-api.md section 2: R, W-rev, W-destr, X); a tool carries the highest risk of the
operations it covers, and its annotations must follow from that class.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcp_workflows.api.operations import upstream_operations
from mcp_workflows.server.catalog import Declaration, Risk, declared_tools

DECLARED = declared_tools()
OPERATIONS = {op.operation_id: op for op in upstream_operations()}

CONTRACT = json.loads((Path(__file__).parent / "contract" / "upstream_contract.json").read_text())

R, W, D, X = Risk.READ, Risk.WRITE, Risk.DESTRUCTIVE, Risk.EXECUTE
# (method, path suffix after /v1/workflows) -> class, as the digest's tables give them.
UPSTREAM_RISK: dict[tuple[str, str], Risk] = {
    ("GET", ""): R, ("GET", "/{workflow_identifier}"): R, ("PUT", "/{workflow_identifier}"): W,
    ("PUT", "/{workflow_identifier}/archive"): D, ("PUT", "/{workflow_identifier}/unarchive"): W,
    ("PUT", "/archive"): D, ("PUT", "/unarchive"): W, ("GET", "/registrations"): R,
    ("GET", "/registrations/{workflow_registration_id}"): R, ("POST", "/{workflow_identifier}/execute"): X,
    ("POST", "/registrations/{workflow_registration_id}/execute"): X,
    ("GET", "/executions/{execution_id}"): R, ("GET", "/executions/{execution_id}/history"): R,
    ("GET", "/executions/{execution_id}/trace/info"): R, ("GET", "/executions/{execution_id}/trace/otel"): R,
    ("GET", "/executions/{execution_id}/trace/summary"): R, ("GET", "/executions/{execution_id}/trace/events"): R,
    ("GET", "/executions/{execution_id}/logs"): R, ("GET", "/executions/{execution_id}/stream"): R,
    ("GET", "/executions/{execution_id}/logs/stream"): R,
    ("POST", "/executions/{execution_id}/signals"): X, ("POST", "/executions/{execution_id}/queries"): R,
    ("POST", "/executions/{execution_id}/updates"): X, ("POST", "/executions/{execution_id}/cancel"): D,
    ("POST", "/executions/cancel"): D, ("POST", "/executions/{execution_id}/terminate"): D,
    ("POST", "/executions/terminate"): D, ("POST", "/executions/{execution_id}/reset"): D,
    ("GET", "/runs"): R, ("GET", "/runs/{run_id}"): R, ("GET", "/runs/{run_id}/history"): R,
    ("GET", "/events/stream"): R, ("GET", "/events/list"): R, ("GET", "/{workflow_name}/metrics"): R,
    ("GET", "/schedules"): R, ("POST", "/schedules"): X, ("GET", "/schedules/{schedule_id}"): R,
    ("PATCH", "/schedules/{schedule_id}"): W, ("DELETE", "/schedules/{schedule_id}"): D,
    ("POST", "/schedules/{schedule_id}/pause"): W, ("POST", "/schedules/{schedule_id}/resume"): W,
    ("POST", "/schedules/{schedule_id}/trigger"): X,
    ("GET", "/deployments"): R, ("GET", "/deployments/{name}"): R, ("GET", "/deployments/{name}/workers"): R,
    ("GET", "/deployments/{name}/logs"): R, ("GET", "/deployments/{name}/logs/stream"): R,
    ("POST", "/deployments"): X, ("PATCH", "/deployments/{name}"): W, ("POST", "/deployments/{name}/restart"): D,
    ("POST", "/deployments/{name}/stop"): D, ("POST", "/deployments/{name}/start"): X,
    ("DELETE", "/deployments/{name}"): D,
    # in the live API (the official SDK), not in the published spec (docs/live-contract.md): adding tags is
    # undone by update_workflow; the archive is a read; unhardening lowers a protection no call restores.
    ("POST", "/{workflow_identifier}/tags"): W, ("GET", "/deployments/{name}/archive"): R,
    ("POST", "/deployments/{deployment_id}/unharden"): D,
}  # fmt: skip
SEVERITY = [R, W, X, D]


def test_the_risk_table_covers_the_spec() -> None:
    spec = {(op["method"], op["path"].removeprefix("/v1/workflows")) for op in CONTRACT["operations"]}
    assert spec == set(UPSTREAM_RISK)


# Tools built on operations another tool also exposes (they use reserved handlers of those operations).
SHARED_OPERATIONS = {"submit_input"}


def test_tools_cover_exactly_the_operations_once() -> None:
    covered = [op_id for d in DECLARED if d.spec.name not in SHARED_OPERATIONS for op_id in d.spec.operations]
    assert len(covered) == len(set(covered)), "an operation is reachable from two tools"
    assert set(covered) == set(OPERATIONS) == {op["operationId"] for op in CONTRACT["operations"]}
    shared = {op_id for d in DECLARED if d.spec.name in SHARED_OPERATIONS for op_id in d.spec.operations}
    assert shared <= set(OPERATIONS)


@pytest.mark.parametrize("declared", DECLARED, ids=[d.spec.name for d in DECLARED])
def test_risk_class_and_annotations_follow_the_upstream_table(declared: Declaration) -> None:
    spec = declared.spec
    operations = [OPERATIONS[op_id] for op_id in spec.operations]
    risks = [UPSTREAM_RISK[(op.method, op.path.removeprefix("/v1/workflows"))] for op in operations] or [R]
    assert spec.risk == max(risks, key=SEVERITY.index)
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

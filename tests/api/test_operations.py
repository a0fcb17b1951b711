"""The api/ layer covers every upstream operation, with the spec's method and path."""

from __future__ import annotations

import json
from pathlib import Path

from mcp_workflows.api.registry import all_operations

CONTRACT = json.loads((Path(__file__).parents[1] / "contract" / "upstream_contract.json").read_text())


def test_every_spec_operation_has_exactly_one_client_operation() -> None:
    ours = {op.operation_id: op for op in all_operations()}
    assert len(ours) == len(all_operations()), "an operationId is defined twice"
    spec = {op["operationId"]: op for op in CONTRACT["operations"]}
    assert len(spec) == 53
    assert set(ours) == set(spec), f"missing {set(spec) - set(ours)}, unknown {set(ours) - set(spec)}"
    for operation_id, op in ours.items():
        assert (op.method, op.path) == (spec[operation_id]["method"], spec[operation_id]["path"]), operation_id

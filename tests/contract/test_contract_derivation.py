"""The committed contract is what scripts/derive_contract.py derives from the pinned official SDK."""

from __future__ import annotations

import functools
from typing import Any

from scripts.derive_contract import derive, render

from .live_contract import CONTRACT_PATH


@functools.cache
def derived() -> dict[str, Any]:
    return derive()


def test_committed_contract_is_derived_from_the_installed_sdk() -> None:
    assert CONTRACT_PATH.read_text(encoding="utf-8") == render(derived()), (
        "tests/contract/upstream_contract.json is stale: run python scripts/derive_contract.py"
    )


def test_the_contract_is_the_56_workflows_operations() -> None:
    operations = derived()["operations"]
    assert len(operations) == 56
    assert all(op["path"].startswith("/v1/workflows") for op in operations)


def test_optional_nullable_and_open_enums_become_strict_schemas() -> None:
    schemas = derived()["components"]["schemas"]
    event = schemas["WorkflowExecutionStartedResponse"]
    assert "chain_run_id" in event["properties"]
    assert "chain_run_id" not in event["required"], "OptionalNullable: may be absent"
    assert event["properties"]["parent_workflow_exec_id"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert "parent_workflow_exec_id" in event["required"], "Nullable: present, may be null"
    location = schemas["DeploymentLocation"]["properties"]["location_type"]
    assert location == {"enum": ["local", "k8s", "managed"]}, "an open enum keeps its known values only"

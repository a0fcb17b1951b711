"""The official `mistralai` client, driven over real HTTP against the sandbox, gets answers that keep the live
contract and parse with its models, for every upstream operation.

This is the test that proves each operation of api/ is answered per the contract; a missing or failing one is
named in its report. Runs under mistralai 3.x in the dev venv and under 2.10.1 in `.venv-sdk2` (`.ci/run`); `-s`
prints the per-operation report, `python scripts/sdk_oracle_report.py` the pass rate of both versions.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mcp_workflows.api.operations import upstream_operations

from .live_contract import Contract, load_contract
from .sdk_oracle import SDK_VERSION, Exchange, Oracle, Report, run_oracle, sdk_operations, unknown_fields

pytestmark = pytest.mark.anyio


async def test_every_sdk_operation_is_driven_and_parses() -> None:
    report = await run_oracle()
    print("\n" + report.summary())
    assert not report.scenario_errors, report.summary()
    assert not report.unexpected, report.summary()
    assert not report.not_driven, report.summary()
    assert not report.failures, report.summary()
    assert report.passed == sorted(report.expected)


def test_operations_come_from_the_sdk() -> None:
    operations = sdk_operations()
    assert all(method.startswith("workflows.") for method in operations.values())
    assert "list_runs_v1_workflows_runs_get" in operations
    expected = 56 if SDK_VERSION.startswith("3.") else 53
    assert len(operations) == expected, sorted(operations)


def test_the_oracle_drives_every_operation_of_api() -> None:
    """Under the SDK the contract is derived from, what the oracle must drive is api/'s list, no less; an older
    SDK lacks some operations but has none api/ does not declare."""
    declared = {op.operation_id for op in upstream_operations()}
    driven = set(sdk_operations())
    assert driven <= declared, sorted(driven - declared)
    if f"mistralai {SDK_VERSION}" == load_contract()["info"]["sdk"]:
        assert driven == declared, {"not driven": sorted(declared - driven)}


TAGS = "add_workflow_tags_v1_workflows__workflow_identifier__tags_post"
TAGS_ANSWER = {"method": "POST", "path": "/v1/workflows/greeting/tags", "status": 204, "content_type": "", "body": b""}


def test_answers_that_break_the_contract_are_named() -> None:
    contract = Contract(load_contract())
    assert contract.problems(TAGS, **TAGS_ANSWER) == []
    assert contract.problems(TAGS, **{**TAGS_ANSWER, "status": 200}) == ["status 200, the contract says 204"]
    assert contract.problems(TAGS, **{**TAGS_ANSWER, "body": b"{}"}) == ["a body where the contract has none: b'{}'"]
    assert contract.problems(TAGS, **{**TAGS_ANSWER, "method": "PUT"}) == [
        "PUT /v1/workflows/greeting/tags is not POST /v1/workflows/{workflow_identifier}/tags"
    ]
    get = "get_workflow_v1_workflows__workflow_identifier__get"
    wrong = contract.problems(
        get, method="GET", path="/v1/workflows/g", status=200, content_type="application/json", body=b'{"workflow": 1}'
    )
    assert wrong == ["['workflow']: 1 is not of type 'object'"]
    stream = "stream_v1_workflows_executions__execution_id__stream_get"
    frames = b'id: 1\ndata: {"broker_sequence": "one"}\n\n'
    silent = contract.problems(
        stream, method="GET", path="/v1/workflows/executions/e/stream", status=200, content_type="", body=frames
    )
    assert silent[0] == "content-type '' for a stream"
    assert silent[1].startswith("frame 0: ")
    assert contract.problems("no_such_operation", **TAGS_ANSWER) == [
        "no_such_operation is not an operation of the live contract"
    ]


def test_the_oracle_records_a_broken_contract_against_the_operation() -> None:
    report = Report("x", {TAGS: "workflows.add_workflow_tags"})
    oracle = Oracle(SimpleNamespace(workflows=None), [], report)
    oracle._check_contract(TAGS, [Exchange(TAGS, "POST", "/v1/workflows/greeting/tags", 200, "")])
    assert report.failures == {TAGS: ["contract: status 200, the contract says 204"]}
    assert "FAIL  workflows.add_workflow_tags: contract: status 200" in report.summary()


def test_report_names_failed_and_missing_operations() -> None:
    report = Report("x", {"op_a": "workflows.a", "op_b": "workflows.b", "op_c": "workflows.c"})
    report.calls = {"op_a": 1, "op_b": 2}
    report.failures = {"op_b": ["unknown field $.x"]}
    text = report.summary()
    assert report.passed == ["op_a"]
    assert report.not_driven == ["op_c"]
    assert "FAIL  workflows.b: unknown field $.x" in text
    assert "MISS  workflows.c" in text


def test_unknown_fields_are_found_at_any_depth() -> None:
    from mistralai.client import models

    raw = {
        "workflow_registrations": [
            {"id": "r", "workflow_id": "w", "definition": {"input_schema": {}}, "active": True},
        ],
        "workflow_versions": [],
        "next_cursor": None,
        "surprise": 1,
    }
    parsed = models.WorkflowRegistrationListResponse.model_validate(raw)
    found = unknown_fields(parsed, raw)
    assert found == [
        "$.workflow_registrations[0].active (not in WorkflowRegistration)",
        "$.surprise (not in WorkflowRegistrationListResponse)",
    ]


def test_sse_frames_are_read_from_the_recorded_body() -> None:
    exchange = Exchange("op", "GET", "/x", 200, "text/event-stream")
    exchange.body.extend(b': keep-alive\n\nevent: log\nid: 3\ndata: {"a": 1}\n\nevent: log\ndata: {"b"')
    assert exchange.sse_frames() == [{"event": "log", "id": "3", "data": {"a": 1}}]

"""The official `mistralai` client, driven over real HTTP against the sandbox, parses every answer it gets.

Runs under mistralai 3.x in the dev venv and under 2.10.1 in `.venv-sdk2` (`.ci/run`); `-s` prints the
per-operation report, `python scripts/sdk_oracle_report.py` the pass rate of both versions.
"""

from __future__ import annotations

import pytest

from .sdk_oracle import SDK_VERSION, Exchange, Report, run_oracle, sdk_operations, unknown_fields

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

"""Runs, histories, traces, logs, metrics and events end to end against the sandbox.

One protocol era (2026-07-28) on an in-process server with every toolset on; each result is
checked against an independent read of the sandbox's HTTP API.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.inprocess import connect_in_process
from tests.e2e.polling import eventually
from tests.e2e.session import Session, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def auto_session(sandbox_url: str) -> AsyncIterator[Session]:
    async with connect_in_process(sandbox_url, "auto", {"toolsets": "all"}) as opened:
        yield opened


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    return dict(result.structured_content)


async def run(session: Session, workflow: str, workflow_input: dict[str, Any], execution_id: str) -> None:
    await session.sandbox(
        "POST", f"/v1/workflows/{workflow}/execute", json={"input": workflow_input, "execution_id": execution_id}
    )


async def settled(session: Session, *execution_ids: str) -> None:
    """Wait for the executions by reading the sandbox, not through the tools under test."""
    for execution_id in execution_ids:

        async def record(execution_id: str = execution_id) -> dict[str, Any]:
            return dict(await session.sandbox("GET", f"/v1/workflows/executions/{execution_id}"))

        await eventually(record, lambda r: r["status"] != "RUNNING", what=f"{execution_id} finished")


async def refused_without_request(session: Session, tool: str, arguments: dict[str, Any], *words: str) -> str:
    """The call fails with an `Error:` naming `words`, and the sandbox saw no request.

    Only the request counters are compared: a stream an earlier follow closed may still be
    counted open until the sandbox notices the disconnect.
    """
    before = (await session.sandbox("GET", "/_sandbox/stats"))["requests"]
    result = await session.call(tool, arguments)
    assert result.is_error
    text = text_of(result)
    assert text.startswith("Error:")
    for word in words:
        assert word in text, text
    assert (await session.sandbox("GET", "/_sandbox/stats"))["requests"] == before
    return text


async def test_list_runs_filters_paginates_and_get_run(auto_session: Session) -> None:
    session = auto_session
    await run(session, "greeting", {"name": "A"}, "r-ok-1")
    await run(session, "greeting", {"name": "B"}, "r-ok-2")
    await run(session, "always-fails", {}, "r-bad-1")
    await settled(session, "r-ok-1", "r-ok-2", "r-bad-1")

    failed = ok(await session.call("list_executions", {"status": ["FAILED"]}))
    assert [r["execution_id"] for r in failed["executions"]] == ["r-bad-1"]
    assert failed["executions"][0]["workflow_name"] == "always-fails"
    assert "next_cursor" not in failed

    first = ok(await session.call("list_executions", {"workflow": "greeting", "limit": 1}))
    assert len(first["executions"]) == 1
    second = ok(
        await session.call("list_executions", {"workflow": "greeting", "limit": 1, "cursor": first["next_cursor"]})
    )
    upstream = await session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": "greeting"})
    listed = [first["executions"][0]["execution_id"], second["executions"][0]["execution_id"]]
    assert listed == [e["execution_id"] for e in upstream["executions"]], "newest first, like the API"
    assert set(listed) == {"r-ok-1", "r-ok-2"}
    row = first["executions"][0]
    assert set(row) <= {"execution_id", "workflow_name", "status", "run_id", "start_time", "end_time", "duration_ms"}
    assert row["status"] == "COMPLETED"

    deployment = upstream["executions"][0]["deployment_name"]
    on_it = ok(await session.call("list_executions", {"deployment": deployment}))
    assert {r["execution_id"] for r in on_it["executions"]} == {"r-ok-1", "r-ok-2", "r-bad-1"}
    later = ok(await session.call("list_executions", {"since": "2999-01-01T00:00:00Z"}))
    assert later["executions"] == []

    detail = ok(await session.call("get_run", {"run_id": row["run_id"]}))
    upstream_run = await session.sandbox("GET", f"/v1/workflows/runs/{row['run_id']}")
    assert detail["result"] == upstream_run["result"]
    assert detail["execution_id"] == upstream_run["execution_id"]
    assert detail["status"] == "COMPLETED"
    assert "note" not in detail

    await refused_without_request(session, "list_executions", {"since": "yesterday"}, "since")
    await refused_without_request(session, "list_executions", {"status": ["DONE"]}, "status")


async def test_trace_views(auto_session: Session) -> None:
    session = auto_session
    await run(session, "slow-report", {"seconds": 2}, "r-trace")
    await settled(session, "r-trace")

    summary = ok(await session.call("get_execution_trace", {"execution_id": "r-trace"}))
    upstream = await session.sandbox("GET", "/v1/workflows/executions/r-trace/trace/summary")
    assert summary["status"] == "COMPLETED"
    root = summary["span"]
    assert root["name"] == upstream["span_tree"]["name"] == "RunWorkflow:slow-report"
    assert root["status"] == "COMPLETED"
    assert [c["name"] for c in root["children"]] == [c["name"] for c in upstream["span_tree"]["children"]]
    assert "RunActivity:render_report" in [c["name"] for c in root["children"]]
    assert "events" not in root, "spans are compact"

    events = ok(
        await session.call(
            "get_execution_trace", {"execution_id": "r-trace", "view": "events", "include_internal": True}
        )
    )
    upstream_events = await session.sandbox(
        "GET", "/v1/workflows/executions/r-trace/trace/events", params={"include_internal_events": "true"}
    )
    reset_points = [e["id"] for e in events["events"] if e["name"] == "WORKFLOW_TASK_COMPLETED"]
    assert reset_points
    assert reset_points == [e["id"] for e in upstream_events["events"] if e["name"] == "WORKFLOW_TASK_COMPLETED"]
    assert all(e["time"].endswith("Z") for e in events["events"])
    public = ok(await session.call("get_execution_trace", {"execution_id": "r-trace", "view": "events"}))
    assert not any(e["name"] == "WORKFLOW_TASK_COMPLETED" for e in public["events"])

    info = ok(await session.call("get_execution_trace", {"execution_id": "r-trace", "view": "info"}))
    assert info == {"has_trace_data": True}

    otel = ok(await session.call("get_execution_trace", {"execution_id": "r-trace", "view": "otel"}))
    upstream_otel = await session.sandbox("GET", "/v1/workflows/executions/r-trace/trace/otel")
    spans = [s for b in upstream_otel["otel_trace_data"]["batches"] for sc in b["scopeSpans"] for s in sc["spans"]]
    assert otel["span_count"] == len(spans) >= 2
    assert otel["services"] == ["mcp-workflows-sandbox"]
    assert "raw" not in otel, "otel is summarised unless raw=true"
    raw = ok(await session.call("get_execution_trace", {"execution_id": "r-trace", "view": "otel", "raw": True}))
    assert raw["raw"]["otel_trace_data"] == upstream_otel["otel_trace_data"]

    history = ok(await session.call("get_execution_history", {"execution_id": "r-trace", "limit": 3}))
    assert len(history["events"]) == 3
    more = ok(
        await session.call("get_execution_history", {"execution_id": "r-trace", "cursor": history["next_cursor"]})
    )
    assert more["events"][0]["id"] != history["events"][0]["id"]


async def test_logs_page_and_bounded_follow(auto_session: Session) -> None:
    session = auto_session
    await run(session, "always-fails", {}, "r-logs")
    await settled(session, "r-logs")
    page = ok(await session.call("get_execution_logs", {"execution_id": "r-logs", "limit": 100}))
    upstream = await session.sandbox("GET", "/v1/workflows/executions/r-logs/logs", params={"limit": 100})
    assert page["logs"]
    assert [line["message"] for line in page["logs"]] == [r["body"] for r in upstream["results"]]
    assert set(page["logs"][0]) == {"time", "level", "message"}
    one = ok(await session.call("get_execution_logs", {"execution_id": "r-logs", "limit": 1}))
    two = ok(
        await session.call("get_execution_logs", {"execution_id": "r-logs", "limit": 1, "cursor": one["next_cursor"]})
    )
    assert [one["logs"][0]["message"], two["logs"][0]["message"]] == [r["body"] for r in upstream["results"][:2]]

    # slow-report for 2 s (0.1 s under the test time scale): follow it live, then resume from the cursor.
    await run(session, "slow-report", {"seconds": 2}, "r-follow")
    first = ok(await session.call("get_execution_logs", {"execution_id": "r-follow", "follow_seconds": 5, "limit": 2}))
    assert len(first["logs"]) == 2
    assert "limit reached" in first["note"]
    rest = ok(
        await session.call(
            "get_execution_logs", {"execution_id": "r-follow", "follow_seconds": 5, "cursor": first["next_cursor"]}
        )
    )
    assert "stream ended" in rest["note"], "the stream closes once the execution finished"
    await settled(session, "r-follow")
    stored = await session.sandbox("GET", "/v1/workflows/executions/r-follow/logs", params={"limit": 100})
    followed = [line["message"] for line in first["logs"] + rest["logs"]]
    assert followed == [r["body"] for r in stored["results"]], "resumed without duplicates or gaps"
    assert any("Report progress 100%" in m for m in followed)

    await refused_without_request(
        session, "get_execution_logs", {"execution_id": "r-logs", "follow_seconds": 51}, "follow_seconds"
    )


async def test_metrics_count_what_ran(auto_session: Session) -> None:
    session = auto_session
    await run(session, "greeting", {"name": "M"}, "r-m-1")
    await run(session, "greeting", {"name": "N"}, "r-m-2")
    await run(session, "always-fails", {}, "r-m-3")
    await settled(session, "r-m-1", "r-m-2", "r-m-3")
    metrics = ok(await session.call("get_workflow_metrics", {"workflow": "greeting"}))
    upstream = await session.sandbox("GET", "/v1/workflows/greeting/metrics")
    assert metrics["executions"] == upstream["execution_count"]["value"] == 2
    assert metrics["succeeded"] == upstream["success_count"]["value"] == 2
    assert metrics["failed"] == 0
    assert metrics["average_latency_ms"] == upstream["average_latency_ms"]["value"]
    assert len(metrics["latency_over_time"]) <= 20
    failing = ok(await session.call("get_workflow_metrics", {"workflow": "always-fails"}))
    assert (failing["executions"], failing["failed"]) == (1, 1)
    window = ok(await session.call("get_workflow_metrics", {"workflow": "greeting", "since": "2999-01-01T00:00:00Z"}))
    assert window["executions"] == 0
    await refused_without_request(session, "get_workflow_metrics", {"workflow": "greeting", "until": "soon"}, "until")


async def test_events_page_and_follow_resume_without_duplicates(auto_session: Session) -> None:
    session = auto_session
    await run(session, "always-fails", {"reason": "quota"}, "r-ev")
    await settled(session, "r-ev")
    page = ok(await session.call("list_events", {"execution_id": "r-ev"}))
    upstream = await session.sandbox("GET", "/v1/workflows/events/list", params={"workflow_exec_id": "r-ev"})
    assert [e["type"] for e in page["events"]] == [e["event_type"] for e in upstream["events"]]
    failed = [e for e in page["events"] if e["type"] == "WORKFLOW_EXECUTION_FAILED"]
    message = next(e for e in upstream["events"] if e["event_type"] == "WORKFLOW_EXECUTION_FAILED")["attributes"][
        "failure"
    ]["message"]
    assert message in failed[0]["summary"], "the failure message is summarised"
    assert all("attributes" not in e for e in page["events"]), "attributes only with raw=true"
    raw = ok(await session.call("list_events", {"execution_id": "r-ev", "raw": True}))
    assert raw["events"][0]["attributes"] == upstream["events"][0]["attributes"]
    only_failed = ok(
        await session.call("list_events", {"execution_id": "r-ev", "event_types": ["WORKFLOW_EXECUTION_FAILED"]})
    )
    assert [e["type"] for e in only_failed["events"]] == ["WORKFLOW_EXECUTION_FAILED"]

    one = ok(await session.call("list_events", {"execution_id": "r-ev", "limit": 1}))
    two = ok(await session.call("list_events", {"execution_id": "r-ev", "limit": 1, "cursor": one["next_cursor"]}))
    assert [one["events"][0]["type"], two["events"][0]["type"]] == [e["event_type"] for e in upstream["events"][:2]]

    first = ok(
        await session.call("list_events", {"execution_id": "r-ev", "follow_seconds": 1, "limit": 2, "start_seq": 0})
    )
    assert len(first["events"]) == 2
    assert first["next_start_seq"] == first["events"][-1]["seq"] + 1
    rest = ok(
        await session.call(
            "list_events", {"execution_id": "r-ev", "follow_seconds": 1, "start_seq": first["next_start_seq"]}
        )
    )
    seqs = [e["seq"] for e in first["events"] + rest["events"]]
    assert len(seqs) == len(set(seqs)) == len(upstream["events"]), "every event once"
    assert [e["type"] for e in first["events"] + rest["events"]] == [e["event_type"] for e in upstream["events"]]
    again = ok(
        await session.call(
            "list_events", {"execution_id": "r-ev", "follow_seconds": 0.3, "start_seq": rest["next_start_seq"]}
        )
    )
    assert again["events"] == []
    assert again["next_start_seq"] == rest["next_start_seq"]

    await refused_without_request(session, "list_events", {"start_seq": 3}, "start_seq", "follow_seconds")
    await refused_without_request(session, "list_events", {"event_types": ["NOPE"]}, "event_types", "NOPE")


async def test_unknown_execution_and_bad_run_id(auto_session: Session) -> None:
    session = auto_session
    for tool, arguments in [
        ("get_execution_trace", {"execution_id": "nope-404"}),
        ("get_execution_logs", {"execution_id": "nope-404"}),
    ]:
        missing = await session.call(tool, arguments)
        assert missing.is_error
        assert text_of(missing).startswith("Error:")
        assert "nope-404" in text_of(missing)
        assert "list_executions" in text_of(missing)
    await refused_without_request(session, "get_run", {"run_id": "not-a-uuid"}, "run_id")

"""Runs, histories, traces, logs, metrics and events end to end over HTTP against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest

from tests.e2e.harness import HttpServer, Session, connect, free_port, server_env, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def server(port: int) -> Iterator[HttpServer]:
    http = HttpServer(["--sandbox", "--toolsets", "all"], server_env({"MCP_WORKFLOWS_SANDBOX_PORT": str(port)}))
    yield http
    http.stop()


@pytest.fixture
async def session(server: HttpServer, port: int) -> AsyncIterator[Session]:
    async with connect("http", "auto", http_server=server, sandbox_port=port) as opened:
        await opened.sandbox("POST", "/_sandbox/reset")
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
        record = await session.sandbox("GET", f"/v1/workflows/executions/{execution_id}")
        for _ in range(200):
            if record["status"] != "RUNNING":
                break
            await anyio.sleep(0.05)
            record = await session.sandbox("GET", f"/v1/workflows/executions/{execution_id}")


async def test_list_runs_filters_and_paginates(session: Session) -> None:
    await run(session, "greeting", {"name": "A"}, "r-ok-1")
    await run(session, "greeting", {"name": "B"}, "r-ok-2")
    await run(session, "always-fails", {}, "r-bad-1")
    await settled(session, "r-ok-1", "r-ok-2", "r-bad-1")
    failed = ok(await session.call("list_runs", {"status": ["FAILED"]}))
    assert [r["execution_id"] for r in failed["runs"]] == ["r-bad-1"]
    first = ok(await session.call("list_runs", {"workflow_identifier": "greeting", "limit": 1}))
    second = ok(
        await session.call("list_runs", {"workflow_identifier": "greeting", "limit": 1, "cursor": first["next_cursor"]})
    )
    assert {first["runs"][0]["execution_id"], second["runs"][0]["execution_id"]} == {"r-ok-1", "r-ok-2"}
    run_id = first["runs"][0]["run_id"]
    detail = ok(await session.call("get_run", {"run_id": run_id}))
    upstream = await session.sandbox("GET", f"/v1/workflows/runs/{run_id}")
    assert detail["result"] == upstream["result"]


async def test_history_and_trace_views(session: Session) -> None:
    await run(session, "slow-report", {"seconds": 2}, "r-trace")
    await settled(session, "r-trace")
    history = ok(await session.call("get_execution_history", {"execution_id": "r-trace", "limit": 3}))
    assert len(history["events"]) == 3
    assert history["next_cursor"] == "3"
    summary = ok(await session.call("get_execution_trace", {"execution_id": "r-trace"}))
    assert summary["status"] == "COMPLETED"
    assert summary["spans"][0]["depth"] == 0
    events = ok(
        await session.call(
            "get_execution_trace", {"execution_id": "r-trace", "view": "events", "include_internal": True}
        )
    )
    assert any(e["name"] == "WORKFLOW_TASK_COMPLETED" for e in events["events"])
    info = ok(await session.call("get_execution_trace", {"execution_id": "r-trace", "view": "info"}))
    assert info["has_trace_data"] is True
    otel = ok(await session.call("get_execution_trace", {"execution_id": "r-trace", "view": "otel"}))
    assert otel["raw"]["spans"] >= 1, "otel is summarised unless raw=true"


async def test_logs_page_and_bounded_follow(session: Session) -> None:
    await run(session, "always-fails", {}, "r-logs")
    await settled(session, "r-logs")
    page = ok(await session.call("get_execution_logs", {"execution_id": "r-logs", "limit": 100}))
    upstream = await session.sandbox("GET", "/v1/workflows/executions/r-logs/logs", params={"limit": 100})
    assert [line["message"] for line in page["logs"]] == [r["body"] for r in upstream["results"]]
    await run(session, "slow-report", {"seconds": 40}, "r-follow")
    followed = ok(await session.call("get_execution_logs", {"execution_id": "r-follow", "follow_seconds": 1.5}))
    assert followed["logs"], "live lines arrived while following"
    assert followed["next_cursor"]


async def test_metrics_count_what_ran(session: Session) -> None:
    await run(session, "greeting", {"name": "M"}, "r-m-1")
    await run(session, "greeting", {"name": "N"}, "r-m-2")
    await settled(session, "r-m-1", "r-m-2")
    metrics = ok(await session.call("get_workflow_metrics", {"workflow_name": "greeting"}))
    upstream = await session.sandbox("GET", "/v1/workflows/greeting/metrics")
    assert metrics["executions"] == upstream["execution_count"]["value"] == 2
    assert metrics["succeeded"] == 2


async def test_events_page_and_follow_resume_without_duplicates(session: Session) -> None:
    await run(session, "always-fails", {"reason": "quota"}, "r-ev")
    await settled(session, "r-ev")
    page = ok(await session.call("list_events", {"workflow_exec_id": "r-ev"}))
    failed = [e for e in page["events"] if e["type"] == "WORKFLOW_EXECUTION_FAILED"]
    assert failed
    assert failed[0]["summary"], "the failure message is summarised"
    first = ok(
        await session.call("list_events", {"workflow_exec_id": "r-ev", "follow_seconds": 1, "limit": 2, "start_seq": 0})
    )
    rest = ok(
        await session.call(
            "list_events", {"workflow_exec_id": "r-ev", "follow_seconds": 1, "start_seq": first["next_start_seq"]}
        )
    )
    seqs = [e["seq"] for e in first["events"] + rest["events"]]
    assert len(seqs) == len(set(seqs))
    assert len(first["events"]) == 2


async def test_unknown_execution_and_bad_run_id(session: Session) -> None:
    missing = await session.call("get_execution_trace", {"execution_id": "nope-404"})
    assert missing.is_error
    assert "nope-404" in text_of(missing)
    assert "list_runs" in text_of(missing)
    before = await session.sandbox("GET", "/_sandbox/stats")
    bad = await session.call("get_run", {"run_id": "not-a-uuid"})
    assert bad.is_error
    assert "run_id" in text_of(bad)
    assert await session.sandbox("GET", "/_sandbox/stats") == before

"""Following and steering executions end to end, and the long-running experience (issue 5).

Scenarios run over real HTTP against the sandbox; state is checked through the sandbox's own API.
Faults (stream unavailable, dropped connections, 429) are injected through the sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from tests.e2e.harness import HttpServer, Session, connect, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def http(http_server: HttpServer, sandbox_port: int) -> AsyncIterator[Session]:
    async with connect("http", "auto", http_server=http_server, sandbox_port=sandbox_port) as session:
        await session.sandbox("POST", "/_sandbox/reset")
        yield session


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    return dict(result.structured_content)


async def start(session: Session, workflow: str, workflow_input: dict[str, Any], wait: float = 0) -> dict[str, Any]:
    return ok(
        await session.call(
            "execute_workflow", {"workflow_identifier": workflow, "input": workflow_input, "wait_seconds": wait}
        )
    )


async def upstream_status(session: Session, execution_id: str) -> str:
    return str((await session.sandbox("GET", f"/v1/workflows/executions/{execution_id}"))["status"])


async def test_approval_flow_query_signal_wait(http: Session) -> None:
    started = await start(http, "approval", {"request": "new laptop"})
    execution_id = started["execution_id"]
    assert started["status"] == "RUNNING"
    detail = ok(await http.call("get_execution", {"execution_id": execution_id}))
    assert "signal approve" in detail["handlers"]
    assert "query status" in detail["handlers"]
    state = ok(await http.call("query_execution", {"execution_id": execution_id, "name": "status"}))
    assert state["result"]["state"] == "waiting"

    wrong = await http.call("signal_execution", {"execution_id": execution_id, "name": "approve", "input": {}})
    assert wrong.is_error
    assert "approved" in text_of(wrong), "the missing field is named before anything is sent"
    assert await upstream_status(http, execution_id) == "RUNNING"

    signalled = ok(
        await http.call(
            "signal_execution", {"execution_id": execution_id, "name": "approve", "input": {"approved": True}}
        )
    )
    assert signalled["outcome"] == "done"
    finished = ok(await http.call("wait_for_execution", {"execution_id": execution_id, "wait_seconds": 10}))
    assert finished["status"] == "COMPLETED"
    assert finished["result"]["approved"] is True
    assert await upstream_status(http, execution_id) == "COMPLETED"


async def test_counter_update_returns_value_and_query_sees_it(http: Session) -> None:
    execution_id = (await start(http, "counter", {"start": 3}))["execution_id"]
    updated = ok(
        await http.call("update_execution", {"execution_id": execution_id, "name": "set_value", "input": {"value": 9}})
    )
    assert updated["result"] == {"previous": 3, "value": 9}
    value = ok(await http.call("query_execution", {"execution_id": execution_id, "name": "value"}))
    assert value["result"] in (9, {"value": 9})
    unknown = await http.call("update_execution", {"execution_id": execution_id, "name": "nope", "input": {}})
    assert unknown.is_error
    assert "set_value" in text_of(unknown), "the valid handler names are listed"


async def test_failure_message_surfaces(http: Session) -> None:
    outcome = await start(http, "always-fails", {"reason": "disk full"}, wait=10)
    assert outcome["status"] == "FAILED"
    assert outcome["failure"]
    assert "list_events" in outcome["next_step"]
    again = ok(await http.call("get_execution", {"execution_id": outcome["execution_id"]}))
    assert again["failure"] == outcome["failure"]


async def test_budget_runs_out_then_wait_for_execution_gets_the_result(http: Session) -> None:
    first = await start(http, "slow-report", {"seconds": 40}, wait=0.5)
    assert first["status"] == "RUNNING"
    assert first["cursor"]
    assert "wait_for_execution" in first["next_step"]
    done = ok(
        await http.call(
            "wait_for_execution",
            {"execution_id": first["execution_id"], "after": first["cursor"], "wait_seconds": 20},
        )
    )
    assert done["status"] == "COMPLETED"
    assert done["result"]


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_progress_notifications_arrive_in_order(
    transport: str, http_server: HttpServer, sandbox_port: int
) -> None:
    seen: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message))

    kwargs: dict[str, Any] = {"http_server": http_server, "sandbox_port": sandbox_port} if transport == "http" else {}
    async with connect(transport, "legacy", **kwargs) as session:  # type: ignore[arg-type]
        result = await session.call(
            "execute_workflow",
            {"workflow_identifier": "slow-report", "input": {"seconds": 20}, "wait_seconds": 20},
            progress_callback=on_progress,
        )
    assert ok(result)["status"] == "COMPLETED"
    numbers = [number for number, _ in seen]
    assert numbers == sorted(numbers)
    assert len(numbers) == len(set(numbers))
    messages = [message or "" for _, message in seen]
    assert messages[0].startswith("WORKFLOW_EXECUTION_STARTED")
    percents = [m for m in messages if "percent" in m]
    assert percents, "custom progress reported by the workflow reaches the client"
    assert messages[-1].startswith("WORKFLOW_EXECUTION_COMPLETED")


async def test_cancelling_the_call_stops_the_wait_not_the_execution(http: Session) -> None:
    execution_id = (await start(http, "slow-report", {"seconds": 200}))["execution_id"]
    with anyio.move_on_after(1.0):
        await http.call("wait_for_execution", {"execution_id": execution_id, "wait_seconds": 30})
        pytest.fail("the wait should still be running")
    await anyio.sleep(0.5)
    assert await upstream_status(http, execution_id) == "RUNNING", "the execution keeps running"
    stats = await http.sandbox("GET", "/_sandbox/stats")
    assert stats["open_streams"] == 0, "the upstream stream closed with the call"


async def test_stream_unavailable_falls_back_to_polling(http: Session) -> None:
    await http.sandbox(
        "POST", "/_sandbox/faults", json={"rules": [{"path_regex": r"/stream$", "kind": "status", "status": 503}]}
    )
    outcome = await start(http, "slow-report", {"seconds": 10}, wait=20)
    assert outcome["status"] == "COMPLETED"
    assert "polled" in outcome["note"]


async def test_stream_ending_early_still_returns_the_result(http: Session) -> None:
    await http.sandbox(
        "POST",
        "/_sandbox/faults",
        json={"rules": [{"path_regex": r"/stream$", "kind": "end_stream_early", "after_events": 1}]},
    )
    outcome = await start(http, "slow-report", {"seconds": 10}, wait=20)
    assert outcome["status"] == "COMPLETED"


async def test_dropped_connection_after_start_never_starts_twice(http: Session) -> None:
    await http.sandbox(
        "POST",
        "/_sandbox/faults",
        json={"rules": [{"path_regex": r"/greeting/execute$", "kind": "drop", "after_handler": True, "times": 1}]},
    )
    outcome = await start(http, "greeting", {"name": "Once"}, wait=10)
    assert outcome["status"] == "COMPLETED"
    runs = await http.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": "greeting"})
    assert [e["execution_id"] for e in runs["executions"]] == [outcome["execution_id"]]


async def test_reads_retry_after_429(http: Session) -> None:
    await http.sandbox(
        "POST",
        "/_sandbox/faults",
        json={
            "rules": [
                {
                    "path_regex": r"/executions/[^/]+$",
                    "method": "GET",
                    "kind": "status",
                    "status": 429,
                    "retry_after": 0,
                    "times": 2,
                }
            ]
        },
    )
    outcome = await start(http, "greeting", {"name": "Patient"}, wait=10)
    assert outcome["status"] == "COMPLETED"
    faults = await http.sandbox("GET", "/_sandbox/faults")
    assert faults["rules"][0]["remaining"] == 0, "both 429s were met and retried"


async def test_cancel_previews_blast_radius_then_cancels(http: Session) -> None:
    running = [(await start(http, "slow-report", {"seconds": 300}))["execution_id"] for _ in range(2)]
    finished = (await start(http, "greeting", {"name": "Done"}, wait=10))["execution_id"]
    preview = ok(await http.call("cancel_execution", {"execution_ids": [*running, finished]}))
    assert preview["outcome"] == "confirmation_required"
    assert "2 execution(s)" in preview["message"]
    assert finished in preview["message"]
    assert "COMPLETED" in preview["message"]
    assert [await upstream_status(http, e) for e in running] == ["RUNNING", "RUNNING"]
    done = ok(
        await http.call(
            "cancel_execution",
            {"execution_ids": [*running, finished], "confirmation_token": preview["confirmation_token"]},
        )
    )
    assert done["outcome"] == "done"
    await anyio.sleep(0.5)
    assert [await upstream_status(http, e) for e in running] == ["CANCELED", "CANCELED"]


async def test_reset_starts_a_new_run_after_confirmation(http: Session) -> None:
    execution_id = (await start(http, "counter", {"start": 1}))["execution_id"]
    before = await http.sandbox("GET", f"/v1/workflows/executions/{execution_id}")
    trace = await http.sandbox(
        "GET", f"/v1/workflows/executions/{execution_id}/trace/events", params={"include_internal_events": "true"}
    )
    event_id = next(int(e["id"]) for e in trace["events"] if e["name"] == "WORKFLOW_TASK_COMPLETED")
    preview = ok(await http.call("reset_execution", {"execution_id": execution_id, "event_id": event_id}))
    assert preview["outcome"] == "confirmation_required"
    done = ok(
        await http.call(
            "reset_execution",
            {"execution_id": execution_id, "event_id": event_id, "confirmation_token": preview["confirmation_token"]},
        )
    )
    assert done["outcome"] == "done"
    after = await http.sandbox("GET", f"/v1/workflows/executions/{execution_id}")
    assert after["run_id"] != before["run_id"]
    assert done["run_id"] == after["run_id"]


async def test_stalled_stream_is_checked_against_the_record() -> None:
    """A stream that goes silent without closing cannot hold the result back until the budget ends."""
    async with connect("stdio", "legacy", env={"MCP_WORKFLOWS_STREAM_QUIET_S": "1"}) as session:
        await session.sandbox(
            "POST",
            "/_sandbox/faults",
            json={"rules": [{"path_regex": r"/stream$", "kind": "stall_stream", "after_events": 1}]},
        )
        outcome = await start(session, "slow-report", {"seconds": 10}, wait=40)
        assert outcome["status"] == "COMPLETED"
        assert "went quiet" in outcome["note"], "the quiet check ended the wait, not the budget"
        stats = await session.sandbox("GET", "/_sandbox/stats")
        assert stats["open_streams"] == 0

"""Following and steering executions end to end, and the long-running experience (issue 5).

An in-process server talks to the sandbox over real HTTP; state is checked through the sandbox's
own API. Faults (stream unavailable, dropped connections, 429) are injected through the sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from tests.e2e.inprocess import connect_in_process
from tests.e2e.polling import eventually
from tests.e2e.session import Session, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def auto_session(sandbox_url: str) -> AsyncIterator[Session]:
    async with connect_in_process(sandbox_url, "auto") as session:
        yield session


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    return dict(result.structured_content)


async def start(session: Session, workflow: str, workflow_input: dict[str, Any], wait: float = 0) -> dict[str, Any]:
    return ok(
        await session.call("execute_workflow", {"workflow": workflow, "input": workflow_input, "wait_seconds": wait})
    )


async def upstream_status(session: Session, execution_id: str) -> str:
    return str((await session.sandbox("GET", f"/v1/workflows/executions/{execution_id}"))["status"])


async def test_approval_flow_query_signal_wait(auto_session: Session) -> None:
    started = await start(auto_session, "approval", {"request": "new laptop"})
    execution_id = started["execution_id"]
    assert started["status"] == "RUNNING"
    detail = ok(await auto_session.call("get_execution", {"execution_id": execution_id}))
    assert "signal approve" in detail["handlers"]
    assert "query status" in detail["handlers"]
    state = ok(await auto_session.call("query_execution", {"execution_id": execution_id, "handler": "status"}))
    assert state["result"]["state"] == "waiting"

    wrong = await auto_session.call(
        "signal_execution", {"execution_id": execution_id, "handler": "approve", "input": {}}
    )
    assert wrong.is_error
    assert "approved" in text_of(wrong), "the missing field is named before anything is sent"
    assert await upstream_status(auto_session, execution_id) == "RUNNING"

    signalled = ok(
        await auto_session.call(
            "signal_execution", {"execution_id": execution_id, "handler": "approve", "input": {"approved": True}}
        )
    )
    assert signalled["outcome"] == "done"
    finished = ok(await auto_session.call("wait_for_execution", {"execution_id": execution_id, "wait_seconds": 10}))
    assert finished["status"] == "COMPLETED"
    assert finished["result"]["approved"] is True
    assert await upstream_status(auto_session, execution_id) == "COMPLETED"


async def test_counter_update_returns_value_and_query_sees_it(auto_session: Session) -> None:
    execution_id = (await start(auto_session, "counter", {"start": 3}))["execution_id"]
    updated = ok(
        await auto_session.call(
            "update_execution", {"execution_id": execution_id, "handler": "set_value", "input": {"value": 9}}
        )
    )
    assert updated["result"] == {"previous": 3, "value": 9}
    value = ok(await auto_session.call("query_execution", {"execution_id": execution_id, "handler": "value"}))
    assert value["result"] in (9, {"value": 9})
    unknown = await auto_session.call(
        "update_execution", {"execution_id": execution_id, "handler": "nope", "input": {}}
    )
    assert unknown.is_error
    assert "set_value" in text_of(unknown), "the valid handler names are listed"


async def test_failure_message_surfaces(auto_session: Session) -> None:
    failed = await auto_session.call(
        "execute_workflow", {"workflow": "always-fails", "input": {"reason": "disk full"}, "wait_seconds": 10}
    )
    assert failed.is_error, "a failed run is an error result, its outcome still structured"
    outcome = dict(failed.structured_content or {})
    assert outcome["status"] == "FAILED"
    assert "enable_toolsets" in outcome["next_step"], "hints of an error result are explained too"
    assert outcome["failure"]
    assert "list_events" in outcome["next_step"]
    again = ok(await auto_session.call("get_execution", {"execution_id": outcome["execution_id"]}))
    assert again["failure"] == outcome["failure"]


async def test_budget_runs_out_then_wait_for_execution_gets_the_result(auto_session: Session) -> None:
    first = await start(auto_session, "slow-report", {"seconds": 40}, wait=0.5)
    assert first["status"] == "RUNNING"
    assert first["cursor"]
    assert "wait_for_execution" in first["next_step"]
    done = ok(
        await auto_session.call(
            "wait_for_execution",
            {"execution_id": first["execution_id"], "after": first["cursor"], "wait_seconds": 20},
        )
    )
    assert done["status"] == "COMPLETED"
    assert done["result"]


async def test_progress_notifications_arrive_in_order(open_session: Any) -> None:
    seen: list[tuple[float, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, message))

    async with open_session() as session:
        result = await session.call(
            "execute_workflow",
            {"workflow": "slow-report", "input": {"seconds": 20}, "wait_seconds": 20},
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


async def test_cancelling_the_call_stops_the_wait_not_the_execution(open_session: Any) -> None:
    async with open_session() as session:
        execution_id = (await start(session, "slow-report", {"seconds": 200}))["execution_id"]

        async def open_streams() -> int:
            return int((await session.sandbox("GET", "/_sandbox/stats"))["open_streams"])

        async with anyio.create_task_group() as group:

            async def wait() -> None:
                await session.call("wait_for_execution", {"execution_id": execution_id, "wait_seconds": 30})
                pytest.fail("the wait should still be running")

            group.start_soon(wait)
            await eventually(open_streams, lambda n: n == 1, what="the wait following the event stream")
            group.cancel_scope.cancel()  # the client gives up on the call
        await eventually(open_streams, lambda n: n == 0, what="the upstream stream closing with the call")
        assert await upstream_status(session, execution_id) == "RUNNING", "the execution keeps running"


async def test_stream_unavailable_falls_back_to_polling(auto_session: Session) -> None:
    await auto_session.sandbox(
        "POST", "/_sandbox/faults", json={"rules": [{"path_regex": r"/stream$", "kind": "status", "status": 503}]}
    )
    outcome = await start(auto_session, "slow-report", {"seconds": 10}, wait=20)
    assert outcome["status"] == "COMPLETED"
    assert "polled" in outcome["note"]


async def test_stream_ending_early_still_returns_the_result(auto_session: Session) -> None:
    await auto_session.sandbox(
        "POST",
        "/_sandbox/faults",
        json={"rules": [{"path_regex": r"/stream$", "kind": "end_stream_early", "after_events": 1}]},
    )
    outcome = await start(auto_session, "slow-report", {"seconds": 10}, wait=20)
    assert outcome["status"] == "COMPLETED"


async def test_dropped_connection_after_start_never_starts_twice(auto_session: Session) -> None:
    await auto_session.sandbox(
        "POST",
        "/_sandbox/faults",
        json={"rules": [{"path_regex": r"/greeting/execute$", "kind": "drop", "after_handler": True, "times": 1}]},
    )
    outcome = await start(auto_session, "greeting", {"name": "Once"}, wait=10)
    assert outcome["status"] == "COMPLETED"
    runs = await auto_session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": "greeting"})
    assert [e["execution_id"] for e in runs["executions"]] == [outcome["execution_id"]]


async def test_reads_retry_after_429(auto_session: Session) -> None:
    await auto_session.sandbox(
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
    outcome = await start(auto_session, "greeting", {"name": "Patient"}, wait=10)
    assert outcome["status"] == "COMPLETED"
    faults = await auto_session.sandbox("GET", "/_sandbox/faults")
    assert faults["rules"][0]["remaining"] == 0, "both 429s were met and retried"


async def test_cancel_previews_blast_radius_then_cancels(auto_session: Session) -> None:
    running = [(await start(auto_session, "slow-report", {"seconds": 300}))["execution_id"] for _ in range(2)]
    finished = (await start(auto_session, "greeting", {"name": "Done"}, wait=10))["execution_id"]
    preview = ok(await auto_session.call("cancel_execution", {"execution_ids": [*running, finished]}))
    assert preview["outcome"] == "confirmation_required"
    assert "2 execution(s)" in preview["message"]
    assert finished in preview["message"]
    assert "COMPLETED" in preview["message"]
    assert [await upstream_status(auto_session, e) for e in running] == ["RUNNING", "RUNNING"]
    done = ok(
        await auto_session.call(
            "cancel_execution",
            {"execution_ids": [*running, finished], "confirmation_token": preview["confirmation_token"]},
        )
    )
    assert done["outcome"] == "done"

    async def statuses() -> list[str]:
        return [await upstream_status(auto_session, e) for e in running]

    await eventually(statuses, lambda now: now == ["CANCELED", "CANCELED"], what="both executions cancelled")


async def test_reset_starts_a_new_run_after_confirmation(auto_session: Session) -> None:
    assert ok(await auto_session.call("enable_toolsets", {"toolsets": ["runs"]}))["enabled"] == ["runs"]
    execution_id = (await start(auto_session, "counter", {"start": 1}))["execution_id"]
    before = await auto_session.sandbox("GET", f"/v1/workflows/executions/{execution_id}")
    trace = await auto_session.sandbox(
        "GET", f"/v1/workflows/executions/{execution_id}/trace/events", params={"include_internal_events": "true"}
    )
    event_id = next(int(e["id"]) for e in trace["events"] if e["name"] == "WORKFLOW_TASK_COMPLETED")
    preview = ok(await auto_session.call("reset_execution", {"execution_id": execution_id, "event_id": event_id}))
    assert preview["outcome"] == "confirmation_required"
    done = ok(
        await auto_session.call(
            "reset_execution",
            {"execution_id": execution_id, "event_id": event_id, "confirmation_token": preview["confirmation_token"]},
        )
    )
    assert done["outcome"] == "done"
    after = await auto_session.sandbox("GET", f"/v1/workflows/executions/{execution_id}")
    assert after["run_id"] != before["run_id"]
    assert done["run_id"] == after["run_id"]


async def test_stalled_stream_is_checked_against_the_record(sandbox_url: str) -> None:
    """A stream that goes silent without closing cannot hold the result back until the budget ends."""
    async with connect_in_process(sandbox_url, "legacy", {"stream_quiet_s": 1}) as session:
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

"""The interactive demo workflows' responses (forms, answers, custom-task events) follow the upstream spec."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2
import pytest

from .conftest import read_sse
from .live_contract import Contract

pytestmark = pytest.mark.anyio

P = "/v1/workflows"
QUERY = "query_workflow_execution_v1_workflows_executions__execution_id__queries_post"
UPDATE = "update_workflow_execution_v1_workflows_executions__execution_id__updates_post"
EXECUTE = "execute_workflow_v1_workflows__workflow_identifier__execute_post"
GET = "get_workflow_execution_v1_workflows_executions__execution_id__get"
EVENTS = "get_workflow_events_v1_workflows_events_list_get"


async def _answer_each(c: Contract, client: httpx2.AsyncClient, execution_id: str, answers: list[Any]) -> None:
    """Answer the execution's forms in order, checking every query and update response."""
    seen: set[str] = set()
    for answer in answers:
        for _ in range(500):
            body = c.check(
                QUERY,
                await client.post(f"{P}/executions/{execution_id}/queries", json={"name": "__get_pending_inputs"}),
            )
            fresh = [p for p in body["result"]["pending_inputs"] if p["task_id"] not in seen]
            if fresh:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError(f"{execution_id} never asked")
        seen.add(fresh[0]["task_id"])
        update = {"name": "__submit_input", "input": {"task_id": fresh[0]["task_id"], "input": answer}}
        c.check(UPDATE, await client.post(f"{P}/executions/{execution_id}/updates", json=update))


async def _ended(c: Contract, client: httpx2.AsyncClient, execution_id: str) -> dict[str, Any]:
    for _ in range(500):
        body = c.check(GET, await client.get(f"{P}/executions/{execution_id}"))
        if body["status"] != "RUNNING":
            return dict(body)
        await asyncio.sleep(0.01)
    raise AssertionError(f"{execution_id} never ended")


async def test_interactive_workflows_conform(contract: Contract, client: httpx2.AsyncClient) -> None:
    c = contract
    c.check(
        "get_workflow_registrations_v1_workflows_registrations_get",
        await client.get(f"{P}/registrations", params={"with_workflow": "true", "limit": 100}),
    )
    for name in ("expense-approval", "onboarding", "claim-intake"):
        c.check("get_workflow_v1_workflows__workflow_identifier__get", await client.get(f"{P}/{name}"))

    expense = {"employee": "Ada", "amount": 12.5, "reason": "taxi"}
    c.check(EXECUTE, await client.post(f"{P}/expense-approval/execute", json={"input": expense, "execution_id": "e"}))
    c.check(
        EXECUTE, await client.post(f"{P}/onboarding/execute", json={"input": {"employee": "L"}, "execution_id": "o"})
    )
    c.check(
        EXECUTE,
        await client.post(f"{P}/claim-intake/execute", json={"input": {"policy_number": "P"}, "execution_id": "c"}),
    )
    late = {**expense, "timeout_seconds": 0.05}
    c.check(EXECUTE, await client.post(f"{P}/expense-approval/execute", json={"input": late, "execution_id": "t"}))
    waiting = c.check(
        "list_runs_v1_workflows_runs_get",
        await client.get(f"{P}/runs", params={"search_key": "internal.execution.state:waiting_for_input"}),
    )
    assert {"e", "o", "c"} <= {row["execution_id"] for row in waiting["executions"]}

    await _answer_each(c, client, "e", [{"approved": "accept", "comment": "ok"}])
    details = {
        "badge_id": "EMP-0001",
        "weekly_hours": 38,
        "start_date": "2026-04-01",
        "team": "sales",
        "equipment": ["phone"],
    }
    await _answer_each(c, client, "o", [details, {"choice": "decline"}])
    chat = {"message": [{"type": "text", "text": "Flood"}]}
    await _answer_each(c, client, "c", [chat, {"photos": [], "contact": {"name": "L", "phone": "1"}}])
    for execution_id in ("e", "o", "c", "t"):
        await _ended(c, client, execution_id)
        page = c.check(EVENTS, await client.get(f"{P}/events/list", params={"workflow_exec_id": execution_id}))
        assert any(e["event_type"].startswith("CUSTOM_TASK_") for e in page["events"])
    assert (await _ended(c, client, "t"))["status"] == "FAILED"
    c.check(
        "get_workflow_execution_trace_events",
        await client.get(f"{P}/executions/t/trace/events", params={"merge_same_id_events": "true"}),
    )
    response, frames = await read_sse(client, f"{P}/executions/o/stream")
    c.check_sse("stream_v1_workflows_executions__execution_id__stream_get", response, frames)
    response, frames = await read_sse(
        client,
        f"{P}/events/stream",
        params={"workflow_exec_id": "t", "workflow_event_types": ["CUSTOM_TASK_FAILED"]},
        max_frames=1,
    )
    c.check_sse("get_stream_events_v1_workflows_events_stream_get", response, frames)

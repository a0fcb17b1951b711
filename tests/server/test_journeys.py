"""What users ask for, done from the default configuration in at most three tool calls.

Each journey drives the server as a model would: every argument comes from what the model saw (the
tool list, enable_toolsets' answer, earlier results), never from the test's own knowledge of the
sandbox. The world a journey starts in (a failed run, a schedule, tagged workflows) is set up
through the sandbox's own API first, out of the model's sight. docs/journeys.md lists them.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.context import ClientRequestContext
from mcp_types import CallToolResult, ElicitRequestParams, ElicitResult

from mcp_workflows.config import Settings
from mcp_workflows.server.app import build_server

pytestmark = pytest.mark.anyio
MAX_CALLS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Agent:
    """A model's side of a session: the tools it was shown, and the calls it made."""

    client: Client
    upstream: httpx2.AsyncClient
    tools: dict[str, Any] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    async def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        assert tool in self.tools, f"{tool} was not in the tool list the model saw"
        self.calls.append(tool)
        result: CallToolResult = await self.client.call_tool(tool, arguments)
        # an error is a dead end, unless it is a structured outcome (a workflow run that failed)
        assert not result.is_error or result.structured_content, result.content
        return result.structured_content or {}

    def saw(self, enabled: dict[str, Any]) -> None:
        """Tools enable_toolsets announced become callable (as a refreshed tool list would show)."""
        self.tools.update({tool["name"]: tool for tool in enabled["tools"]})

    def done_within(self, limit: int = MAX_CALLS) -> None:
        assert len(self.calls) <= limit, self.calls


async def accept_form(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"approved": "accept"})


@pytest.fixture
async def agent(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Agent]:
    port = free_port()
    settings = Settings(sandbox=True, sandbox_time_scale=0.05, sandbox_port=port, state_dir=str(tmp_path))
    kwargs = {"elicitation_callback": accept_form} if "forms" in request.keywords else {}
    async with (
        Client(build_server(settings), **kwargs) as client,
        httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": "Bearer x"}) as upstream,
    ):
        listed = await client.list_tools()
        yield Agent(client, upstream, {tool.name: tool.model_dump() for tool in listed.tools})


def named(rows: list[dict[str, Any]], key: str, words: str) -> dict[str, Any]:
    """The row a model would pick for the user's words."""
    return next(row for row in rows if words in str(row.get(key, "")).lower())


async def start(agent: Agent, workflow: str, input: dict[str, Any]) -> str:
    """Out of the model's sight: an execution the journey will find."""
    response = await agent.upstream.post(f"/v1/workflows/{workflow}/execute", json={"input": input})
    response.raise_for_status()
    return str(response.json()["execution_id"])


async def ended(agent: Agent, execution_id: str) -> None:
    """Out of the model's sight: wait (polling, bounded) until that execution ended."""
    with anyio.fail_after(10):
        while (await agent.upstream.get(f"/v1/workflows/executions/{execution_id}")).json()["status"] == "RUNNING":  # noqa: ASYNC110
            await anyio.sleep(0.02)


async def test_what_can_i_run(agent: Agent) -> None:
    page = await agent.call("list_workflows", {})
    assert "greeting" in {row["name"] for row in page["workflows"]}
    assert "legacy-import" not in {row["name"] for row in page["workflows"]}, "archived ones stay hidden"
    agent.done_within(1)


async def test_run_greeting_for_alice(agent: Agent) -> None:
    found = await agent.call("get_workflow", {"workflow": "greeting"})
    field_name = next(iter(found["registration"]["input_schema"]["required"]))
    result = await agent.call("execute_workflow", {"workflow": "greeting", "input": {field_name: "Alice"}})
    assert result["status"] == "COMPLETED"
    assert "Alice" in str(result["result"])
    agent.done_within(2)


async def test_why_did_yesterdays_run_fail(agent: Agent) -> None:
    await ended(agent, await start(agent, "always-fails", {"reason": "the disk is full"}))
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    page = await agent.call("list_executions", {"status": ["FAILED"], "since": yesterday})
    detail = await agent.call("get_execution", {"execution_id": page["executions"][0]["execution_id"]})
    assert "the disk is full" in detail["failure"]
    agent.done_within(2)


async def test_rerun_yesterdays_failed_run_with_the_same_input(agent: Agent) -> None:
    await ended(agent, await start(agent, "always-fails", {"reason": "quota exceeded"}))
    row = (await agent.call("list_executions", {"status": ["FAILED"]}))["executions"][0]
    again = await agent.call("execute_workflow", {"workflow": row["workflow_name"], "input_from": row["execution_id"]})
    assert again["execution_id"] != row["execution_id"]
    assert "quota exceeded" in again["failure"], "the same input ran again"
    agent.done_within(2)


async def test_pause_the_nightly_schedule(agent: Agent) -> None:
    body = {"workflow_identifier": "invoice-digest", "schedule_id": "nightly-invoices", "schedule": {
        "input": {"month": "2026-01"}, "cron_expressions": ["0 2 * * *"]}}  # fmt: skip
    (await agent.upstream.post("/v1/workflows/schedules", json=body)).raise_for_status()
    agent.saw(await agent.call("enable_toolsets", {"toolsets": ["schedules"]}))
    schedule = named((await agent.call("list_schedules", {}))["schedules"], "schedule_id", "nightly")
    paused = await agent.call("pause_schedule", {"schedule_id": schedule["schedule_id"]})
    assert paused["paused"] is True
    agent.done_within()


async def test_show_the_logs_of_the_last_run(agent: Agent) -> None:
    await ended(agent, await start(agent, "greeting", {"name": "Bo"}))
    last = (await agent.call("list_executions", {"limit": 1}))["executions"][0]
    agent.saw(await agent.call("enable_toolsets", {"toolsets": ["observability"]}))
    logs = await agent.call("get_execution_logs", {"execution_id": last["execution_id"]})
    assert logs["logs"]
    agent.done_within()


async def test_stop_everything_running_for_a_workflow(agent: Agent) -> None:
    first = await start(agent, "approval", {"request": "a"})
    second = await start(agent, "approval", {"request": "b"})
    rows = (await agent.call("list_executions", {"workflow": "approval", "status": ["RUNNING"]}))["executions"]
    ids = [row["execution_id"] for row in rows]
    assert set(ids) == {first, second}
    preview = await agent.call("cancel_execution", {"execution_ids": ids})
    assert preview["outcome"] == "confirmation_required"
    done = await agent.call(
        "cancel_execution", {"execution_ids": ids, "confirmation_token": preview["confirmation_token"]}
    )
    assert sorted(done["stopped"]) == sorted(ids)
    agent.done_within()


async def test_what_is_waiting_for_my_approval(agent: Agent) -> None:
    await start(agent, "expense-approval", {"employee": "Ana", "amount": 120, "reason": "taxi"})
    waiting = (await agent.call("list_executions", {"waiting_for_input": True}))["executions"]
    detail = await agent.call("get_execution", {"execution_id": waiting[0]["execution_id"]})
    form = detail["pending_inputs"][0]["form"]
    choice = next(option["const"] for option in form["properties"]["approved"]["oneOf"] if "Approve" in str(option))
    done = await agent.call("submit_input", {"execution_id": detail["execution_id"], "input": {"approved": choice}})
    assert done["status"] == "COMPLETED"
    assert done["result"]["approved"] is True
    agent.done_within()


@pytest.mark.forms
async def test_run_the_expense_approval_with_a_client_that_shows_forms(agent: Agent) -> None:
    result = await agent.call(
        "execute_workflow",
        {"workflow": "expense-approval", "input": {"employee": "Ana", "amount": 120, "reason": "taxi"}},
    )
    assert result["status"] == "COMPLETED"
    assert result["result"]["approved"] is True
    agent.done_within(1)


async def test_how_often_did_a_workflow_fail_this_week(agent: Agent) -> None:
    for reason in ("a", "b"):
        await ended(agent, await start(agent, "always-fails", {"reason": reason}))
    agent.saw(await agent.call("enable_toolsets", {"toolsets": ["observability"]}))
    week = (datetime.now(UTC) - timedelta(days=7)).isoformat()
    metrics = await agent.call("get_workflow_metrics", {"workflow": "always-fails", "since": week})
    assert metrics["failed"] == 2
    agent.done_within(2)


async def test_rename_and_retag_a_workflow(agent: Agent) -> None:
    changed = await agent.call(
        "update_workflow", {"workflow": "greeting", "display_name": "Hello", "tags": ["demo", "welcome"]}
    )
    assert changed["display_name"] == "Hello"
    assert changed["tags"] == ["demo", "welcome"]
    agent.done_within(1)


async def test_archive_everything_tagged_old(agent: Agent) -> None:
    for workflow in ("greeting", "counter"):
        response = await agent.upstream.put(f"/v1/workflows/{workflow}", json={"tags": ["old"]})
        response.raise_for_status()
    rows = (await agent.call("list_workflows", {"tags": ["old"]}))["workflows"]
    names = [row["name"] for row in rows]
    preview = await agent.call("bulk_archive_workflows", {"workflows": names})
    done = await agent.call(
        "bulk_archive_workflows", {"workflows": names, "confirmation_token": preview["confirmation_token"]}
    )
    assert sorted(ref["name"] for ref in done["done"]) == sorted(names)
    agent.done_within()


async def test_is_my_deployment_healthy(agent: Agent) -> None:
    agent.saw(await agent.call("enable_toolsets", {"toolsets": ["deployments"]}))
    row = named((await agent.call("list_deployments", {}))["deployments"], "name", "managed")
    detail = await agent.call("get_deployment", {"deployment": row["name"]})
    assert detail["active"] is True
    assert all(worker["last_heartbeat"] for worker in detail["workers"]), "when each worker was last seen"
    agent.done_within()


async def test_follow_a_long_job(agent: Agent) -> None:
    started = await agent.call("execute_workflow", {"workflow": "slow-report", "input": {}, "wait_seconds": 0})
    assert started["status"] == "RUNNING"
    assert "wait_for_execution" in started["next_step"]
    finished = await agent.call("wait_for_execution", {"execution_id": started["execution_id"], "wait_seconds": 30})
    assert finished["status"] == "COMPLETED"
    agent.done_within(2)

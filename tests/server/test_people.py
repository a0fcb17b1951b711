"""Workflows that wait for a person, answered from any MCP client: a form the client shows, the agent
relaying through submit_input, a decline. In-process: the SDK client against the server object, both
protocol eras, the sandbox over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import pytest
from mcp import Client
from mcp.client.context import ClientRequestContext
from mcp_types import ElicitRequestParams, ElicitResult

from mcp_workflows.config import Settings
from mcp_workflows.sandboxed import build_sandboxed_server

pytestmark = pytest.mark.anyio

Mode = Literal["legacy", "auto"]
EXPENSE = {"employee": "Ana", "amount": 120, "reason": "taxi"}


@asynccontextmanager
async def client(mode: Mode, tmp_path: Path, answer: dict[str, Any] | None, **settings: Any) -> AsyncIterator[Client]:
    """A client that declares form elicitation when `answer` is given: it accepts with that content
    (or declines, for an empty dict), and records the forms it was shown."""
    shown: list[ElicitRequestParams] = []

    async def respond(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        shown.append(params)
        if not answer:
            return ElicitResult(action="decline")
        return ElicitResult(action="accept", content=answer)

    server = build_sandboxed_server(
        Settings(sandbox=True, sandbox_time_scale=0.05, state_dir=str(tmp_path), **settings)
    )
    kwargs: dict[str, Any] = {"elicitation_callback": respond} if answer is not None else {}
    async with Client(server, mode=mode, **kwargs) as connected:
        connected.shown = shown  # type: ignore[attr-defined]
        yield connected


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_one_call_from_run_to_result_when_the_client_shows_the_form(mode: Mode, tmp_path: Path) -> None:
    async with client(mode, tmp_path, {"approved": "accept", "comment": "fine"}) as session:
        result = await session.call_tool("execute_workflow", {"workflow": "expense-approval", "input": EXPENSE})
        shown: list[ElicitRequestParams] = session.shown  # type: ignore[attr-defined]
    assert not result.is_error, result.content
    outcome = result.structured_content or {}
    assert outcome["status"] == "COMPLETED"
    assert outcome["result"]["approved"] is True, "the chat output's structuredContent is the result"
    assert result.content[0].type == "text"
    assert result.content[0].text.startswith("Approved: Ana's expense")
    canvas = result.content[1]
    assert canvas.type == "resource"
    assert canvas.resource.mime_type == "text/markdown"
    assert "| Ana | 120.00 EUR | taxi | Approved |" in canvas.resource.text
    assert len(shown) == 1
    form = shown[0]
    assert "Ana asks to be reimbursed 120.00 EUR for taxi" in form.message, "the workflow's own question is shown"
    assert "Approver decision" in form.message
    assert form.requested_schema["properties"]["approved"]["oneOf"][0] == {"const": "accept", "title": "Approve"}


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_a_declined_form_submits_nothing_and_says_so(mode: Mode, tmp_path: Path) -> None:
    async with client(mode, tmp_path, {}) as session:
        result = await session.call_tool("execute_workflow", {"workflow": "expense-approval", "input": EXPENSE})
        outcome = result.structured_content or {}
        assert outcome["status"] == "RUNNING"
        assert "nothing was submitted" in outcome["note"]
        assert outcome["pending_inputs"][0]["label"] == "Approver decision: Ana's expense"
        again = await session.call_tool("get_execution", {"execution_id": outcome["execution_id"]})
    assert again.structured_content["pending_inputs"], "it still waits for the person"


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_without_forms_the_agent_relays_through_submit_input(mode: Mode, tmp_path: Path) -> None:
    async with client(mode, tmp_path, None) as session:
        started = await session.call_tool("execute_workflow", {"workflow": "expense-approval", "input": EXPENSE})
        outcome = started.structured_content or {}
        assert outcome["status"] == "RUNNING", "the wait ends as soon as the workflow asks"
        pending = outcome["pending_inputs"][0]
        assert set(pending["form"]["properties"]) == {"approved", "comment"}
        assert "submit_input" in outcome["next_step"]
        bad = await session.call_tool(
            "submit_input", {"execution_id": outcome["execution_id"], "input": {"approved": "maybe"}}
        )
        assert bad.is_error
        assert "`input.approved`" in bad.content[0].text, "the bad field is named before anything is sent"
        done = await session.call_tool(
            "submit_input", {"execution_id": outcome["execution_id"], "input": {"approved": "decline"}}
        )
    assert not done.is_error, done.content
    assert done.structured_content["status"] == "COMPLETED"
    assert done.structured_content["result"]["approved"] is False


async def test_the_bridge_can_be_switched_off(tmp_path: Path) -> None:
    async with client("legacy", tmp_path, {"approved": "accept"}, input_bridge=False) as session:
        result = await session.call_tool("execute_workflow", {"workflow": "expense-approval", "input": EXPENSE})
        shown: list[ElicitRequestParams] = session.shown  # type: ignore[attr-defined]
    assert shown == []
    assert result.structured_content["pending_inputs"]


async def test_what_waits_for_a_person_is_found_from_the_default_tools(tmp_path: Path) -> None:
    async with client("auto", tmp_path, None) as session:
        started = await session.call_tool("execute_workflow", {"workflow": "expense-approval", "input": EXPENSE})
        execution_id = started.structured_content["execution_id"]
        await session.call_tool("execute_workflow", {"workflow": "greeting", "input": {"name": "Bo"}})
        waiting = await session.call_tool("list_executions", {"waiting_for_input": True})
    rows = waiting.structured_content["executions"]
    assert [row["execution_id"] for row in rows] == [execution_id]

"""Workflow tools (run_<name>) become MCP tasks exactly as execute_workflow does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult

from mcp_workflows.server.app import WorkflowsServer
from tests.tasks.client import TaskHandle, Tasks, poll, wire

pytestmark = pytest.mark.anyio

EXPENSE = {"employee": "Ada", "amount": 120, "reason": "team lunch"}
MakeServer = Callable[..., WorkflowsServer]


async def test_a_declaring_client_gets_a_task_whose_result_is_the_inline_result(make_server: MakeServer) -> None:
    server = make_server(workflow_tools="greeting")
    async with Client(server, extensions=[Tasks()]) as client:
        handle = await client.session.call_tool("run_greeting", {"name": "Ada"}, allow_claimed=True)
        assert isinstance(handle, TaskHandle), f"expected a task handle, got {handle}"
        assert wire(handle)["status"] == "working"
        task = await poll(client.session, handle.task_id, lambda t: t["status"] == "completed")
    assert task["result"]["structuredContent"]["result"] == {"greeting": "Hello, Ada!"}
    async with Client(server) as plain:
        inline = await plain.session.call_tool("run_greeting", {"name": "Ada"}, allow_claimed=True)
    assert isinstance(inline, CallToolResult), "no task without the declaration"
    assert inline.structured_content is not None
    assert inline.structured_content["result"] == task["result"]["structuredContent"]["result"]


async def test_a_workflows_form_is_answered_through_the_task(make_server: MakeServer) -> None:
    async def approve(key: str, request: dict[str, Any]) -> dict[str, Any]:
        return {"action": "accept", "content": {"approved": "accept"}}

    tasks = Tasks(approve)
    async with Client(make_server(workflow_tools="expense-*"), extensions=[tasks]) as client:
        result = await client.call_tool("run_expense-approval", EXPENSE)
    assert "input_required" in tasks.statuses
    assert result.structured_content is not None
    assert result.structured_content["result"]["approved"] is True

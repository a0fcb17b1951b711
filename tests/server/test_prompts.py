"""Prompts: listed with their arguments, rendered as a plan naming the tools, refusing bad arguments."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, TextContent

from mcp_workflows.config import Settings
from tests.server.conftest import Mode, connected

pytestmark = pytest.mark.anyio


async def text_of(client: Client, name: str, arguments: dict[str, str]) -> str:
    result = await client.get_prompt(name, arguments)
    (message,) = result.messages
    assert message.role == "user"
    assert isinstance(message.content, TextContent)
    return message.content.text


async def test_prompts_are_listed_with_their_arguments(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert list(prompts) == ["run_workflow", "diagnose_execution", "review_waiting_inputs"]
        arguments = {name: [(a.name, a.required) for a in p.arguments or []] for name, p in prompts.items()}
        assert arguments == {
            "run_workflow": [("workflow", True), ("deployment", False), ("request", False)],
            "diagnose_execution": [("execution_id", True)],
            "review_waiting_inputs": [("workflow", False)],
        }
        assert all(p.title and p.description for p in prompts.values())


async def test_run_workflow_walks_through_get_workflow_then_execute_workflow(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        text = await text_of(
            client,
            "run_workflow",
            {"workflow": "greeting", "deployment": "sandbox-deployment", "request": "greet Ada in French"},
        )
        first, then = text.index('get_workflow(workflow="greeting")'), text.index("execute_workflow(")
        assert first < then
        assert 'deployment="sandbox-deployment"' in text
        assert "greet Ada in French" in text
        assert "turns it on" not in text, "both tools are in the default toolsets"


async def test_diagnose_says_which_toolsets_its_tools_need(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        text = await text_of(client, "diagnose_execution", {"execution_id": "exec-1"})
        assert 'get_execution(execution_id="exec-1")' in text
        assert "list_events (enable_toolsets(['events']) turns it on)" in text
        assert "get_execution_logs (enable_toolsets(['observability']) turns it on)" in text
        enabled = await client.call_tool("enable_toolsets", {"toolsets": ["events", "observability"]})
        assert not enabled.is_error, enabled.content
        text = await text_of(client, "diagnose_execution", {"execution_id": "exec-1"})
        assert "list_events (" not in text
        assert "get_execution_logs (" not in text
        assert "reset_execution (enable_toolsets(['runs']) turns it on)" in text
    read_only = settings.model_copy(update={"read_only": True})
    async with connected(read_only, mode) as client:
        text = await text_of(client, "run_workflow", {"workflow": "greeting"})
        assert "execute_workflow (not available on this server)" in text


async def test_review_waiting_inputs_lists_then_submits(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        text = await text_of(client, "review_waiting_inputs", {"workflow": "approval"})
        listed, submitted = (
            text.index('list_executions(waiting_for_input=true, workflow="approval")'),
            text.index("submit_input(execution_id="),
        )
        assert listed < text.index("get_execution(execution_id=...)") < submitted
        assert "Never answer on my behalf" in text
        assert "task_id" in text
        everything = await text_of(client, "review_waiting_inputs", {})
        assert "list_executions(waiting_for_input=true)" in everything


BAD_CALLS = [
    ("run_workflow", {}, "prompt run_workflow needs workflow"),
    ("run_workflow", {"workflow": "a/b"}, "contains a '/'"),
    ("run_workflow", {"workflow": "greeting", "colour": "red"}, "has no argument colour"),
    ("diagnose_execution", {"execution_id": "x" * 300}, "longer than 256 characters"),
    ("nope", {}, "no prompt 'nope'; prompts/list shows them"),
]


async def test_bad_prompt_arguments_are_refused(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        for name, arguments, says in BAD_CALLS:
            with pytest.raises(MCPError) as refused:
                await client.get_prompt(name, arguments)
            assert refused.value.error.code == INVALID_PARAMS, name
            assert says in refused.value.error.message, name

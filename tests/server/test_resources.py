"""Resources: the templates, and reading workflows, executions and schedules through them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, TextResourceContents

from mcp_workflows.config import Settings
from tests.server.conftest import Mode, Sandbox, connected, started

pytestmark = pytest.mark.anyio


async def read(client: Client, uri: str) -> tuple[str, Any]:
    result = await client.read_resource(uri)
    (content,) = result.contents
    assert isinstance(content, TextResourceContents)
    assert content.mime_type == "application/json"
    return content.text, json.loads(content.text)


async def test_the_templates_are_listed_and_nothing_else(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        templates = (await client.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == [
            "workflows://workflow/{workflow}",
            "workflows://execution/{execution_id}",
            "workflows://schedule/{schedule_id}",
        ]
        assert all(t.mime_type == "application/json" and t.description for t in templates)
        assert (await client.list_resources()).resources == []


async def test_a_workflow_definition_is_compact_json_with_schemas_handlers_and_chat_compatibility(
    settings: Settings, mode: Mode
) -> None:
    async with connected(settings, mode) as client:
        text, definition = await read(client, "workflows://workflow/approval")
        assert text == json.dumps(definition, separators=(",", ":"), ensure_ascii=False), "compact JSON"
        assert definition["workflow"]["name"] == "approval"
        assert definition["workflow"]["available_in_chat_assistant"] is False
        (registration,) = definition["registrations"]
        assert registration["deployment_name"] == "sandbox-deployment"
        assert registration["compatible_with_chat_assistant"] is False
        assert registration["input_schema"]["required"] == ["request"]
        approve = next(h for h in registration["handlers"] if h["name"] == "approve")
        assert approve["kind"] == "signal"
        assert approve["input_schema"]["required"] == ["approved"]
        assert {h["kind"] for h in registration["handlers"]} == {"signal", "query"}
        # The same workflow by id, and get_workflow agreeing on the schema execute_workflow checks.
        _, by_id = await read(client, f"workflows://workflow/{definition['workflow']['id']}")
        assert by_id == definition
        tool = await client.call_tool("get_workflow", {"workflow": "approval"})
        assert tool.structured_content is not None
        assert tool.structured_content["registration"]["input_schema"] == registration["input_schema"]


async def test_an_execution_reads_as_get_execution_shows_it(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        execution_id = await started(client, "greeting", {"name": "Ada"})
        tool = await client.call_tool("wait_for_execution", {"execution_id": execution_id, "wait_seconds": 20})
        assert tool.structured_content is not None
        assert tool.structured_content["status"] == "COMPLETED"
        _, execution = await read(client, f"workflows://execution/{execution_id}")
        shown = await client.call_tool("get_execution", {"execution_id": execution_id})
        assert execution == shown.structured_content
        assert execution["result"] == {"greeting": "Hello, Ada!"}


async def test_a_failed_execution_reads_with_its_failure(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        execution_id = await started(client, "always-fails", {"reason": "no coffee"})
        await client.call_tool("wait_for_execution", {"execution_id": execution_id, "wait_seconds": 20})
        _, execution = await read(client, f"workflows://execution/{execution_id}")
        assert execution["status"] == "FAILED"
        assert "no coffee" in execution["failure"]


async def test_a_schedule_reads_as_get_schedule_shows_it(settings: Settings, mode: Mode) -> None:
    async with connected(settings.model_copy(update={"toolsets": "all"}), mode) as client:
        created = await client.call_tool(
            "create_schedule",
            {"workflow": "greeting", "input": {"name": "Ada"}, "cron": ["0 9 * * *"], "schedule_id": "morning"},
        )
        assert not created.is_error, created.content
        _, schedule = await read(client, "workflows://schedule/morning")
        shown = await client.call_tool("get_schedule", {"schedule_id": "morning"})
        assert shown.structured_content is not None
        for field in ("schedule_id", "workflow_name", "paused", "when", "input"):
            assert schedule[field] == shown.structured_content[field]
        assert schedule["input"] == {"name": "Ada"}


BAD_URIS = [
    ("workflows://nothing/here", "resources/templates/list"),
    ("https://example.com/x", "resources/templates/list"),
    ("workflows://execution/a%2F..%2Fb", "contains a '/'; list_executions gives valid values"),
    ("workflows://workflow/archive", "name of another route"),
    ("workflows://execution/no-such-execution", "Call list_executions"),
    ("workflows://workflow/no-such-workflow", "Call list_workflows"),
    ("workflows://schedule/no-such-schedule", "Call list_schedules"),
]


async def test_a_bad_uri_is_refused_with_what_to_do(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        for uri, says in BAD_URIS:
            with pytest.raises(MCPError) as refused:
                await client.read_resource(uri)
            assert refused.value.error.code == INVALID_PARAMS, uri
            assert says in refused.value.error.message, uri


async def test_workflows_out_of_scope_cannot_be_read(settings: Settings, mode: Mode, sandbox: Sandbox) -> None:
    denied = settings.model_copy(update={"deny_workflows": "greet*"})
    async with connected(denied, mode) as client:
        execution = await sandbox.call("POST", "/v1/workflows/greeting/execute", {"input": {"name": "Ada"}})
        for uri in ("workflows://workflow/greeting", f"workflows://execution/{execution['execution_id']}"):
            with pytest.raises(MCPError) as refused:
                await client.read_resource(uri)
            assert "deny_workflows='greet*'" in refused.value.error.message
        _, allowed = await read(client, "workflows://workflow/approval")
        assert allowed["workflow"]["name"] == "approval"

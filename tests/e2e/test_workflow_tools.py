"""Every seed tool through MCP in both protocol eras, on an in-process server.

Results are checked against the sandbox's own state, read over HTTP without going through MCP.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.session import Session, text_of

pytestmark = pytest.mark.anyio

SEED_TOOLS = {
    "list_workflows",
    "get_workflow",
    "update_workflow",
    "archive_workflow",
    "unarchive_workflow",
    "list_workflow_registrations",
    "get_workflow_registration",
    "execute_workflow",
    "execute_workflow_registration",
}


@pytest.fixture
async def session(open_session: Any) -> AsyncIterator[Session]:
    """The defaults plus the registrations toolset, where the registration tools live."""
    async with open_session(settings={"toolsets": "default,registrations"}) as opened:
        yield opened


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    assert json.loads(text_of(result)), "the text copy is JSON too"
    return dict(result.structured_content)


async def test_tools_list_has_every_seed_tool_with_plain_schemas(session: Session) -> None:
    tools = {tool.name: tool for tool in (await session.client.list_tools()).tools}
    assert tools.keys() >= SEED_TOOLS
    for tool in tools.values():
        assert tool.annotations is not None
        assert tool.title, "every tool has a human title"
        assert tool.output_schema is not None, f"{tool.name} has no output schema"
        assert tool.input_schema["type"] == "object"
        dumped = json.dumps(tool.input_schema)
        assert "$ref" not in dumped
        assert "$defs" not in dumped
    assert "deprecated" in (tools["execute_workflow_registration"].description or "").lower()
    assert "execute_workflow" in (tools["execute_workflow_registration"].description or "")


async def test_list_workflows_matches_sandbox(session: Session) -> None:
    upstream = await session.sandbox("GET", "/v1/workflows", params={"limit": 100, "archived": "false"})
    page = structured(await session.call("list_workflows", {"limit": 100}))
    assert {w["id"] for w in page["workflows"]} == {w["id"] for w in upstream["workflows"]}
    archived = structured(await session.call("list_workflows", {"limit": 100, "archived": True}))
    assert archived["workflows"]
    assert all(w["archived"] for w in archived["workflows"])
    first = structured(await session.call("list_workflows", {"limit": 1}))
    assert len(first["workflows"]) == 1
    assert first["next_cursor"]
    second = structured(await session.call("list_workflows", {"limit": 1, "cursor": first["next_cursor"]}))
    assert second["workflows"][0]["id"] != first["workflows"][0]["id"]


async def test_get_workflow_returns_the_active_registration_input_schema(session: Session) -> None:
    detail = structured(await session.call("get_workflow", {"workflow": "greeting"}))
    workflow_id = detail["workflow"]["id"]
    upstream = await session.sandbox(
        "GET", "/v1/workflows/registrations", params={"workflow_id": workflow_id, "active_only": "true"}
    )
    registration = upstream["workflow_registrations"][0]
    assert detail["registration"]["id"] == registration["id"]
    assert detail["registration"]["input_schema"] == registration["definition"]["input_schema"]
    assert detail["registration"]["deployment_name"] == registration["deployment_name"]
    by_id = structured(await session.call("get_workflow", {"workflow": workflow_id}))
    assert by_id["workflow"]["name"] == "greeting"


async def test_get_workflow_lists_the_handlers_with_their_input_schemas(session: Session) -> None:
    detail = structured(await session.call("get_workflow", {"workflow": "approval"}))
    upstream = await session.sandbox(
        "GET", "/v1/workflows/registrations", params={"workflow_id": detail["workflow"]["id"], "active_only": "true"}
    )
    definition = upstream["workflow_registrations"][0]["definition"]
    handlers = {(h["kind"], h["name"]): h for h in detail["registration"]["handlers"]}
    assert set(handlers) == {("signal", s["name"]) for s in definition["signals"]} | {
        ("query", q["name"]) for q in definition["queries"]
    } | {("update", u["name"]) for u in definition["updates"]}
    approve = next(s for s in definition["signals"] if s["name"] == "approve")
    assert handlers[("signal", "approve")]["input_schema"] == approve["input_schema"]


async def test_update_workflow_changes_sandbox_state(session: Session) -> None:
    updated = structured(
        await session.call(
            "update_workflow", {"workflow": "greeting", "display_name": "Hi there", "tags": ["demo", "e2e"]}
        )
    )
    assert updated["display_name"] == "Hi there"
    upstream = (await session.sandbox("GET", "/v1/workflows/greeting"))["workflow"]
    assert upstream["display_name"] == "Hi there"
    assert upstream["tags"] == ["demo", "e2e"]


async def test_add_tags_keeps_the_existing_ones(session: Session) -> None:
    before = (await session.sandbox("GET", "/v1/workflows/greeting"))["workflow"]["tags"]
    assert before, "the demo workflow starts with tags of its own"
    added = structured(await session.call("update_workflow", {"workflow": "greeting", "add_tags": ["nightly"]}))
    assert added["tags"] == [*before, "nightly"]
    assert (await session.sandbox("GET", "/v1/workflows/greeting"))["workflow"]["tags"] == added["tags"]
    both = await session.call("update_workflow", {"workflow": "greeting", "tags": ["x"], "add_tags": ["y"]})
    assert both.is_error
    assert "not both" in text_of(both)


async def test_unarchive_workflow(session: Session) -> None:
    archived = (await session.sandbox("GET", "/v1/workflows", params={"archived": "true"}))["workflows"]
    assert archived, "the sandbox ships an archived demo workflow"
    name = archived[0]["name"]
    result = structured(await session.call("unarchive_workflow", {"workflow": name}))
    assert result["archived"] is False
    assert (await session.sandbox("GET", f"/v1/workflows/{name}"))["workflow"]["archived"] is False


async def test_registrations_list_and_get(session: Session) -> None:
    upstream = await session.sandbox("GET", "/v1/workflows/registrations", params={"limit": 100})
    page = structured(await session.call("list_workflow_registrations", {"limit": 100}))
    assert {r["id"] for r in page["registrations"]} == {r["id"] for r in upstream["workflow_registrations"]}
    one = upstream["workflow_registrations"][0]
    detail = structured(await session.call("get_workflow_registration", {"registration_id": one["id"]}))
    assert detail["workflow_id"] == one["workflow_id"]
    assert detail["input_schema"] == one["definition"]["input_schema"]


async def test_execute_workflow_returns_the_result(session: Session) -> None:
    outcome = structured(await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}}))
    assert outcome["status"] == "COMPLETED"
    assert "Ada" in json.dumps(outcome["result"])
    upstream = await session.sandbox("GET", f"/v1/workflows/executions/{outcome['execution_id']}")
    assert upstream["status"] == "COMPLETED"
    assert upstream["result"] == outcome["result"]


async def test_execute_with_own_execution_id_never_starts_twice(session: Session) -> None:
    args = {"workflow": "greeting", "input": {"name": "Bo"}, "execution_id": "e2e-once-1"}
    first = structured(await session.call("execute_workflow", args))
    again = structured(await session.call("execute_workflow", args))
    assert first["execution_id"] == again["execution_id"] == "e2e-once-1"
    runs = await session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": "greeting"})
    assert [e["execution_id"] for e in runs["executions"]].count("e2e-once-1") == 1


async def test_execute_workflow_registration(session: Session) -> None:
    detail = structured(await session.call("get_workflow", {"workflow": "greeting"}))
    outcome = structured(
        await session.call(
            "execute_workflow_registration",
            {"registration_id": detail["registration"]["id"], "input": {"name": "Cy"}},
        )
    )
    assert outcome["status"] == "COMPLETED"
    assert "Cy" in json.dumps(outcome["result"])


async def test_execute_with_zero_wait_returns_running(session: Session) -> None:
    outcome = structured(
        await session.call("execute_workflow", {"workflow": "slow-report", "input": {"seconds": 60}, "wait_seconds": 0})
    )
    assert outcome["status"] == "RUNNING"
    assert outcome["execution_id"] in outcome["next_step"]

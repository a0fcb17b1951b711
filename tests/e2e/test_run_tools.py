"""Workflows as their own tools (`--workflow-tools`): run_<name> tools through MCP, in-process, against
the shared sandbox; both protocol eras where the protocol matters (calls, progress, forms, list_changed).

What the tools should look like is read from the sandbox over HTTP (its workflows and registrations),
never written down here.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.client.context import ClientRequestContext
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp_types import CallToolResult, ElicitRequestParams, ElicitResult, Tool, ToolListChangedNotification

from mcp_workflows.reporting.tokens import count_tokens
from mcp_workflows.server.guard.audit import AUDIT_LOGGER
from mcp_workflows.server.schemas import compact_input_schema
from mcp_workflows.server.tool_index import wire_form
from tests.e2e.inprocess import connect_in_process
from tests.e2e.polling import eventually
from tests.e2e.session import Mode, Session, text_of

pytestmark = pytest.mark.anyio

EXPENSE = {"employee": "Ana", "amount": 120, "reason": "taxi"}
ACTIVE = "/v1/workflows?archived=false&include_shared=false&limit=1000"


def run_tools(tools: list[Tool]) -> dict[str, Tool]:
    return {tool.name: tool for tool in tools if tool.name.startswith("run_")}


async def listed(session: Session) -> list[Tool]:
    return (await session.client.list_tools()).tools


async def names(session: Session) -> set[str]:
    return {tool.name for tool in await listed(session)}


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return dict(result.structured_content)


async def served_workflows(session: Session, query: str = "") -> set[str]:
    """Unarchived, unshared workflows a worker serves, as the sandbox says (optionally filtered)."""
    rows = (await session.sandbox("GET", ACTIVE + query))["workflows"]
    served = await session.sandbox("GET", "/v1/workflows/registrations?active_only=true&limit=1000")
    ids = {registration["workflow_id"] for registration in served["workflow_registrations"]}
    return {row["name"] for row in rows if row["id"] in ids}


async def registration_schema(session: Session, workflow: str) -> dict[str, Any]:
    found = await session.sandbox("GET", f"/v1/workflows/{workflow}")
    page = await session.sandbox(
        "GET", f"/v1/workflows/registrations?workflow_id={found['workflow']['id']}&active_only=true"
    )
    schema: dict[str, Any] = page["workflow_registrations"][0]["definition"]["input_schema"]
    return schema


# ---------------------------------------------------------------- selection and definitions


async def test_globs_select_workflows_and_the_catalog_tools_stay_as_they_were(sandbox_url: str) -> None:
    async with connect_in_process(sandbox_url, "auto") as plain:
        catalog = [wire_form(tool) for tool in await listed(plain)]
    async with connect_in_process(sandbox_url, "auto", {"workflow_tools": "greeting, slow-*"}) as session:
        tools = await listed(session)
    assert set(run_tools(tools)) == {"run_greeting", "run_slow-report"}
    assert [wire_form(tool) for tool in tools[: len(catalog)]] == catalog, "workflow tools come after the catalog"


async def test_chat_selects_the_workflows_offered_in_the_chat_assistant(sandbox_url: str) -> None:
    async with connect_in_process(sandbox_url, "auto", {"workflow_tools": "chat"}) as session:
        offered = await served_workflows(session, "&available_in_chat_assistant=true")
        others = await served_workflows(session) - offered
        tools = run_tools(await listed(session))
    assert offered, "the demo has chat-assistant workflows"
    assert others, "and workflows that are not"
    assert set(tools) == {f"run_{name}" for name in offered}


async def test_each_tool_takes_its_registrations_input_schema_compacted(sandbox_url: str) -> None:
    async with connect_in_process(sandbox_url, "auto", {"workflow_tools": "*"}) as session:
        everything = await listed(session)
        tools = run_tools(everything)
        assert set(tools) == {f"run_{name}" for name in await served_workflows(session)}
        for name, tool in tools.items():
            workflow = name.removeprefix("run_")
            assert tool.input_schema == compact_input_schema(await registration_schema(session, workflow))
            assert tool.title == (await session.sandbox("GET", f"/v1/workflows/{workflow}"))["workflow"]["display_name"]
            assert tool.annotations is not None
            assert tool.annotations.open_world_hint
            assert not tool.annotations.read_only_hint
    execute = {tool.name: tool for tool in everything}["execute_workflow"]
    assert all(tool.output_schema == execute.output_schema for tool in tools.values()), "execute_workflow's result"


async def test_references_in_a_workflows_input_schema_are_inlined(sandbox_url: str) -> None:
    schema = {
        "$defs": {"Language": {"type": "string", "enum": ["en", "fr"], "title": "Language"}},
        "type": "object",
        "properties": {"name": {"type": "string"}, "language": {"$ref": "#/$defs/Language"}},
        "required": ["name"],
        "additionalProperties": False,
    }
    async with connect_in_process(sandbox_url, "auto", {"workflow_tools": "typed-*"}) as session:
        await session.sandbox(
            "POST", "/_sandbox/workflows", json={"name": "typed-greeting", "like": "greeting", "input_schema": schema}
        )
        tool = run_tools(await listed(session))["run_typed-greeting"]
        done = structured(await session.call("run_typed-greeting", {"name": "Lu", "language": "fr"}))
    assert "$ref" not in json.dumps(tool.input_schema)
    assert "$defs" not in json.dumps(tool.input_schema)
    assert tool.input_schema == compact_input_schema(schema)
    assert tool.input_schema["properties"]["language"] == {"type": "string", "enum": ["en", "fr"]}
    assert done["result"] == {"greeting": "Bonjour, Lu !"}


async def test_the_token_count_of_the_default_tools_list_is_unchanged_when_off(sandbox_url: str) -> None:
    """The README pins the default listing's cost; a session without the setting lists exactly that."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    pinned = re.search(r"16 tools\) cost ([\d,]+) tokens of tools/list", readme)
    assert pinned, "the README's generated summary names the default cost"
    async with connect_in_process(sandbox_url, "legacy") as session:
        tools = await listed(session)
    assert not run_tools(tools)
    assert count_tokens({"tools": [wire_form(tool) for tool in tools]}) == int(pinned.group(1).replace(",", ""))


# ---------------------------------------------------------------- calls: execute_workflow's behaviour


async def test_a_call_runs_the_workflow_and_answers_like_execute_workflow(
    open_session: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        async with open_session(settings={"workflow_tools": "greeting"}) as session:
            ran = structured(await session.call("run_greeting", {"name": "Bo"}))
            executed = structured(
                await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "Bo"}})
            )
            upstream = await session.sandbox("GET", f"/v1/workflows/executions/{ran['execution_id']}")
    assert ran.keys() == executed.keys()
    assert ran["status"] == executed["status"] == "COMPLETED"
    assert ran["result"] == executed["result"] == {"greeting": "Hello, Bo!"}
    assert ran["execution_id"] != executed["execution_id"]
    assert upstream["workflow_name"] == "greeting"
    audit = [json.loads(r.getMessage()) for r in caplog.records if r.name == AUDIT_LOGGER]
    assert [(line["tool"], line["targets"], line["outcome"]) for line in audit] == [
        ("run_greeting", {"workflow": "greeting"}, "done"),
        ("execute_workflow", {"workflow": "greeting"}, "done"),
    ]


async def test_bad_arguments_are_checked_against_the_workflows_schema(open_session: Any) -> None:
    async with open_session(settings={"workflow_tools": "greeting"}) as session:
        result = await session.call("run_greeting", {"language": "de"})
        executions = await session.sandbox("GET", "/v1/workflows/runs?workflow_identifier=greeting")
    assert result.is_error
    assert "'name' is a required property" in text_of(result)
    assert executions["executions"] == [], "nothing started"


async def test_progress_arrives(open_session: Any) -> None:
    seen: list[str] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message or "")

    async with open_session(settings={"workflow_tools": "slow-report"}) as session:
        done = structured(await session.call("run_slow-report", {"seconds": 20}, progress_callback=on_progress))
    assert done["status"] == "COMPLETED"
    assert seen[0].startswith("WORKFLOW_EXECUTION_STARTED")
    assert any("percent" in message for message in seen), "the workflow's own progress reaches the client"
    assert seen[-1].startswith("WORKFLOW_EXECUTION_COMPLETED")


async def test_a_pending_input_surfaces_like_execute_workflows(open_session: Any) -> None:
    async with open_session(settings={"workflow_tools": "expense-approval"}) as session:
        ran = structured(await session.call("run_expense-approval", EXPENSE))
        executed = structured(
            await session.call("execute_workflow", {"workflow": "expense-approval", "input": EXPENSE})
        )
    assert ran["status"] == executed["status"] == "RUNNING"
    assert ran.keys() == executed.keys()
    forms = [[{k: v for k, v in p.items() if k != "task_id"} for p in r["pending_inputs"]] for r in (ran, executed)]
    assert forms[0] == forms[1], "the same form, for another execution's task"
    assert ran["next_step"].replace(ran["execution_id"], "X") == executed["next_step"].replace(
        executed["execution_id"], "X"
    )
    assert "submit_input" in ran["next_step"]


async def test_a_client_that_shows_forms_gets_the_workflows_form(era: Mode, sandbox_url: str) -> None:
    shown: list[ElicitRequestParams] = []

    async def respond(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        shown.append(params)
        return ElicitResult(action="accept", content={"approved": "accept", "comment": "fine"})

    settings = {"workflow_tools": "expense-approval"}
    async with connect_in_process(sandbox_url, era, settings, elicitation_callback=respond) as session:
        done = structured(await session.call("run_expense-approval", EXPENSE))
    assert done["status"] == "COMPLETED"
    assert done["result"]["approved"] is True
    assert len(shown) == 1
    assert "Approver decision" in shown[0].message


async def test_a_confirmed_run_takes_a_token_bound_to_the_workflow_tool(sandbox_url: str) -> None:
    settings = {"workflow_tools": "greeting", "confirm": "execute=token"}
    async with connect_in_process(sandbox_url, "auto", settings) as session:
        tool = run_tools(await listed(session))["run_greeting"]
        asked = structured(await session.call("run_greeting", {"name": "Cy"}))
        wrong = await session.call(
            "execute_workflow",
            {"workflow": "greeting", "input": {"name": "Cy"}, "confirmation_token": asked["confirmation_token"]},
        )
        done = structured(
            await session.call("run_greeting", {"name": "Cy", "confirmation_token": asked["confirmation_token"]})
        )
    assert "confirmation_token" in tool.input_schema["properties"]
    assert asked["outcome"] == "confirmation_required"
    assert "call run_greeting again with confirmation_token" in asked["message"]
    assert "(not available" not in asked["message"], "a workflow tool is an active tool to the references"
    assert wrong.is_error, "the token was issued for run_greeting, not execute_workflow"
    assert done["confirmed_by"] == "token"
    assert done["result"] == {"greeting": "Hello, Cy!"}


# ---------------------------------------------------------------- guardrails


async def test_a_deny_rule_hides_the_tool_and_refuses_the_call(sandbox_url: str) -> None:
    settings = {"workflow_tools": "*", "deny_workflows": "greeting"}
    async with connect_in_process(sandbox_url, "auto", settings) as session:
        tools = run_tools(await listed(session))
        refused = await session.call("run_greeting", {"name": "Bo"})
        executions = await session.sandbox("GET", "/v1/workflows/runs?workflow_identifier=greeting")
    assert "run_greeting" not in tools
    assert "run_slow-report" in tools
    assert refused.is_error
    assert "not a workflow tool here" in text_of(refused)
    assert executions["executions"] == []


async def test_read_only_mode_has_no_workflow_tools(sandbox_url: str) -> None:
    async with connect_in_process(sandbox_url, "auto", {"workflow_tools": "*", "read_only": True}) as session:
        tools = await listed(session)
        refused = await session.call("run_greeting", {"name": "Bo"})
    assert not run_tools(tools)
    assert refused.is_error


async def test_exclude_tools_removes_a_workflow_tool_by_name(sandbox_url: str) -> None:
    settings = {"workflow_tools": "greeting,slow-report", "exclude_tools": "run_greeting"}
    async with connect_in_process(sandbox_url, "auto", settings) as session:
        tools = run_tools(await listed(session))
    assert set(tools) == {"run_slow-report"}


async def test_the_execution_cap_counts_workflow_tools(sandbox_url: str) -> None:
    settings = {"workflow_tools": "greeting", "max_executions": 1}
    async with connect_in_process(sandbox_url, "auto", settings) as session:
        structured(await session.call("run_greeting", {"name": "Bo"}))
        second = await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "Bo"}})
    assert second.is_error
    assert "cap" in text_of(second)


# ---------------------------------------------------------------- the set follows the workspace


async def test_a_new_or_archived_workflow_changes_the_tools_and_is_announced(era: Mode, sandbox_url: str) -> None:
    """A tiny TTL: every request after it re-reads the workflows. The handshake era hears of the change
    as a notification on its session, the 2026-07-28 era on its subscriptions/listen stream."""
    notified: list[ToolListChangedNotification] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, ToolListChangedNotification):
            notified.append(message)

    settings = {"workflow_tools": "greeting,fresh-*", "workflow_tools_ttl_s": 0.01}
    async with (
        connect_in_process(sandbox_url, era, settings, message_handler=on_message) as session,
        AsyncExitStack() as stack,
    ):
        assert set(run_tools(await listed(session))) == {"run_greeting"}
        events = None
        if era == "auto":
            events = await stack.enter_async_context(session.client.listen(tools_list_changed=True))
        heard = 0

        async def announced() -> None:
            nonlocal heard
            heard += 1
            if events is None:
                await eventually(lambda: _count(notified), lambda n: n >= heard, what="tools/list_changed")
            else:
                with anyio.fail_after(10):
                    await events.__anext__()

        await session.sandbox("POST", "/_sandbox/workflows", json={"name": "fresh-hello", "like": "greeting"})
        await eventually(lambda: names(session), lambda found: "run_fresh-hello" in found, what="the new tool")
        await announced()
        done = structured(await session.call("run_fresh-hello", {"name": "Di"}))
        await session.sandbox("PUT", "/v1/workflows/fresh-hello/archive")
        await eventually(lambda: names(session), lambda found: "run_fresh-hello" not in found, what="its removal")
        await announced()
    assert done["result"] == {"greeting": "Hello, Di!"}


async def _count(items: list[Any]) -> int:
    return len(items)


# ---------------------------------------------------------------- the rest of the server


async def test_references_treat_workflow_tools_as_active(sandbox_url: str) -> None:
    """A workflow tool's name can hold a catalog tool's name as a word: it is still one active tool's
    name, never explained as that (here inactive) catalog tool."""
    settings = {"workflow_tools": "tidy-*", "exclude_tools": "list_workflows", "max_executions": 0}
    described = "Tidies up; list_schedules shows what is left, get_execution follows it."
    async with connect_in_process(sandbox_url, "auto", settings) as session:
        await session.sandbox(
            "POST",
            "/_sandbox/workflows",
            json={"name": "tidy-list_workflows", "like": "greeting", "description": described},
        )
        tool = run_tools(await listed(session))["run_tidy-list_workflows"]
        refused = await session.call("run_tidy-list_workflows", {"name": "Ed"})
    assert refused.is_error
    assert "run_tidy-list_workflows refused: " in text_of(refused)
    description = tool.description or ""
    assert "list_schedules (enable_toolsets(['schedules']) turns it on)" in description
    assert "get_execution follows" in description, "an active tool is named as it is"


@pytest.mark.parametrize("scopes", [["workflows:read"], ["workflows:read", "workflows:execute"]])
async def test_oauth_scopes_apply_to_workflow_tools(sandbox_url: str, scopes: list[str]) -> None:
    token = AccessToken(token="t", client_id="agent", scopes=scopes, subject="alice")
    reset = auth_context_var.set(AuthenticatedUser(token))
    try:
        async with connect_in_process(sandbox_url, "auto", {"workflow_tools": "greeting"}) as session:
            tools = run_tools(await listed(session))
            result = await session.call("run_greeting", {"name": "Bo"})
    finally:
        auth_context_var.reset(reset)
    may_execute = "workflows:execute" in scopes
    assert ("run_greeting" in tools) is may_execute
    assert result.is_error is not may_execute
    if not may_execute:
        assert "run_greeting refused" in text_of(result)
        assert "workflows:execute" in text_of(result)

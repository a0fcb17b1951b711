"""The call gate on its own: what it refuses before a call, what a listing shows, what it records after.

Targets given by name need no upstream request, so no API is involved here; ids that must be
resolved, and every kind of target, are covered end to end in tests/e2e/test_guardrails.py.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from mcp_workflows.config import Settings
from mcp_workflows.server.catalog import Listing, Risk, Target, ToolSpec
from mcp_workflows.server.guard.audit import AUDIT_LOGGER
from mcp_workflows.server.guard.caps import MemoryWindowCounter
from mcp_workflows.server.guard.gate import CallGate

pytestmark = pytest.mark.anyio

ARCHIVE = ToolSpec(
    "archive_workflow", "workflows", "Archive", Risk.DESTRUCTIVE, (), target=Target("workflow", "workflow")
)
EXECUTE = ToolSpec("execute_workflow", "workflows", "Run", Risk.EXECUTE, (), target=Target("workflow", "workflow"))
UPDATE = ToolSpec("update_workflow", "workflows", "Edit", Risk.WRITE, (), target=Target("workflow", "workflow"))
READ = ToolSpec("get_workflow", "workflows", "Get", Risk.READ, (), target=Target("workflow", "workflow"))
LIST = ToolSpec("list_things", "workflows", "List", Risk.READ, (), listing=Listing("rows", "workflow_name"))
NO_API: Any = None  # named targets are never looked up


class Row(BaseModel):
    id: int
    workflow_name: str | None


class Page(BaseModel):
    rows: list[Row]
    next_cursor: str | None = None


def gate_for(settings: Settings) -> CallGate:
    return CallGate(settings, MemoryWindowCounter())


def outcome(name: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text="{}")], structured_content={"outcome": name})


def failure(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


async def test_without_rules_nothing_is_refused() -> None:
    gate = gate_for(Settings())
    for spec in (ARCHIVE, EXECUTE, UPDATE, READ):
        assert await gate.refusal(spec, {"workflow": "anything"}, NO_API) is None


async def test_a_denied_target_is_refused_naming_the_tool_and_the_rule() -> None:
    gate = gate_for(Settings(deny_workflows="count*"))
    refusal = await gate.refusal(READ, {"workflow": "counter"}, NO_API)
    assert refusal is not None
    assert refusal.startswith("get_workflow refused: workflow 'counter' is denied")
    assert refusal.endswith("Ask the operator to change the rule if this is needed.")
    assert await gate.refusal(READ, {"workflow": "greeting"}, NO_API) is None
    assert await gate.refusal(READ, {}, NO_API) is None, "a call without a target is not the rule's business"
    assert await gate.refusal(LIST, {"workflow": "counter"}, NO_API) is None, "a listing has no target"


async def test_every_name_of_a_list_target_is_checked() -> None:
    bulk = ToolSpec("bulk", "workflows", "Bulk", Risk.DESTRUCTIVE, (), target=Target("workflow", "workflows"))
    gate = gate_for(Settings(allow_workflows="greet*"))
    refusal = await gate.refusal(bulk, {"workflows": ["greeting", "greetings", "approval"]}, NO_API)
    assert refusal is not None
    assert "'approval'" in refusal


async def test_caps_apply_per_risk_class_and_count_only_done_calls() -> None:
    gate = gate_for(Settings(max_destructive=1, max_executions=2))
    args = {"workflow": "greeting"}
    for result in (outcome("confirmation_required"), outcome("declined"), failure("Error: nope")):
        await gate.account(ARCHIVE, args, result, refused=False)
    await gate.account(ARCHIVE, args, outcome("done"), refused=True)
    assert await gate.refusal(ARCHIVE, args, NO_API) is None, "nothing acted yet"
    await gate.account(ARCHIVE, args, outcome("done"), refused=False)
    refusal = await gate.refusal(ARCHIVE, args, NO_API)
    assert refusal is not None
    assert refusal.startswith("archive_workflow refused: the operator's cap of 1 destructive calls")
    assert await gate.refusal(EXECUTE, args, NO_API) is None, "executions have their own cap"
    await gate.account(
        EXECUTE, args, CallToolResult(content=[], structured_content={"status": "RUNNING"}), refused=False
    )
    assert await gate.refusal(EXECUTE, args, NO_API) is None, "a result without an outcome acted: 1 of 2"
    await gate.account(EXECUTE, args, CallToolResult(content=[]), refused=False)
    assert await gate.refusal(EXECUTE, args, NO_API) is not None
    await gate.account(UPDATE, args, outcome("done"), refused=False)
    assert await gate.refusal(UPDATE, args, NO_API) is None, "writes are not capped"


async def test_caps_count_under_the_keys_every_replica_shares() -> None:
    """Replicas (of this release or the one before, during an upgrade) count in one store: each cap
    sees what the others recorded under its key, so the cap holds across all of them."""
    counter = MemoryWindowCounter()
    for key in ("execute", "destructive"):  # what another replica recorded
        await counter.add(key, 3600)
    gate = CallGate(Settings(max_destructive=1, max_executions=1, cap_window_s=3600), counter)
    args = {"workflow": "greeting"}
    for spec in (ARCHIVE, EXECUTE):
        refusal = await gate.refusal(spec, args, NO_API)
        assert refusal is not None, spec.name
        assert refusal.startswith(f"{spec.name} refused: the operator's cap of 1 "), refusal


async def test_audit_lines_record_the_outcome_and_why(caplog: pytest.LogCaptureFixture) -> None:
    gate = gate_for(Settings(audit_payloads=True))
    args = {"workflow": "greeting", "input": {"name": "Sam"}, "display_name": "x"}
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        await gate.account(READ, args, outcome("done"), refused=False)
        await gate.account(ARCHIVE, args, failure("Error: refused by rule"), refused=True)
        await gate.account(UPDATE, args, failure("Error: not found"), refused=False)
        await gate.account(EXECUTE, args, outcome("confirmation_required"), refused=False)
        done = CallToolResult(content=[], structured_content={"outcome": "done", "confirmed_by": "token"})
        await gate.account(ARCHIVE, args, done, refused=False)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == AUDIT_LOGGER]
    assert [(line["tool"], line["outcome"], line.get("detail"), line["confirmation"]) for line in lines] == [
        ("archive_workflow", "refused", "Error: refused by rule", "none"),
        ("update_workflow", "error", "Error: not found", "none"),
        ("execute_workflow", "confirmation_required", None, "none"),
        ("archive_workflow", "done", None, "token"),
    ], "reads are not audited; the confirmation path only when the call acted"
    assert all(line["targets"] == {"workflow": "greeting"} for line in lines), "ids and names, never payloads"
    assert all(line["payload"] == {"name": "Sam"} for line in lines), "payloads only when the operator asks"
    assert all(
        line["risk"] == spec.risk.value for line, spec in zip(lines, (ARCHIVE, UPDATE, EXECUTE, ARCHIVE), strict=True)
    )


async def test_payloads_are_not_audited_by_default(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        await gate_for(Settings()).account(EXECUTE, {"workflow": "g", "input": {"name": "Sam"}}, outcome("done"), False)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == AUDIT_LOGGER]
    assert [line["tool"] for line in lines] == ["execute_workflow"]
    assert "payload" not in lines[0]
    assert "Sam" not in caplog.text


async def test_a_run_that_failed_was_still_done(caplog: pytest.LogCaptureFixture) -> None:
    """A failed execution comes back as a structured error result: it started, so it counts."""
    gate = gate_for(Settings(max_executions=1))
    failed_run = CallToolResult(content=[], structured_content={"status": "FAILED"}, is_error=True)
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        await gate.account(EXECUTE, {"workflow": "g"}, failed_run, refused=False)
    assert json.loads(caplog.records[-1].getMessage())["outcome"] == "done"
    assert await gate.refusal(EXECUTE, {"workflow": "g"}, NO_API) is not None


def test_listings_show_only_rows_in_scope_and_rows_that_name_no_workflow() -> None:
    page = Page(
        rows=[Row(id=1, workflow_name="greeting"), Row(id=2, workflow_name="counter"), Row(id=3, workflow_name=None)]
    )
    trimmed = gate_for(Settings(deny_workflows="count*")).visible(LIST, page)
    assert [row.id for row in trimmed.rows] == [1, 3]
    assert [row.id for row in page.rows] == [1, 2, 3], "the upstream page itself is left alone"
    assert gate_for(Settings()).visible(LIST, page) is page
    assert gate_for(Settings(deny_workflows="count*")).visible(READ, page) is page, "only listings are trimmed"

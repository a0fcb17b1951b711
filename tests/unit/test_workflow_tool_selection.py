"""Which workflows become run_<name> tools, under which names, and why others are left out: from plain data."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from mcp_workflows.config import Settings
from mcp_workflows.reporting.tokens import count_tokens
from mcp_workflows.server.schemas import compact_input_schema
from mcp_workflows.server.tool_index import indexed_specs, indexed_tools, wire_form
from mcp_workflows.server.workflow_tools import (
    DESCRIPTION_LIMIT,
    NAME_LIMIT,
    Candidate,
    WorkflowToolSet,
    select_workflow_tools,
    tool_names,
)

VALID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Input",
    "properties": {"name": {"type": "string", "title": "Name", "maxLength": 10}},
    "required": ["name"],
}


def candidate(name: str, **changes: Any) -> Candidate:
    return dataclasses.replace(Candidate(name, name.title(), f"Does {name}.", False, SCHEMA), **changes)


def select(candidates: list[Candidate], catalog: dict[str, Any] | None = None, **settings: Any) -> WorkflowToolSet:
    return select_workflow_tools(
        candidates,
        Settings(**{"workflow_tools": "*", **settings}),
        {**indexed_specs(), **(catalog or {})},
        indexed_tools()["execute_workflow"],
    )


def reasons(selected: WorkflowToolSet) -> dict[str, str]:
    return {entry.workflow: entry.reason for entry in selected.left_out}


def test_valid_names_are_kept_and_others_made_valid() -> None:
    names = tool_names(["greeting", "Expense approval", "café.v2", "x" * 100], set())
    assert names["greeting"] == "run_greeting"
    assert names["Expense approval"] == "run_Expense_approval"
    assert names["café.v2"] == "run_caf__v2"
    assert names["x" * 100] == "run_" + "x" * 60
    assert all(name is not None and VALID.match(name) for name in names.values())


def test_a_changed_name_that_meets_another_gets_a_suffix_of_its_own() -> None:
    names = tool_names(["a.b", "a_b", "a-b"], set())
    assert names["a_b"] == "run_a_b", "a name valid as it is keeps its tool name"
    assert names["a-b"] == "run_a-b"
    suffixed = names["a.b"]
    assert suffixed is not None
    assert re.fullmatch(r"run_a_b_[0-9a-f]{6}", suffixed)
    assert tool_names(["zz", "a_b", "a.b"], set())["a.b"] == suffixed, "the suffix depends on the name alone"
    assert tool_names(["a.b"], set())["a.b"] == "run_a_b", "no suffix without a collision"


def test_long_names_cut_to_the_same_prefix_stay_apart() -> None:
    first, second = "w" * 70 + "1", "w" * 70 + "2"
    names = tool_names([first, second], set())
    assert names[first] != names[second]
    assert all(name is not None and len(name) <= NAME_LIMIT and VALID.match(name) for name in names.values())


def test_a_catalog_tool_is_never_shadowed() -> None:
    names = tool_names(["x", "x.y", "x_y"], {"run_x", "run_x_y"})
    assert names["x"] is None, "its plain name is taken and cannot change"
    assert names["x_y"] is None
    assert names["x.y"] not in (None, "run_x_y")


def test_a_name_collision_with_the_catalog_is_reported() -> None:
    catalog = {"run_report": indexed_specs()["execute_workflow"]}
    selected = select([candidate("report"), candidate("greeting")], catalog)
    assert set(selected.tools) == {"run_greeting"}
    assert reasons(selected) == {"report": "name collision: run_report is a catalog tool's name"}


def test_patterns_in_order_then_names_fill_the_cap() -> None:
    candidates = [candidate(name) for name in ("beta", "alpha", "zeta", "report-a", "report-b")]
    selected = select(candidates, workflow_tools="report-*, chat, *", max_workflow_tools=3)
    assert list(selected.tools) == ["run_report-a", "run_report-b", "run_alpha"]
    assert reasons(selected) == dict.fromkeys(
        ["beta", "zeta"], "over the cap MCP_WORKFLOWS_MAX_WORKFLOW_TOOLS=3 (earlier patterns first)"
    )


def test_chat_selects_by_the_chat_assistant_flag_only() -> None:
    selected = select([candidate("chat"), candidate("helper", chat=True)], workflow_tools="chat")
    assert list(selected.tools) == ["run_helper"]


def test_the_definition_is_the_compacted_schema_and_the_workflows_text() -> None:
    long = "word " * 200
    selected = select(
        [candidate("greeting"), candidate("essay", description=long), candidate("bare", description=None)]
    )
    tool = selected.tools["run_greeting"]
    assert tool.tool.input_schema == compact_input_schema(SCHEMA)
    assert tool.tool.title == "Greeting"
    assert tool.tool.description == "Run workflow greeting: Does greeting."
    assert tool.tokens == count_tokens(wire_form(tool.tool))
    essay = selected.tools["run_essay"].tool.description or ""
    assert essay.endswith("…")
    assert len(essay) <= len("Run workflow essay: ") + DESCRIPTION_LIMIT
    assert selected.tools["run_bare"].tool.description == "Run workflow bare: Bare", "the display name stands in"
    assert tool.spec.name == "run_greeting"
    assert tool.spec.risk == indexed_specs()["execute_workflow"].risk


def test_workflows_that_cannot_have_a_tool_say_why() -> None:
    outside = {"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}
    recursive = {"$defs": {"N": {"type": "object", "properties": {"next": {"$ref": "#/$defs/N"}}}}, "$ref": "#/$defs/N"}
    selected = select(
        [
            candidate("idle", input_schema=None),
            candidate("remote", input_schema=outside),
            candidate("scalar", input_schema={"type": "string"}),
            candidate("nested", input_schema=recursive),
            candidate("secret"),
            candidate("hidden"),
        ],
        deny_workflows="secret",
        exclude_tools="run_hidden",
    )
    assert selected.tools == {}
    assert reasons(selected) == {
        "idle": "no active registration: no worker serves it now",
        "remote": "its input schema has a $ref that cannot be inlined",
        "scalar": "its input is not a JSON object",
        "nested": "its input schema nests too deeply (a recursive model?) to inline",
        "secret": "out of scope: workflow 'secret' is denied by the operator's rule deny_workflows='secret'",
        "hidden": "excluded by MCP_WORKFLOWS_EXCLUDE_TOOLS",
    }


def test_a_definition_over_the_token_limit_is_left_out() -> None:
    both = [candidate("small"), candidate("wordy", description="many words here " * 18)]
    costs = {t.workflow: t.tokens for t in select(both).tools.values()}
    assert costs["small"] < costs["wordy"]
    selected = select(both, max_workflow_tool_tokens=costs["small"])
    assert list(selected.tools) == ["run_small"]
    limit = costs["small"]
    assert reasons(selected) == {
        "wordy": f"its definition is {costs['wordy']} tokens, over MCP_WORKFLOWS_MAX_WORKFLOW_TOOL_TOKENS={limit}"
    }


def test_read_only_or_no_patterns_means_no_workflow_tools() -> None:
    assert select([candidate("greeting")], read_only=True) == WorkflowToolSet()
    assert select([candidate("greeting")], workflow_tools=" , ") == WorkflowToolSet()


@pytest.mark.parametrize("policy", ["execute=token", "execute=auto", "execute=elicit"])
def test_confirmed_runs_take_execute_workflows_confirmation_token(policy: str) -> None:
    clash = {**SCHEMA, "properties": {"confirmation_token": {"type": "string"}}}
    selected = select([candidate("greeting"), candidate("clash", input_schema=clash)], confirm=policy)
    properties = selected.tools["run_greeting"].tool.input_schema["properties"]
    execute = indexed_tools()["execute_workflow"].input_schema["properties"]
    assert properties["confirmation_token"] == execute["confirmation_token"]
    assert reasons(selected) == {"clash": "its input has a field confirmation_token, which confirming a run takes"}
    assert (
        "confirmation_token"
        not in select([candidate("greeting")]).tools["run_greeting"].tool.input_schema["properties"]
    ), "not when runs are not confirmed"


def test_a_call_becomes_execute_workflows_arguments() -> None:
    tool = select([candidate("greeting")]).tools["run_greeting"]
    assert tool.execute_arguments({"name": "Bo"}) == {"workflow": "greeting", "input": {"name": "Bo"}}
    assert tool.execute_arguments({"name": "Bo", "confirmation_token": "t"}) == {
        "workflow": "greeting",
        "confirmation_token": "t",
        "input": {"name": "Bo"},
    }
    assert tool.execute_arguments({}) == {"workflow": "greeting", "input": {}}

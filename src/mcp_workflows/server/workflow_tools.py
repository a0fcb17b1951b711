"""Workflows as their own tools (`--workflow-tools`): `run_<name>`, whose arguments are the workflow's input.

A workflow tool is execute_workflow with its workflow fixed. Its definition comes from the workflow
(title, description) and from its active registration (the input schema, compacted like every
advertised schema); a call becomes execute_workflow's arguments and runs execute_workflow's own code
under the tool's name (server/app.py), so guardrails, confirmation, progress, people in the loop,
results and audit lines are execute_workflow's by construction.

This module decides, from plain data, which workflows become tools and what each looks like. Names
follow MCP's rules ([A-Za-z0-9_-], at most 64 characters) and never take a catalog tool's name;
workflows out of the operator's scope, definitions over the token limit and tools beyond the cap
are left out, each with its reason (`mcp-workflows tools` prints them).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp_types import Tool

from mcp_workflows.config import Settings
from mcp_workflows.reporting.tokens import count_tokens
from mcp_workflows.server.catalog import ToolSpec
from mcp_workflows.server.guard.scope import WorkflowScope
from mcp_workflows.server.schemas import compact_input_schema
from mcp_workflows.server.tool_index import wire_form

PREFIX = "run_"
CHAT = "chat"  # the pattern that selects the workflows offered in the chat assistant
NAME_LIMIT = 64
DESCRIPTION_LIMIT = 300  # characters of the workflow's own text
CONFIRMATION_ARGUMENT = "confirmation_token"  # execute_workflow's, kept when the policy confirms runs
EXECUTE = "execute_workflow"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Candidate:
    """A workflow that may become a tool, as the API describes it."""

    name: str
    display_name: str
    description: str | None
    chat: bool  # offered in the chat assistant
    input_schema: dict[str, Any] | None  # its active registration's; None when no worker serves it


@dataclass(frozen=True)
class WorkflowTool:
    """One workflow's tool: as advertised, and the spec its calls run under."""

    name: str
    workflow: str
    tool: Tool
    spec: ToolSpec  # execute_workflow's, under this tool's name and title
    tokens: int

    def execute_arguments(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """execute_workflow's arguments for a call of this tool."""
        given = dict(arguments)
        call: dict[str, Any] = {"workflow": self.workflow}
        if CONFIRMATION_ARGUMENT in given:
            call[CONFIRMATION_ARGUMENT] = given.pop(CONFIRMATION_ARGUMENT)
        call["input"] = given
        return call


@dataclass(frozen=True)
class LeftOut:
    """A selected workflow that got no tool, and why."""

    workflow: str
    reason: str
    name: str | None = None


@dataclass(frozen=True)
class WorkflowToolSet:
    """The workflow tools of one reading of the API, in the order tools/list shows them."""

    tools: Mapping[str, WorkflowTool] = field(default_factory=dict)
    left_out: tuple[LeftOut, ...] = ()

    def same_tools(self, other: WorkflowToolSet) -> bool:
        """True when both advertise exactly the same tools (what tools/list_changed is about)."""
        return {n: t.tool for n, t in self.tools.items()} == {n: t.tool for n, t in other.tools.items()}


def patterns(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def tool_names(workflows: Iterable[str], taken: Collection[str]) -> dict[str, str | None]:
    """Each workflow's tool name; None when it cannot have one without taking another's.

    `run_<name>` when the name is valid as it is. A name that had to change (characters replaced,
    cut to 64) and then meets another tool's name gets a suffix derived from the workflow's own
    name, so a workflow keeps its tool name whichever other workflows exist. A workflow whose plain
    name is a catalog tool's gets none: catalog tools are never shadowed.
    """
    plain = {w: (PREFIX + _UNSAFE.sub("_", w))[:NAME_LIMIT] for w in workflows}
    crowded = Counter(plain.values())
    names: dict[str, str] = {}
    for workflow, name in plain.items():
        if name != PREFIX + workflow and (crowded[name] > 1 or name in taken):
            name = f"{name[: NAME_LIMIT - 7]}_{hashlib.sha256(workflow.encode()).hexdigest()[:6]}"
        names[workflow] = name
    final = Counter(names.values())
    return {w: None if name in taken or final[name] > 1 else name for w, name in names.items()}


def select_workflow_tools(
    candidates: Iterable[Candidate], settings: Settings, catalog: Mapping[str, ToolSpec], execute: Tool
) -> WorkflowToolSet:
    """The workflow tools for these settings: workflows matching the patterns, earlier patterns first
    (then by name), until the cap. `execute` is execute_workflow as advertised."""
    wanted = patterns(settings.workflow_tools)
    if settings.read_only or not wanted:
        return WorkflowToolSet()
    ranked = sorted(
        ((rank, candidate) for candidate in candidates if (rank := _rank(candidate, wanted)) is not None),
        key=lambda pair: (pair[0], pair[1].name),
    )
    chosen = [candidate for _, candidate in ranked]
    names = tool_names([c.name for c in chosen], set(catalog))
    scope = WorkflowScope.from_settings(settings)
    excluded = set(patterns(settings.exclude_tools))
    confirmed = settings.confirm_policy["execute"] != "off"
    max_tokens = settings.max_workflow_tool_tokens

    def made(candidate: Candidate, name: str | None) -> WorkflowTool | str:
        """The workflow's tool, or why it has none."""
        if (refusal := scope.refusal(candidate.name)) is not None:
            return f"out of scope: {refusal}"
        if name is None:
            return f"name collision: {(PREFIX + candidate.name)[:NAME_LIMIT]} is a catalog tool's name"
        if name in excluded:
            return "excluded by MCP_WORKFLOWS_EXCLUDE_TOOLS"
        schema = _input_schema(candidate, execute, confirmed)
        if isinstance(schema, str):
            return schema
        spec = dataclasses.replace(catalog[EXECUTE], name=name, title=candidate.display_name)
        tool = Tool(
            name=name,
            title=candidate.display_name,
            description=_description(candidate),
            input_schema=schema,
            output_schema=execute.output_schema,
            annotations=spec.annotations,
        )
        tokens = count_tokens(wire_form(tool))
        if tokens > max_tokens:
            return f"its definition is {tokens} tokens, over MCP_WORKFLOWS_MAX_WORKFLOW_TOOL_TOKENS={max_tokens}"
        return WorkflowTool(name, candidate.name, tool, spec, tokens)

    tools: dict[str, WorkflowTool] = {}
    left_out: list[LeftOut] = []
    for candidate in chosen:
        name = names[candidate.name]
        outcome = made(candidate, name)
        if isinstance(outcome, WorkflowTool) and len(tools) >= settings.max_workflow_tools:
            outcome = (
                f"over the cap MCP_WORKFLOWS_MAX_WORKFLOW_TOOLS={settings.max_workflow_tools} (earlier patterns first)"
            )
        if isinstance(outcome, str):
            left_out.append(LeftOut(candidate.name, outcome, name))
        else:
            tools[outcome.name] = outcome
    return WorkflowToolSet(tools, tuple(left_out))


def _rank(candidate: Candidate, wanted: list[str]) -> int | None:
    """The index of the first pattern that selects this workflow; None when none does."""
    for index, pattern in enumerate(wanted):
        if candidate.chat if pattern == CHAT else fnmatch.fnmatchcase(candidate.name, pattern):
            return index
    return None


def _input_schema(candidate: Candidate, execute: Tool, confirmed: bool) -> dict[str, Any] | str:
    """The registration's input schema, compacted with its references inlined; or why it cannot be one."""
    if candidate.input_schema is None:
        return "no active registration: no worker serves it now"
    try:
        schema = compact_input_schema(candidate.input_schema)
    except (ValueError, RecursionError):
        return "its input schema nests too deeply (a recursive model?) to inline"
    if _has_ref(schema):
        return "its input schema has a $ref that cannot be inlined"
    if schema.setdefault("type", "object") != "object":
        return "its input is not a JSON object"
    if confirmed:  # runs are confirmed: the tool takes execute_workflow's confirmation_token too
        properties = schema.setdefault("properties", {})
        if CONFIRMATION_ARGUMENT in properties:
            return f"its input has a field {CONFIRMATION_ARGUMENT}, which confirming a run takes"
        properties[CONFIRMATION_ARGUMENT] = execute.input_schema["properties"][CONFIRMATION_ARGUMENT]
    return schema


def _has_ref(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_has_ref(value) for value in node.values())
    return isinstance(node, list) and any(_has_ref(item) for item in node)


def _description(candidate: Candidate) -> str:
    text = " ".join((candidate.description or candidate.display_name).split())
    if len(text) > DESCRIPTION_LIMIT:
        text = text[: DESCRIPTION_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    return f"Run workflow {candidate.name}: {text}"

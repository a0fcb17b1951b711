"""Which tools a process exposes: toolsets, single tools added or excluded, read-only mode, and
configuration typos caught at start-up."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_workflows.config import Settings
from mcp_workflows.server.catalog import Risk
from mcp_workflows.server.guard.selection import SelectionError, select_tools, selected_toolsets
from mcp_workflows.server.tool_index import indexed_specs

CATALOG = indexed_specs()


def selected(**settings: Any) -> list[str]:
    return [spec.name for spec in select_tools(Settings(**settings))]


def toolset(name: str) -> set[str]:
    return {spec.name for spec in CATALOG.values() if spec.toolset == name}


def test_the_default_is_workflows_and_executions_plus_the_way_to_turn_on_more() -> None:
    assert set(selected()) == toolset("workflows") | toolset("executions") | {"enable_toolsets"}
    assert selected_toolsets(Settings()) == {"workflows", "executions"}


def test_all_turns_every_toolset_on_and_leaves_nothing_to_enable() -> None:
    assert selected(toolsets="all") == [name for name in CATALOG if name != "enable_toolsets"]


def test_toolsets_combine_and_blank_entries_are_ignored() -> None:
    names = set(selected(toolsets=" default , schedules,, "))
    assert names == toolset("workflows") | toolset("executions") | toolset("schedules") | {"enable_toolsets"}
    assert set(selected(toolsets="runs")) == toolset("runs") | {"enable_toolsets"}


def test_toolsets_turned_on_in_the_session_are_added() -> None:
    names = {spec.name for spec in select_tools(Settings(), also={"events"})}
    assert toolset("events") <= names
    assert "enable_toolsets" in names, "others are still off"


def test_single_tools_are_added_and_excluded_tools_removed_last() -> None:
    names = selected(tools="get_schedule, list_events", exclude_tools="archive_workflow,get_schedule")
    assert "list_events" in names
    assert "get_schedule" not in names, "exclusion wins over an explicit tool"
    assert "archive_workflow" not in names
    assert "unarchive_workflow" in names


def test_read_only_wins_over_everything() -> None:
    names = selected(toolsets="all", tools="archive_workflow", read_only=True)
    assert names, "read tools stay"
    assert all(CATALOG[name].risk is Risk.READ for name in names)
    assert "archive_workflow" not in names
    assert set(names) == {name for name, spec in CATALOG.items() if spec.risk is Risk.READ} - {"enable_toolsets"}


def test_the_catalog_order_is_kept() -> None:
    order = list(CATALOG)
    names = selected(toolsets="schedules,workflows", tools="get_run")
    assert names == sorted(names, key=order.index)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"toolsets": "workflows,schedule"}, "unknown toolset 'schedule'; valid toolsets: workflows, executions"),
        ({"tools": "archive_workflows"}, "unknown tool 'archive_workflows'; valid tools: enable_toolsets, "),
        ({"exclude_tools": "get_exec, nope"}, "unknown tool 'get_exec', 'nope'; valid tools: "),
        # With workflow tools on, only run_* names may wait for the workflows to be read; without, none may.
        ({"workflow_tools": "*", "exclude_tools": "run_greeting, nope"}, "unknown tool 'nope'; valid tools: "),
        ({"exclude_tools": "run_greeting"}, "unknown tool 'run_greeting'; valid tools: "),
    ],
)
def test_a_typo_stops_start_up_with_the_valid_names(settings: dict[str, str], message: str) -> None:
    with pytest.raises(SelectionError) as caught:
        select_tools(Settings(**settings))
    assert message in str(caught.value)


def test_core_is_not_a_toolset_one_can_name() -> None:
    with pytest.raises(SelectionError, match="unknown toolset 'core'"):
        selected_toolsets(Settings(toolsets="core"))

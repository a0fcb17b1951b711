"""The operator's rules in isolation: allow/deny globs over workflow names, and caps per sliding window.

The end-to-end tests (tests/e2e/test_guardrails.py) show them applied to every kind of call; these
pin the rules themselves, with a clock the test moves.
"""

from __future__ import annotations

import pytest

from mcp_workflows.config import Settings
from mcp_workflows.server.guard.caps import MemoryWindowCounter, WindowCap
from mcp_workflows.server.guard.scope import WorkflowScope


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_without_rules_everything_is_in_scope() -> None:
    scope = WorkflowScope.from_settings(Settings(allow_workflows=" , ", deny_workflows=""))
    assert not scope.active
    assert scope.refusal("anything") is None


@pytest.mark.parametrize("name", ["greeting", "counter-2", "report"])
def test_any_allow_pattern_lets_a_workflow_in(name: str) -> None:
    scope = WorkflowScope.from_settings(Settings(allow_workflows="greet*, count*,report"))
    assert scope.active
    assert scope.refusal(name) is None


def test_a_workflow_no_allow_pattern_matches_is_refused_naming_the_list() -> None:
    refusal = WorkflowScope.from_settings(Settings(allow_workflows="greet*,count*")).refusal("approval")
    assert refusal is not None
    assert "'approval'" in refusal
    assert "allow_workflows='greet*,count*'" in refusal


def test_deny_wins_over_allow_and_names_the_pattern() -> None:
    scope = WorkflowScope.from_settings(Settings(allow_workflows="*", deny_workflows="approval, count*"))
    assert scope.active
    refusal = scope.refusal("counter")
    assert refusal is not None
    assert "deny_workflows='count*'" in refusal
    assert scope.refusal("greeting") is None


def test_patterns_are_case_sensitive_globs() -> None:
    scope = WorkflowScope(deny=("Greet?ng",))
    assert scope.refusal("Greeting") is not None
    assert scope.refusal("greeting") is None
    assert scope.refusal("Greetings") is None


@pytest.mark.anyio
async def test_a_cap_refuses_once_reached_and_says_when_the_next_call_is_possible() -> None:
    clock = Clock()
    cap = WindowCap("destructive calls", "destructive", 2, 60.0, MemoryWindowCounter(clock))
    assert await cap.refusal() is None
    await cap.record()
    clock.now += 10
    await cap.record()
    clock.now += 5
    refusal = await cap.refusal()
    assert refusal is not None
    assert "cap of 2 destructive calls per 60 s" in refusal
    assert "possible in 45 s" in refusal, "the oldest call leaves the window 60 s after it was made"


@pytest.mark.anyio
async def test_the_window_slides_one_call_at_a_time() -> None:
    clock = Clock()
    cap = WindowCap("executions started", "execute", 2, 60.0, MemoryWindowCounter(clock))
    await cap.record()
    clock.now += 30
    await cap.record()
    clock.now += 29.9
    assert await cap.refusal() is not None
    clock.now += 0.1
    assert await cap.refusal() is None, "the first call is 60 s old: it no longer counts"
    await cap.record()
    assert await cap.refusal() is not None, "the second call still counts"
    clock.now += 30
    assert await cap.refusal() is None


@pytest.mark.anyio
async def test_each_cap_counts_its_own_calls() -> None:
    counter = MemoryWindowCounter(Clock())
    destructive = WindowCap("destructive calls", "destructive", 1, 60.0, counter)
    executions = WindowCap("executions started", "execute", 1, 60.0, counter)
    await destructive.record()
    assert await destructive.refusal() is not None
    assert await executions.refusal() is None

"""A cap of 0 refuses every call with a message, instead of failing inside the server."""

from __future__ import annotations

from mcp_workflows.server.guard.caps import WindowCap


def test_a_cap_of_zero_allows_nothing() -> None:
    cap = WindowCap("destructive calls", 0, 60.0)
    assert cap.refusal() == "the operator allows no destructive calls (a cap of 0)"


def test_unlimited_never_refuses() -> None:
    cap = WindowCap("executions", None, 60.0)
    cap.record()
    assert cap.refusal() is None

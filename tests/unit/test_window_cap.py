"""A cap of 0 refuses every call with a message, instead of failing inside the server."""

from __future__ import annotations

import pytest

from mcp_workflows.server.guard.caps import MemoryWindowCounter, WindowCap

pytestmark = pytest.mark.anyio


async def test_a_cap_of_zero_allows_nothing() -> None:
    cap = WindowCap("destructive calls", "destructive", 0, 60.0, MemoryWindowCounter())
    assert await cap.refusal() == "the operator allows no destructive calls (a cap of 0)"


async def test_unlimited_never_refuses() -> None:
    cap = WindowCap("executions", "execute", None, 60.0, MemoryWindowCounter())
    await cap.record()
    assert await cap.refusal() is None

"""Wait for sandbox state by polling it until a deadline, never by sleeping a fixed time.

A "something changed" check polls until the change shows. A "nothing changed" check first waits
for a witness that proves the call (or the period) is over, then reads the state once: a sleep
would only prove that the machine was fast enough that time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

T = TypeVar("T")

DEADLINE_S = 15.0
INTERVAL_S = 0.02


async def eventually(
    read: Callable[[], Awaitable[T]],
    holds: Callable[[T], object] = bool,
    *,
    what: str = "the condition",
    within_s: float = DEADLINE_S,
) -> T:
    """Call `read()` until `holds(value)`; return that value, or fail with the last one at the deadline."""
    deadline = anyio.current_time() + within_s
    while True:
        value = await read()
        if holds(value):
            return value
        if anyio.current_time() >= deadline:
            raise AssertionError(f"{what} did not hold within {within_s} s; last value read: {value!r}")
        await anyio.sleep(INTERVAL_S)

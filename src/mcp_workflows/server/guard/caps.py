"""Caps on mutating calls: at most N executions started (or destructive calls) per sliding window.

They stop an agent caught in a loop; the call gate counts only calls that acted. The counts sit
behind `WindowCounter`: in this process by default, in the Redis the replicas share when
MCP_WORKFLOWS_REDIS_URL is set (`server/redis_state/caps.py`), so a cap holds across replicas.
Checking and counting are two steps (a call counts once it has acted), so calls that run at the
same moment all pass the check: a cap can be exceeded by the calls in flight at once, in one
process as across replicas.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Window:
    """What a counter saw in one sliding window."""

    count: int
    oldest_age_s: float  # how long ago the oldest counted event happened (0 when there is none)


class WindowCounter(Protocol):
    """Events per key in a sliding window: an event older than the window no longer counts."""

    async def recent(self, key: str, window_s: float) -> Window:
        """The events of `key` within the last `window_s` seconds."""
        ...

    async def add(self, key: str, window_s: float) -> None:
        """Count one event of `key` now."""
        ...


@dataclass
class MemoryWindowCounter:
    """The embedded counter: timestamps in this process."""

    clock: Callable[[], float] = time.monotonic
    _events: dict[str, deque[float]] = field(default_factory=dict)

    def _within(self, key: str, window_s: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        now = self.clock()
        while events and now - events[0] >= window_s:
            events.popleft()
        return events

    async def recent(self, key: str, window_s: float) -> Window:
        events = self._within(key, window_s)
        return Window(len(events), self.clock() - events[0] if events else 0.0)

    async def add(self, key: str, window_s: float) -> None:
        self._within(key, window_s).append(self.clock())


@dataclass(frozen=True)
class WindowCap:
    """At most `limit` events per sliding window of `window_s` seconds (None: unlimited)."""

    name: str  # what is counted, as the refusal says it
    key: str  # the counter's key
    limit: int | None
    window_s: float
    counter: WindowCounter

    async def refusal(self) -> str | None:
        if self.limit is None:
            return None
        if self.limit == 0:  # the operator allows none at all: nothing to count
            return f"the operator allows no {self.name} (a cap of 0)"
        window = await self.counter.recent(self.key, self.window_s)
        if window.count < self.limit:
            return None
        retry_in = self.window_s - window.oldest_age_s
        return (
            f"the operator's cap of {self.limit} {self.name} per {self.window_s:.0f} s is reached; "
            f"the next one is possible in {retry_in:.0f} s"
        )

    async def record(self) -> None:
        if self.limit is not None:
            await self.counter.add(self.key, self.window_s)

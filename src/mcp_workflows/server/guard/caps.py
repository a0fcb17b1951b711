"""Caps on mutating calls: at most N executions started (or destructive calls) per sliding window.

They stop an agent caught in a loop; the call gate counts only calls that acted.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class WindowCap:
    """At most `limit` events per sliding window of `window_s` seconds (None: unlimited)."""

    name: str
    limit: int | None
    window_s: float
    clock: Callable[[], float] = time.monotonic
    _events: deque[float] = field(default_factory=deque)

    def refusal(self) -> str | None:
        if self.limit is None:
            return None
        now = self.clock()
        while self._events and now - self._events[0] >= self.window_s:
            self._events.popleft()
        if len(self._events) < self.limit:
            return None
        if not self._events:  # a cap of 0: the operator allows none at all
            return f"the operator allows no {self.name} (a cap of 0)"
        retry_in = self.window_s - (now - self._events[0])
        return (
            f"the operator's cap of {self.limit} {self.name} per {self.window_s:.0f} s is reached; "
            f"the next one is possible in {retry_in:.0f} s"
        )

    def record(self) -> None:
        if self.limit is not None:
            self._events.append(self.clock())

"""What an operator allows the agent to touch: workflow allow/deny lists and caps on mutating calls.

Applied centrally by the server before a tool runs, so no tool can forget them. A refusal says
which rule refused the call.
"""

from __future__ import annotations

import fnmatch
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from mcp_workflows.config import Settings


def _patterns(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class WorkflowScope:
    """Glob patterns of workflow names. Deny wins; with an allow list, anything unlisted is refused."""

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkflowScope:
        return cls(allow=_patterns(settings.allow_workflows), deny=_patterns(settings.deny_workflows))

    @property
    def active(self) -> bool:
        return bool(self.allow or self.deny)

    def refusal(self, workflow_name: str) -> str | None:
        """Why this workflow is out of scope, naming the rule; None when it is allowed."""
        for pattern in self.deny:
            if fnmatch.fnmatchcase(workflow_name, pattern):
                return f"workflow '{workflow_name}' is denied by the operator's rule deny_workflows='{pattern}'"
        if self.allow and not any(fnmatch.fnmatchcase(workflow_name, p) for p in self.allow):
            return (
                f"workflow '{workflow_name}' is not in the operator's allow list "
                f"(allow_workflows='{','.join(self.allow)}')"
            )
        return None


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
        retry_in = self.window_s - (now - self._events[0])
        return (
            f"the operator's cap of {self.limit} {self.name} per {self.window_s:.0f} s is reached; "
            f"the next one is possible in {retry_in:.0f} s"
        )

    def record(self) -> None:
        if self.limit is not None:
            self._events.append(self.clock())

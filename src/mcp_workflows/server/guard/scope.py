"""Which workflows the agent may touch: the operator's allow and deny lists of name globs.

Applied centrally by the call gate before a tool runs, so no tool can forget them. A refusal says
which rule refused the call.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

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

"""Every tool call passes this gate: the caller's OAuth scopes, scope rules and caps before it
runs; listings trimmed to the scope and accounting after.

The server applies it centrally (server/app.py), so a tool cannot forget a rule. Confirmation
is a separate step of guarded tools (guard/confirmation.py), because only the tool knows what to
show the human.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from mcp_types import CallToolResult
from pydantic import BaseModel

from mcp_workflows.config import Settings
from mcp_workflows.server.catalog import Risk, ToolSpec
from mcp_workflows.server.guard.audit import audit
from mcp_workflows.server.guard.caller import scope_refusal
from mcp_workflows.server.guard.caps import WindowCap
from mcp_workflows.server.guard.scope import WorkflowScope
from mcp_workflows.server.guard.targets import audit_targets, workflow_names

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient

R = TypeVar("R", bound=BaseModel)


class CallGate:
    """Scope (allow/deny workflow names), caps on mutating calls, and the audit trail."""

    def __init__(self, settings: Settings) -> None:
        self.scope = WorkflowScope.from_settings(settings)
        self.caps = {
            Risk.EXECUTE: WindowCap("executions started", settings.max_executions, settings.cap_window_s),
            Risk.DESTRUCTIVE: WindowCap("destructive calls", settings.max_destructive, settings.cap_window_s),
        }
        self._audit_payloads = settings.audit_payloads

    async def refusal(self, spec: ToolSpec, arguments: Mapping[str, Any], api: WorkflowsClient) -> str | None:
        """Why this call may not run, naming the rule; None when it may."""
        if reason := scope_refusal(spec.name, spec.risk):
            return reason
        cap = self.caps.get(spec.risk)
        if cap is not None and (reason := cap.refusal()):
            return f"{spec.name} refused: {reason}."
        if spec.target is None or not self.scope.active:
            return None
        value = arguments.get(spec.target.argument)
        if value is None:
            return None
        for name in await workflow_names(api, spec.target.kind, value):
            if reason := self.scope.refusal(name):
                return f"{spec.name} refused: {reason}. Ask the operator to change the rule if this is needed."
        return None

    def visible(self, spec: ToolSpec, result: R) -> R:
        """A listing without the rows of workflows the rules put out of scope, so the agent only
        sees what it may touch. Rows that do not name their workflow stay."""
        if spec.listing is None or not self.scope.active:
            return result
        rows = getattr(result, spec.listing.rows)
        kept = [
            row
            for row in rows
            if (name := getattr(row, spec.listing.workflow_field)) is None or self.scope.refusal(name) is None
        ]
        return result if len(kept) == len(rows) else result.model_copy(update={spec.listing.rows: kept})

    def account(self, spec: ToolSpec, arguments: Mapping[str, Any], result: CallToolResult, refused: bool) -> None:
        """Count what was done against the caps and write the audit line of a mutating call."""
        if spec.risk is Risk.READ:
            return
        structured = result.structured_content or {}
        if refused:
            outcome = "refused"
        elif result.is_error and not structured:  # a failed run is structured: it was done
            outcome = "error"
        else:
            outcome = str(structured.get("outcome", "done"))
        if outcome == "done" and (cap := self.caps.get(spec.risk)) is not None:
            cap.record()
        detail = None
        if result.is_error and result.content and result.content[0].type == "text":
            detail = result.content[0].text
        audit(
            tool=spec.name,
            risk=spec.risk.value,
            targets=audit_targets(arguments),
            outcome=outcome,
            confirmation=structured.get("confirmed_by") if outcome == "done" else None,
            detail=detail,
            payload=arguments.get("input") if self._audit_payloads else None,
        )

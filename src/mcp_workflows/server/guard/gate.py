"""Every tool call passes this gate: the caller's OAuth scopes, scope rules and caps before it
runs; listings trimmed to the scope and accounting after.

The server applies it centrally (server/app.py), so a tool cannot forget a rule. Confirmation
is a separate step of guarded tools (guard/confirmation.py), because only the tool knows what to
show the human.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from mcp_types import CallToolResult
from pydantic import BaseModel

from mcp_workflows.config import Settings
from mcp_workflows.server.catalog import Risk, ToolSpec
from mcp_workflows.server.guard.audit import audit
from mcp_workflows.server.guard.caller import scope_refusal
from mcp_workflows.server.guard.caps import WindowCap, WindowCounter
from mcp_workflows.server.guard.scope import WorkflowScope
from mcp_workflows.server.guard.targets import audit_targets, workflow_names
from mcp_workflows.server.shared_state import SharedStateUnavailable

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient

R = TypeVar("R", bound=BaseModel)

logger = logging.getLogger("mcp_workflows.server")


class CallGate:
    """Scope (allow/deny workflow names), caps on mutating calls, and the audit trail."""

    def __init__(self, settings: Settings, counter: WindowCounter) -> None:
        self.scope = WorkflowScope.from_settings(settings)
        window = settings.cap_window_s
        self.caps = {
            Risk.EXECUTE: WindowCap("executions started", "execute", settings.max_executions, window, counter),
            Risk.DESTRUCTIVE: WindowCap("destructive calls", "destructive", settings.max_destructive, window, counter),
        }
        self._audit_payloads = settings.audit_payloads

    async def refusal(self, spec: ToolSpec, arguments: Mapping[str, Any], api: WorkflowsClient) -> str | None:
        """Why this call may not run, naming the rule; None when it may."""
        if reason := scope_refusal(spec.name, spec.risk):
            return reason
        cap = self.caps.get(spec.risk)
        try:
            if cap is not None and (reason := await cap.refusal()):
                return f"{spec.name} refused: {reason}."
        except SharedStateUnavailable as exc:
            return f"{spec.name} refused: {exc}"
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

    async def account(
        self, spec: ToolSpec, arguments: Mapping[str, Any], result: CallToolResult, refused: bool
    ) -> None:
        """Count what was done against the caps and write the audit line of a mutating call.

        The action happened whatever the counter says: a count that cannot be stored is logged,
        and the result still goes back (failing it would invite the agent to act twice)."""
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
            try:
                await cap.record()
            except SharedStateUnavailable as exc:
                logger.error("%s acted but was not counted against the cap on %s: %s", spec.name, cap.name, exc.problem)
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

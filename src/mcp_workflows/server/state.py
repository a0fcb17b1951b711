"""What every tool call can reach: the shared API client, the settings and the guardrails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context

from mcp_workflows.config import Settings

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.server.completions import Completions
    from mcp_workflows.server.guard.confirmation import Confirmations
    from mcp_workflows.server.guard.gate import CallGate
    from mcp_workflows.server.guard.spent import ConfirmationStore
    from mcp_workflows.server.registrations import Registrations
    from mcp_workflows.server.subscriptions import ResourceSubscriptions


@dataclass(frozen=True)
class AppState:
    """Created once in the server lifespan, shared by every tool call."""

    api: WorkflowsClient
    settings: Settings
    confirmations: Confirmations
    registrations: Registrations
    gate: CallGate
    store: ConfirmationStore  # short-lived entries shared by the processes on this machine (or the replicas, in Redis)
    subscriptions: ResourceSubscriptions
    completions: Completions


def app_state(ctx: Context[Any, Any]) -> AppState:
    state = ctx.request_context.lifespan_context
    assert isinstance(state, AppState)
    return state

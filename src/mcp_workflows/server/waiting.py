"""Wait for an execution to end within a time budget, reporting progress as the status changes.

Polls with capped exponential backoff. The budget keeps every call well inside the 60 s most
MCP clients allow; when it runs out the caller gets the current status and what to call next.
Cancelling the MCP call cancels only the wait, never the execution.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
from mcp.server.mcpserver import Context

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.models.executions import Execution

FIRST_POLL_S = 0.1
MAX_POLL_S = 2.0


async def wait_for_end(
    api: WorkflowsClient, execution: Execution, budget_s: float, ctx: Context[Any, Any] | None = None
) -> Execution:
    """Return the execution once terminal, or its latest state when the budget runs out."""
    deadline = time.monotonic() + budget_s
    delay = FIRST_POLL_S
    last_status = execution.status
    while not execution.is_terminal:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        await anyio.sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_POLL_S)
        execution = await api.executions.get(execution.execution_id)
        if ctx is not None and execution.status != last_status:
            last_status = execution.status
            await ctx.report_progress(
                budget_s - max(0.0, deadline - time.monotonic()),
                budget_s,
                f"execution {execution.execution_id} is {execution.status}",
            )
    return execution

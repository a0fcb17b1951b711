"""Starting an execution, the same way for every tool that starts one.

The server always sends its own execution id, so a retried start never runs twice (a 409 on our
id is the first attempt having got through); it then waits within the caller's budget; and any
failure from the start request on names that id, so an agent follows it instead of starting again.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from mcp.server.mcpserver import Context

from mcp_workflows.api.errors import Conflict, WorkflowsAPIError
from mcp_workflows.api.models.executions import Execution, ExecutionRequest, ExecutionSyncResult
from mcp_workflows.server.results import CreatedIdError
from mcp_workflows.server.state import app_state
from mcp_workflows.server.tasks import task_requested
from mcp_workflows.server.tools.outcomes import ExecutionOutcome, outcome_of
from mcp_workflows.server.waiting import wait_in_call


def new_execution_id() -> str:
    return f"mcp-{uuid.uuid4().hex}"


async def start_and_wait(
    ctx: Context,
    request: ExecutionRequest,
    wait_seconds: float,
    send: Callable[[], Awaitable[Execution | ExecutionSyncResult]],
) -> ExecutionOutcome:
    """Send the start request and wait; any failure from then on names the execution_id."""
    state = app_state(ctx)
    api = state.api
    execution_id = request.execution_id
    if task_requested(ctx.request_context):
        wait_seconds = 0  # the call becomes a task (server/tasks): the client polls instead of waiting here
    assert execution_id is not None
    try:
        try:
            started = await send()
        except Conflict:
            # Our own execution id already exists: a retried call whose first attempt got through.
            started = await api.executions.get(execution_id)
        known = started if isinstance(started, Execution) else None
        waited = await wait_in_call(state, execution_id, wait_seconds, ctx, known=known)
    except WorkflowsAPIError as exc:
        follow = (
            f"Call wait_for_execution(execution_id={execution_id!r}) to follow it instead of executing again "
            f"(executing again with execution_id={execution_id!r} never starts a second run)."
        )
        raise CreatedIdError(exc, f"Execution {execution_id!r}", follow) from exc
    return outcome_of(waited)

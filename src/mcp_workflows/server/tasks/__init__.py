"""MCP Tasks (`io.modelcontextprotocol/tasks`, SEP-2663, protocol 2026-07-28) for executions.

A client that declares the extension on its `tools/call` gets `execute_workflow` back as a task
handle instead of a result held open for a wait. The task IS the execution: its id is the
execution id, signed (`ids.py`), so `tasks/get` reads the execution afresh (`view.py`) on any
replica, after any restart, with no task store. `extension.py` serves `tasks/get`,
`tasks/update` (a person's answers to the forms the workflow waits on) and `tasks/cancel`.

This module stays light: the tool that starts an execution imports `task_requested` to skip its
wait when the call will become a task.
"""

from __future__ import annotations

from typing import Any

from mcp.server.context import ServerRequestContext

from mcp_workflows.server.workflow_tools import PREFIX as WORKFLOW_TOOL_PREFIX

TASKS = "io.modelcontextprotocol/tasks"
# The SEP-2663 shapes exist on this wire version only; older ones had another Tasks protocol.
TASK_VERSIONS = frozenset({"2026-07-28"})
# The tools whose call may become a task: the ones that start an execution (tools/launch.py), and
# the workflow tools (server/workflow_tools.py), which are execute_workflow with its workflow fixed.
TASK_TOOLS = frozenset({"execute_workflow", "execute_workflow_registration"})


def task_requested(ctx: ServerRequestContext[Any, Any]) -> bool:
    """Whether this request is a task-capable tool call from a client that declared the extension
    on this very request (2026-07-28 capabilities are per request; a handle must never reach a
    client that did not declare it)."""
    if ctx.method != "tools/call" or ctx.protocol_version not in TASK_VERSIONS:
        return False
    capabilities = ctx.session.client_capabilities
    declared = capabilities.extensions if capabilities is not None else None
    name = str((ctx.params or {}).get("name"))
    return (
        bool(declared) and TASKS in (declared or {}) and (name in TASK_TOOLS or name.startswith(WORKFLOW_TOOL_PREFIX))
    )

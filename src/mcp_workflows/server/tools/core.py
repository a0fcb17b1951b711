"""The `core` toolset: what the session itself offers. On whenever some toolset is still off."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from mcp_workflows.server.catalog import Risk, tool
from mcp_workflows.server.results import ToolInputError
from mcp_workflows.server.tools.shared import ToolResult

Toolset = Literal[
    "workflows", "executions", "registrations", "runs", "observability", "events", "schedules", "deployments"
]


class ToolBrief(ToolResult):
    name: str
    description: str | None = None


class ToolsetsEnabled(ToolResult):
    enabled: list[str]
    tools: list[ToolBrief] = Field(default_factory=list, description="Tools now available, callable at once.")


@tool(Risk.READ, "Turn on more tools", operations=())
async def enable_toolsets(
    ctx: Context,
    toolsets: Annotated[list[Toolset], Field(min_length=1, max_length=8, description="Toolsets to turn on.")],
) -> ToolsetsEnabled:
    """Turn on more tools for this session: runs (run history, reset), observability (traces, logs,
    metrics), events, schedules, deployments, registrations."""
    from mcp_workflows.server.app import WorkflowsServer

    server = ctx.mcp_server
    if not isinstance(server, WorkflowsServer):
        raise ToolInputError("this server cannot change its tools during a session.")
    added = server.enable_toolsets(set(toolsets))
    if added:
        await server.announce_tools_changed(ctx.session)
    return ToolsetsEnabled(
        enabled=sorted(toolsets),
        tools=[ToolBrief(name=tool.name, description=tool.description) for tool in added],
    )

"""`serve --sandbox`: the server wired to a sandbox started in the same process.

The entry point's job, not the server's: server/ never imports sandbox/ (docs: the server cannot
tell a stand-in from the real API). The sandbox is handed in as the server's upstream, started
with the server's lifespan on `MCP_WORKFLOWS_SANDBOX_PORT` (any free port by default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcp_workflows.config import Settings
from mcp_workflows.server.app import WorkflowsServer, build_server

if TYPE_CHECKING:
    from mcp_workflows.server.oauth import OAuthConfig


def build_sandboxed_server(settings: Settings, oauth: OAuthConfig | None = None) -> WorkflowsServer:
    """The server for these settings, its upstream a sandbox of its own."""
    from mcp_workflows.sandbox import SandboxConfig, running_sandbox

    config = SandboxConfig(time_scale=settings.sandbox_time_scale, keep_executions=settings.sandbox_keep_executions)
    return build_server(settings, oauth, upstream=lambda: running_sandbox(config, port=settings.sandbox_port))


def server_for(settings: Settings, oauth: OAuthConfig | None = None) -> WorkflowsServer:
    """The server `serve` runs: on its own sandbox with `--sandbox`, else on `MISTRAL_BASE_URL`."""
    return build_sandboxed_server(settings, oauth) if settings.sandbox else build_server(settings, oauth)

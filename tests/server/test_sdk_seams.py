"""The public `MCPServer` methods resources and prompts override, checked so an SDK upgrade that
changes one fails here. (The low-level handlers and `connections.connection_of` are exercised by the
handshake-era subscription and logging tests.)"""

from __future__ import annotations

import inspect

from mcp.server.mcpserver import MCPServer

from mcp_workflows.server.app import WorkflowsServer


def test_the_overridden_methods_are_public_and_keep_their_signatures() -> None:
    for name in ("list_resource_templates", "read_resource", "list_prompts", "get_prompt"):
        ours, theirs = getattr(WorkflowsServer, name), getattr(MCPServer, name)
        assert ours is not theirs, f"WorkflowsServer.{name} is ours"
        assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters), name

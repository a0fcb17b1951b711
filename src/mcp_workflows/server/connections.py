"""The client connection behind a request, for state that outlives the request.

Handshake-era subscriptions and the `logging/setLevel` level belong to a connection, not to one
request: `Connection.state` holds the level, and `Connection.exit_stack` (the SDK's hook for
per-connection teardown) releases the subscriptions when the client goes away. mcp 2.3 gives request handlers
a `ServerSession` that keeps its connection private, so this is the one place that reaches it
(the handshake-era tests of tests/server fail, with the assertion below, if an SDK upgrade moves it).
"""

from __future__ import annotations

from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.connection import Connection


def connection_of(ctx: ServerRequestContext[Any, Any]) -> Connection:
    connection = ctx.session._connection
    assert isinstance(connection, Connection), "mcp moved ServerSession's connection"
    return connection

"""What the server says it serves, per protocol era: exactly what it serves.

The SDK derives capabilities from the handlers registered, plus `NotificationOptions` its
transports never pass: handshake clients would hear `tools.listChanged: false`, and on 2026-07-28
every `listChanged` is true as soon as `subscriptions/listen` is served. One function states ours
instead, and a server middleware puts it in the `initialize` result and in `server/discover`
(extensions and experimental capabilities the SDK added stay as they are).

- tools: `listChanged` (enable_toolsets changes the list: notifications/tools/list_changed in the
  handshake era, the listen stream on 2026-07-28);
- resources: templates to read; `subscribe` where execution watches are served (not on
  stateless handshake-era HTTP, which has no channel to send updates on, nor when
  MCP_WORKFLOWS_MAX_RESOURCE_WATCHES is 0); the resource list never changes;
- prompts: a fixed list; completions; logging (client_log.py).
"""

from __future__ import annotations

from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.context import CallNext, HandlerResult
from mcp_types import (
    CompletionsCapability,
    LoggingCapability,
    PromptsCapability,
    ResourcesCapability,
    ServerCapabilities,
    ToolsCapability,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel

ADVERTISING_METHODS = frozenset({"initialize", "server/discover"})


def served(protocol_version: str, *, sessions: bool, watches: bool) -> ServerCapabilities:
    """The capabilities served to a client speaking `protocol_version`."""
    modern = protocol_version in MODERN_PROTOCOL_VERSIONS
    return ServerCapabilities(
        tools=ToolsCapability(list_changed=True),
        resources=ResourcesCapability(subscribe=watches and (modern or sessions), list_changed=False),
        prompts=PromptsCapability(list_changed=False),
        completions=CompletionsCapability(),
        logging=LoggingCapability(),
    )


class AdvertiseServed:
    """Server middleware: the `capabilities` of initialize and server/discover results, from `served`."""

    def __init__(self, *, sessions: bool, watches: bool) -> None:
        self._sessions = sessions
        self._watches = watches

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        result = await call_next(ctx)
        if ctx.method not in ADVERTISING_METHODS or result is None:
            return result
        wire = (
            result.model_dump(by_alias=True, mode="json", exclude_none=True)
            if isinstance(result, BaseModel)
            else result
        )
        ours = served(ctx.protocol_version, sessions=self._sessions, watches=self._watches)
        wire["capabilities"] = {
            **wire.get("capabilities", {}),
            **ours.model_dump(by_alias=True, mode="json", exclude_none=True),
        }
        return wire

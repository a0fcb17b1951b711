"""Resource subscriptions in both protocol eras, over one set of execution watches.

- 2026-07-28: a client opens `subscriptions/listen` with the URIs it wants. The SDK's
  `ListenHandler` serves the stream from the server's `SubscriptionBus`; the handler here wraps it
  and holds a watch for each execution URI while the stream is open. The ack names only the URIs
  that are really followed (an execution that exists, in the operator's scope, within the cap).
- Handshake era: `resources/subscribe` / `resources/unsubscribe` hold and release the watch of one
  execution for one client connection; the connection closing releases what it still holds.
  Updates reach it through a bus listener, like listen streams, so a bus shared by replicas
  (Redis) would serve both eras.

Only execution resources change on their own; a definition or a schedule is read again when
wanted, so subscribing to one is refused (handshake era) or not honored (listen).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server import ServerRequestContext
from mcp.server.connection import Connection
from mcp.server.subscriptions import ListenHandler, ResourceUpdated, ServerEvent, SubscriptionBus
from mcp.shared.exceptions import MCPError
from mcp_types import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    EmptyResult,
    SubscribeRequestParams,
    SubscriptionsListenRequestParams,
    SubscriptionsListenResult,
    UnsubscribeRequestParams,
)

from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.server.concurrency import gather
from mcp_workflows.server.connections import connection_of
from mcp_workflows.server.resources import EXECUTION, parse, problem, upstream_problem
from mcp_workflows.server.watches import ExecutionWatches, Watch, WatchLimitReached

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.server.guard.scope import WorkflowScope
    from mcp_workflows.server.state import AppState

logger = logging.getLogger("mcp_workflows.server")

SEND_TIMEOUT_S = 5.0  # a handshake-era client that stops reading loses an update, not the forwarder
BACKLOG = 1024


class ResourceSubscriptions:
    """Which execution resources are subscribed, by listen streams and handshake-era connections."""

    def __init__(
        self,
        api: WorkflowsClient,
        scope: WorkflowScope,
        watches: ExecutionWatches,
        *,
        base_url: str,
        sessions: bool,
    ) -> None:
        self._api = api
        self._scope = scope
        self._base_url = base_url
        self._sessions = sessions
        self.watches = watches
        self._held: dict[Connection, dict[str, Watch]] = {}
        self._send, self._pending = anyio.create_memory_object_stream[tuple[Connection, str]](BACKLOG)

    @property
    def enabled(self) -> bool:
        return self.watches.limit > 0

    # ------------------------------------------------------------ 2026-07-28: subscriptions/listen

    @asynccontextmanager
    async def listening(self, uris: Sequence[str]) -> AsyncIterator[list[str]]:
        """Hold a watch for each URI that can be followed, while the stream is open; yields those URIs."""
        wanted = list(dict.fromkeys(uris))[: self.watches.limit]
        checked = await gather([self._followable(uri) for uri in wanted])
        held: dict[str, Watch] = {}
        try:
            for uri, execution_id in zip(wanted, checked, strict=True):
                if execution_id is None:
                    continue
                try:
                    held[uri] = self.watches.hold(execution_id, uri)
                except WatchLimitReached as exc:
                    logger.warning("listen: %s not followed: %s", uri, exc)
            yield list(held)
        finally:
            for watch in held.values():
                self.watches.release(watch)

    async def _followable(self, uri: str) -> str | None:
        try:
            return await self.check(uri)
        except MCPError as exc:
            logger.info("listen: %s not followed: %s", uri[:200], exc.error.message)
            return None

    # ------------------------------------------------------------ handshake era: resources/subscribe

    async def subscribe(self, connection: Connection, uri: str) -> None:
        if not self._sessions:
            raise MCPError(
                code=INVALID_REQUEST,
                message="resources/subscribe needs an MCP session, and this server runs stateless HTTP: read "
                "the resource again to see changes, or use subscriptions/listen (protocol 2026-07-28).",
            )
        if not self.enabled:
            raise MCPError(
                code=INVALID_REQUEST,
                message="resource subscriptions are turned off on this server (MCP_WORKFLOWS_MAX_RESOURCE_WATCHES=0): "
                "read the resource again to see changes.",
            )
        execution_id = await self.check(uri)
        held = self._held.get(connection)
        if held is None:
            held = self._held[connection] = {}
            connection.exit_stack.callback(self._drop, connection)
        for ended in [u for u, watch in held.items() if watch.ended]:
            del held[ended]  # nothing more will come: the connection holds live watches only
        if uri in held:
            return
        try:
            held[uri] = self.watches.hold(execution_id, uri)
        except WatchLimitReached as exc:
            raise MCPError(code=INTERNAL_ERROR, message=f"cannot follow {uri}: {exc}.") from None

    def unsubscribe(self, connection: Connection, uri: str) -> None:
        watch = self._held.get(connection, {}).pop(uri, None)
        if watch is not None:
            self.watches.release(watch)

    def _drop(self, connection: Connection) -> None:
        for watch in self._held.pop(connection, {}).values():
            self.watches.release(watch)

    def deliver(self, event: ServerEvent) -> None:
        """Bus listener: queue an update for every connection subscribed to its URI."""
        if not isinstance(event, ResourceUpdated):
            return
        for connection, held in self._held.items():
            if event.uri in held:
                try:
                    self._send.send_nowait((connection, event.uri))
                except anyio.WouldBlock:
                    logger.warning("resource update for %s dropped: %d updates wait to be sent", event.uri, BACKLOG)

    def close(self) -> None:
        self._send.close()

    async def forward(self) -> None:
        """Send queued updates, one connection at a time, each within SEND_TIMEOUT_S."""
        async with self._pending:
            async for connection, uri in self._pending:
                with anyio.move_on_after(SEND_TIMEOUT_S):
                    await connection.send_resource_updated(uri)

    # ------------------------------------------------------------ both eras

    async def check(self, uri: str) -> str:
        """The id of the execution `uri` names, once it is known to exist and to be in scope."""
        template, value = parse(uri)
        if template is not EXECUTION:
            raise problem(
                f"{uri} cannot be subscribed to: only executions ({EXECUTION.uri_template}) change on their own; "
                "read the resource again when you need it."
            )
        try:
            execution = await self._api.executions.get(value)
        except WorkflowsAPIError as exc:
            raise upstream_problem(exc, self._base_url) from None
        if reason := self._scope.refusal(execution.workflow_name):
            raise problem(f"{uri} refused: {reason}. Ask the operator to change the rule if this is needed.")
        return execution.execution_id


@asynccontextmanager
async def running_subscriptions(
    api: WorkflowsClient, scope: WorkflowScope, bus: SubscriptionBus, *, limit: int, base_url: str, sessions: bool
) -> AsyncIterator[ResourceSubscriptions]:
    """Watches and the handshake-era forwarder, for as long as the server's lifespan."""
    async with anyio.create_task_group() as group:
        subscriptions = ResourceSubscriptions(
            api,
            scope,
            ExecutionWatches(api, bus, group, limit=limit),
            base_url=base_url,
            sessions=sessions,
        )
        stop_listening = bus.subscribe(subscriptions.deliver)
        group.start_soon(subscriptions.forward, name="resource update forwarder")
        try:
            yield subscriptions
        finally:
            stop_listening()
            subscriptions.close()
            group.cancel_scope.cancel()


# ---------------------------------------------------------------- request handlers


def _subscriptions(ctx: ServerRequestContext[Any, Any]) -> ResourceSubscriptions:
    state: AppState = ctx.lifespan_context
    return state.subscriptions


async def subscribe(ctx: ServerRequestContext[Any, Any], params: SubscribeRequestParams) -> EmptyResult:
    await _subscriptions(ctx).subscribe(connection_of(ctx), str(params.uri))
    return EmptyResult()


async def unsubscribe(ctx: ServerRequestContext[Any, Any], params: UnsubscribeRequestParams) -> EmptyResult:
    _subscriptions(ctx).unsubscribe(connection_of(ctx), str(params.uri))
    return EmptyResult()


class FollowingListenHandler:
    """`subscriptions/listen`: the SDK's handler, with a watch held for each execution URI it honors."""

    def __init__(self, bus: SubscriptionBus) -> None:
        self._inner = ListenHandler(bus)

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], params: SubscriptionsListenRequestParams
    ) -> SubscriptionsListenResult:
        wanted = params.notifications.resource_subscriptions or []
        async with _subscriptions(ctx).listening(wanted) as followed:
            notifications = params.notifications.model_copy(update={"resource_subscriptions": followed or None})
            return await self._inner(ctx, params.model_copy(update={"notifications": notifications}))

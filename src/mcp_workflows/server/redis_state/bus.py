"""Change notifications across replicas: the SDK's `SubscriptionBus` over Redis pub/sub.

`notifications/tools/list_changed` and `notifications/resources/updated` reach 2026-07-28
clients through `subscriptions/listen` streams, which the SDK feeds from the server's bus. With
one bus per process, an event raised on one replica would reach only the listeners connected to
that replica. This bus delivers each event to the listeners of its own process at once, and
publishes it on one Redis channel; every other replica's reader delivers it to its listeners.

Delivery stays what the SDK promises: fire-and-forget, no replay. Events are level triggers
("this changed, read it again"), so one lost while Redis is away costs a refetch at most; a
failure to publish is logged, never raised into the call that changed something.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.abc import TaskStatus
from mcp.server.subscriptions import InMemorySubscriptionBus, ServerEvent
from mcp.shared.subscriptions import event_from_wire, event_to_notification
from redis.asyncio import Redis
from redis.exceptions import RedisError

from mcp_workflows.redaction import redact
from mcp_workflows.server.redis_state.connection import describe, open_client

logger = logging.getLogger("mcp_workflows.server")

MAX_BACKOFF_S = 30.0


def encode(event: ServerEvent, origin: str) -> str:
    """The event as its wire notification (the SDK's own vocabulary), tagged with the sending bus."""
    wire = event_to_notification(event, {}).model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps({"origin": origin, "method": wire["method"], "params": wire.get("params")})


def decode(data: str) -> tuple[str, ServerEvent] | None:
    """The sender and the event of a message, or None for anything else on the channel."""
    try:
        message = json.loads(data)
        origin, method, params = message["origin"], message["method"], message.get("params")
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(origin, str) or not isinstance(method, str) or not isinstance(params, dict | None):
        return None
    event = event_from_wire(method, params)
    return None if event is None else (origin, event)


class RedisSubscriptionBus:
    """Local fan-out (the SDK's in-memory bus) plus a Redis channel shared by the replicas."""

    def __init__(self, url: str, channel: str) -> None:
        self._url = url
        self._channel = channel
        self._local = InMemorySubscriptionBus()
        self._origin = secrets.token_hex(8)  # this bus's own messages come back from Redis: skipped
        self._clients: list[Redis] = []  # one per running lifespan; publish uses any of them
        self._reader = anyio.Lock()

    def subscribe(self, listener: Callable[[ServerEvent], None]) -> Callable[[], None]:
        return self._local.subscribe(listener)

    async def publish(self, event: ServerEvent) -> None:
        await self._local.publish(event)
        if not self._clients:
            return  # not serving: nobody else to tell
        try:
            await self._clients[0].publish(self._channel, encode(event, self._origin))
        except RedisError as exc:
            logger.warning("a change notification did not reach the other replicas: %s", describe(exc))

    @asynccontextmanager
    async def running(self, client: Redis) -> AsyncIterator[None]:
        """Share events while the server's lifespan runs; `client` publishes.

        HTTP enters the lifespan once; an in-process client enters it per connection. One entry
        at a time reads the channel (the next takes over when it ends), so each event is
        delivered once. The first entry returns once it is subscribed.
        """
        self._clients.append(client)
        try:
            async with anyio.create_task_group() as group:
                if len(self._clients) == 1:
                    await group.start(self._read_in_turn)
                else:
                    group.start_soon(self._read_in_turn)
                try:
                    yield
                finally:
                    group.cancel_scope.cancel()
        finally:
            self._clients.remove(client)

    async def _read_in_turn(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        async with self._reader:
            await self._read(task_status)

    async def _read(self, task_status: TaskStatus[None]) -> None:
        """Deliver the other replicas' events to this process's listeners; reconnect when Redis drops."""
        started, backoff, failing = False, 1.0, False
        while True:
            reader = open_client(self._url, reader=True)
            pubsub = reader.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self._channel)
                if failing:
                    logger.info("change notifications are shared through Redis again")
                backoff, failing = 1.0, False
                if not started:
                    started = True
                    task_status.started()
                async for message in pubsub.listen():
                    await self._deliver(message)
            except RedisError as exc:
                if not failing:
                    logger.warning(
                        "change notifications from the other replicas stopped (Redis at %s: %s); retrying",
                        redact(self._url),
                        describe(exc),
                    )
                failing = True
            finally:
                with anyio.CancelScope(shield=True), anyio.move_on_after(2):
                    await reader.aclose()  # its pool holds the subscribed connection
            if not started:
                started = True
                task_status.started()  # serve without it rather than not at all; the loop keeps trying
            await anyio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def _deliver(self, message: dict[str, Any]) -> None:
        decoded = decode(str(message.get("data")))
        if decoded is None:
            logger.debug("ignored a message on %s that is no change notification", self._channel)
            return
        origin, event = decoded
        if origin != self._origin:
            await self._local.publish(event)

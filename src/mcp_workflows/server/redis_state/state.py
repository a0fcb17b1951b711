"""Spent confirmations, cap counts and change notifications in one shared Redis."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from mcp.server.subscriptions import SubscriptionBus

from mcp_workflows.redaction import redact
from mcp_workflows.server.redis_state.bus import RedisSubscriptionBus
from mcp_workflows.server.redis_state.caps import RedisWindowCounter
from mcp_workflows.server.redis_state.connection import SharedRedis, open_client
from mcp_workflows.server.redis_state.spent import RedisConfirmationStore
from mcp_workflows.server.shared_state import Stores

logger = logging.getLogger("mcp_workflows.server")


class RedisState:
    """The `SharedState` of replicas: a client per lifespan, the bus for the server's life."""

    def __init__(self, url: str, prefix: str) -> None:
        self._url = url
        self._prefix = prefix
        self._bus = RedisSubscriptionBus(url, f"{prefix}:events")

    @property
    def bus(self) -> SubscriptionBus:
        return self._bus

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[Stores]:
        client = open_client(self._url)
        shared = SharedRedis(client, redact(self._url), self._prefix)
        try:
            async with self._bus.running(client):
                logger.info(
                    "spent confirmations, cap counts and change notifications are shared through Redis at %s",
                    shared.where,
                )
                yield Stores(RedisConfirmationStore(shared), RedisWindowCounter(shared))
        finally:
            with anyio.CancelScope(shield=True), anyio.move_on_after(2):
                await client.aclose()

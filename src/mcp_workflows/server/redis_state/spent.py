"""Spent confirmations in the shared Redis: `SET key 1 NX PX <until expiry>` is atomic, so of two
replicas spending the same token at once exactly one wins, and the key expires with the token."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from mcp_workflows.server.guard.spent import entry_digest
from mcp_workflows.server.redis_state.connection import SharedRedis

WHAT = "the confirmation could not be checked"


class RedisConfirmationStore:
    """The `ConfirmationStore` of replicas: keys are digests, values expire with the confirmation."""

    def __init__(self, shared: SharedRedis, clock: Callable[[], float] = time.time) -> None:
        self._shared = shared
        self._clock = clock

    def _key(self, key: str) -> str:
        return self._shared.key("confirmations", entry_digest(key))

    def _ttl_ms(self, expires_at: float) -> int:
        return max(1, math.ceil((expires_at - self._clock()) * 1000))

    async def spend(self, key: str, expires_at: float) -> bool:
        with self._shared.answering(WHAT):
            first = await self._shared.client.set(self._key(key), "1", nx=True, px=self._ttl_ms(expires_at))
        return bool(first)

    async def remember(self, key: str, value: str, expires_at: float) -> None:
        with self._shared.answering(WHAT):
            await self._shared.client.set(self._key(key), value, px=self._ttl_ms(expires_at))

    async def recall(self, key: str) -> str | None:
        with self._shared.answering(WHAT):
            value = await self._shared.client.get(self._key(key))
        return None if value is None else str(value)

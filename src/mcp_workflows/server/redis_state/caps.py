"""The caps' sliding windows in the shared Redis: one sorted set per cap, scored by the time of
each counted call, so calls on every replica count against one limit.

Each step is one Lua script, atomic in Redis, on Redis's own clock (`TIME`): replicas whose clocks
disagree still agree on the window. The semantics are those of the in-process counter
(`guard/caps.py`): an event leaves the window once it is `window_s` old.
"""

from __future__ import annotations

import secrets

from mcp_workflows.server.guard.caps import Window
from mcp_workflows.server.redis_state.connection import SharedRedis

WHAT = "the operator's cap could not be checked"

# Times are whole milliseconds: 13 digits, which Lua's numbers turn into command arguments exactly.
_NOW_MS = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
"""

# KEYS[1] the cap's sorted set; ARGV[1] the window in ms. Drops what left the window, then
# returns {count, age of the oldest in ms}.
_RECENT = (
    _NOW_MS
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - tonumber(ARGV[1]))
local count = redis.call('ZCARD', KEYS[1])
if count == 0 then
  return {0, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {count, now_ms - tonumber(oldest[2])}
"""
)

# KEYS[1] the cap's sorted set; ARGV[1] the window in ms, ARGV[2] a unique member. Counts one
# event now; the set expires once its newest event has left the window.
_ADD = (
    _NOW_MS
    + """
redis.call('ZADD', KEYS[1], now_ms, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 1000)
return 1
"""
)


class RedisWindowCounter:
    """The `WindowCounter` of replicas."""

    def __init__(self, shared: SharedRedis) -> None:
        self._shared = shared
        self._recent = shared.client.register_script(_RECENT)
        self._add = shared.client.register_script(_ADD)

    def _key(self, key: str) -> str:
        return self._shared.key("caps", key)

    async def recent(self, key: str, window_s: float) -> Window:
        with self._shared.answering(WHAT):
            count, oldest_age_ms = await self._recent(keys=[self._key(key)], args=[_milliseconds(window_s)])
        return Window(int(count), int(oldest_age_ms) / 1000)

    async def add(self, key: str, window_s: float) -> None:
        with self._shared.answering(WHAT):
            await self._add(keys=[self._key(key)], args=[_milliseconds(window_s), secrets.token_hex(8)])


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))

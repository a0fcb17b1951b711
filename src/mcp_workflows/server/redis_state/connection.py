"""Reaching the shared Redis: a client per server lifespan, one check at start-up, and failures
turned into refusals that say what to do. The URL is only ever shown redacted (its password)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry as SyncRetry

from mcp_workflows.redaction import redact
from mcp_workflows.server.shared_state import SharedStateUnavailable

TIMEOUT_S = 2.0  # per attempt: a tool call never waits long on a Redis that does not answer
RETRIES = 2  # a dropped connection is reopened at once; a Redis that is down fails the call in well under a second
HEALTH_CHECK_S = 30  # a pub/sub reader pings this often while idle, to notice a dead connection


def open_client(url: str, *, reader: bool = False) -> Redis:
    """A client with its own connection pool. A `reader` waits for pub/sub messages without a read timeout."""
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=TIMEOUT_S,
        socket_timeout=None if reader else TIMEOUT_S,
        health_check_interval=HEALTH_CHECK_S if reader else 0,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), RETRIES),
    )


def describe(exc: Exception) -> str:
    text = redact(str(exc)).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def unreachable(url: str) -> str | None:
    """Why the server cannot use this Redis, or None when it answers PING (checked once, at start-up)."""
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S, retry=SyncRetry(NoBackoff(), 0)
        )
    except ValueError as exc:  # a URL redis-py cannot read (port, database, options)
        return f"MCP_WORKFLOWS_REDIS_URL cannot be used: {describe(exc)}"
    try:
        client.ping()
    except RedisError as exc:
        return f"cannot reach Redis at {redact(url)} (MCP_WORKFLOWS_REDIS_URL): {describe(exc)}"
    finally:
        client.close()
    return None


@dataclass(frozen=True)
class SharedRedis:
    """The lifespan's client, where it points (redacted) and the deployment's key prefix."""

    client: Redis
    where: str
    prefix: str

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    @contextmanager
    def answering(self, what: str) -> Iterator[None]:
        """Turn a Redis failure into a refusal naming `what` could not be done."""
        try:
            yield
        except RedisError as exc:
            raise SharedStateUnavailable(f"{what}: the shared Redis at {self.where} failed ({describe(exc)})") from exc

"""Clients of two "replicas" on the session's redis-server, and keys of their own per test."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest

from mcp_workflows.server.redis_state.connection import SharedRedis, open_client
from tests.redis_server import RedisServer


@pytest.fixture
def prefix() -> str:
    """Keys of this test only: tests share the server, never each other's keys."""
    return f"test-{secrets.token_hex(4)}"


@pytest.fixture
async def replicas(redis_server: RedisServer, prefix: str) -> AsyncIterator[tuple[SharedRedis, SharedRedis]]:
    """Two clients with their own connection pools, as two replicas have."""
    first, second = open_client(redis_server.url), open_client(redis_server.url)
    yield SharedRedis(first, "first", prefix), SharedRedis(second, "second", prefix)
    await first.aclose()
    await second.aclose()

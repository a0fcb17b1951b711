"""Shared pytest configuration: async tests run on asyncio through the anyio plugin; one real
redis-server for the session's tests of shared state (slow tier), started when first needed."""

from collections.abc import Iterator

import pytest

from tests.redis_server import RedisServer


@pytest.fixture
def anyio_backend() -> str:
    """Every async test in the project runs on asyncio (uvicorn and the sandbox need it)."""
    return "asyncio"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()

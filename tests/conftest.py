"""Shared pytest configuration: async tests run on asyncio through the anyio plugin; one real
redis-server for the session's tests of shared state (slow tier), started when first needed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # redis-py is a dev dependency: the SDK-2 oracle venv of .ci/run runs without it
    from tests.redis_server import RedisServer


@pytest.fixture
def anyio_backend() -> str:
    """Every async test in the project runs on asyncio (uvicorn and the sandbox need it)."""
    return "asyncio"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    from tests.redis_server import RedisServer

    server = RedisServer()
    yield server
    server.stop()

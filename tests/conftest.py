"""Shared pytest configuration: async tests run on asyncio through the anyio plugin; one real
redis-server for the session's tests of shared state (slow tier), started when first needed."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under mutation testing (scripts/mutation_test.py), run a mutant's tests fastest first.

    mutmut runs each mutant against the tests that reach it and stops at the first failure, but
    hands them over in no particular order: fastest first makes a killed mutant cost the least.
    The durations are mutmut's own, measured on the clean run.
    """
    if not os.environ.get("MUTANT_UNDER_TEST", "").startswith("mcp_workflows."):
        return
    stats = Path("mutmut-stats.json")
    durations: dict[str, float] = json.loads(stats.read_text())["duration_by_test"] if stats.exists() else {}
    items.sort(key=lambda item: durations.get(item.nodeid, math.inf))

"""Shared pytest configuration: async tests run on asyncio through the anyio plugin."""

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Every async test in the project runs on asyncio (uvicorn and the sandbox need it)."""
    return "asyncio"

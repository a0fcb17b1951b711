"""Fixtures of the raw-HTTP contract tests: the live contract and a sandbox served over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest

from mcp_workflows.sandbox import SandboxConfig, running_sandbox

from .live_contract import Contract, load_contract, sse_frames

AUTH = {"Authorization": "Bearer contract-test-key"}


async def read_sse(
    client: httpx2.AsyncClient, url: str, *, max_frames: int | None = None, **kwargs: Any
) -> tuple[httpx2.Response, list[dict[str, Any]]]:
    """Read an SSE response until it ends, or until `max_frames` frames arrived (then hang up)."""
    async with client.stream("GET", url, **kwargs) as response:
        buffer = ""
        frames: list[dict[str, Any]] = []
        if response.status_code != 200:
            await response.aread()
            return response, []
        async for chunk in response.aiter_text():
            buffer += chunk
            *complete, buffer = buffer.split("\n\n")
            for block in complete:
                frames += sse_frames(block + "\n\n")
            if max_frames is not None and len(frames) >= max_frames:
                break
        return response, frames


@pytest.fixture(scope="session")
def contract_document() -> dict[str, Any]:
    return load_contract()


@pytest.fixture
def contract(contract_document: dict[str, Any]) -> Contract:
    return Contract(contract_document)


@pytest.fixture
async def client() -> AsyncIterator[httpx2.AsyncClient]:
    config = SandboxConfig(time_scale=0.01, schedule_min_interval_s=0.05)
    async with running_sandbox(config) as url, httpx2.AsyncClient(base_url=url, headers=AUTH, timeout=15) as http:
        yield http

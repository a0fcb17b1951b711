"""The floor: a bare MCPServer with one no-op tool, started the same way as ours (stdio).

It also has one passthrough tool that makes the same HTTP request as our get_workflow, with
httpx2 and nothing else, so per-call overhead is compared like for like.
"""

from __future__ import annotations

import os
from typing import Any

import httpx2
from mcp.server.mcpserver import MCPServer

server = MCPServer("floor")
_clients: list[httpx2.AsyncClient] = []


def _client() -> httpx2.AsyncClient:
    """Created on first use, so the floor's start-up stays bare."""
    if not _clients:
        base_url = os.environ.get("MISTRAL_BASE_URL", "http://127.0.0.1:1")
        _clients.append(httpx2.AsyncClient(base_url=base_url, headers={"Authorization": "Bearer floor"}))
    return _clients[0]


@server.tool()
async def noop() -> str:
    """Do nothing."""
    return "ok"


@server.tool()
async def get_workflow_raw(workflow_identifier: str) -> dict[str, Any]:
    """GET /v1/workflows/{workflow_identifier}, returned as is."""
    response = await _client().get(f"/v1/workflows/{workflow_identifier}")
    data: dict[str, Any] = response.json()
    return data


if __name__ == "__main__":
    server.run()

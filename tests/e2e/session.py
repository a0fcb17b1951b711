"""A connected MCP client plus independent HTTP access to the sandbox it talks to."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import anyio
import httpx2
from mcp import Client
from mcp_types import CallToolResult

Mode = Literal["legacy", "auto"]  # the handshake era (2025-11-25) or the 2026-07-28 one
ERAS: list[Mode] = ["legacy", "auto"]
# Built once and shared: each TLS context loads the whole CA bundle (the sandbox is plain HTTP anyway).
_TLS = ssl.create_default_context()


@dataclass
class Session:
    client: Client
    http: httpx2.AsyncClient  # to the sandbox, bypassing the MCP server (see sandbox_client)
    stderr_path: Path | None = None
    calls: list[CallToolResult] = field(default_factory=lambda: [])

    async def call(self, name: str, arguments: dict[str, Any] | None = None, **kwargs: Any) -> CallToolResult:
        result = await self.client.call_tool(name, arguments or {}, **kwargs)
        self.calls.append(result)
        return result

    async def sandbox(self, method: str, path: str, **kwargs: Any) -> Any:
        """Read (or change) sandbox state directly over HTTP, bypassing the MCP server."""
        return await sandbox_request(self.http, method, path, **kwargs)


def sandbox_client(sandbox_url: str) -> httpx2.AsyncClient:
    """One client per session: a client per request would cost a TLS context and a connection each."""
    return httpx2.AsyncClient(base_url=sandbox_url, headers={"Authorization": "Bearer test"}, verify=_TLS)


async def sandbox_request(http: httpx2.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    response = await http.request(method, path, **kwargs)
    if not response.is_success:
        raise httpx2.HTTPStatusError(
            f"sandbox {method} {path}: {response.status_code} {response.text[:500]}",
            request=response.request,
            response=response,
        )
    return response.json() if response.content else None


async def call_until_asked(
    session: Session, asked: anyio.Event, tool: str, arguments: dict[str, Any], within_s: float = 15
) -> None:
    """Call `tool` from a client that never answers the confirmation form; return once it was asked.

    2026-07-28: the server ends its part of the call by returning the input request; the client's
    form callback (which sets `asked`) then never returns, so the test stops waiting for the client
    there. A call that ends instead, or a form never asked for, fails the test.
    """
    ended: list[CallToolResult] = []
    with anyio.fail_after(within_s):
        async with anyio.create_task_group() as group:

            async def call() -> None:
                ended.append(await session.call(tool, arguments))
                group.cancel_scope.cancel()

            async def wait_for_form() -> None:
                await asked.wait()
                group.cancel_scope.cancel()

            group.start_soon(call)
            group.start_soon(wait_for_form)
    assert not ended, f"{tool} ended instead of asking: {ended[0]}"
    assert asked.is_set()


def text_of(result: CallToolResult) -> str:
    assert result.content, "every result carries a text copy"
    block = result.content[0]
    assert block.type == "text"
    return block.text

"""Smoke tests of the real transports: `mcp-workflows serve --sandbox` as a subprocess, over stdio
and streamable HTTP, in both protocol eras.

Each one lists the tools, follows an execution with progress notifications, and archives a
workflow through the confirmation form, which travels differently per era (a mid-call
`elicitation/create` in the handshake era, an input-required round trip in 2026-07-28). The
toolsets themselves are tested in-process; this proves the wiring a client really meets.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp_types import ElicitRequestParams, ElicitResult

from tests.e2e.harness import HttpServer, Transport, connect
from tests.e2e.session import ERAS, Mode, Session, text_of

pytestmark = pytest.mark.anyio


async def exercise(session: Session, asked: list[str]) -> None:
    tools = {tool.name for tool in (await session.client.list_tools()).tools}
    assert {"execute_workflow", "archive_workflow", "wait_for_execution"} <= tools

    progress: list[str] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(message or "")

    run = await session.call(
        "execute_workflow",
        {"workflow": "slow-report", "input": {"seconds": 4}, "wait_seconds": 20},
        progress_callback=on_progress,
    )
    assert not run.is_error, text_of(run)
    assert run.structured_content is not None
    assert run.structured_content["status"] == "COMPLETED"
    upstream = await session.sandbox("GET", f"/v1/workflows/executions/{run.structured_content['execution_id']}")
    assert upstream["result"] == run.structured_content["result"]
    assert progress[0].startswith("WORKFLOW_EXECUTION_STARTED")
    assert progress[-1].startswith("WORKFLOW_EXECUTION_COMPLETED")

    archived = await session.call("archive_workflow", {"workflow": "greeting"})
    assert not archived.is_error, text_of(archived)
    assert archived.structured_content is not None
    assert archived.structured_content["outcome"] == "done"
    assert archived.structured_content["confirmed_by"] == "elicitation"
    assert len(asked) == 1
    assert "Greeting" in asked[0]
    assert (await session.sandbox("GET", "/v1/workflows/greeting"))["workflow"]["archived"] is True


def accepting(asked: list[str]) -> Any:
    async def accept(_: Any, params: ElicitRequestParams) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    return accept


@pytest.mark.parametrize("transport", ["stdio", "http"])
@pytest.mark.parametrize("era", ERAS)
async def test_a_real_server_process_in_each_era(
    transport: Transport, era: Mode, request: pytest.FixtureRequest
) -> None:
    asked: list[str] = []
    kwargs: dict[str, Any] = {"elicitation_callback": accepting(asked)}
    if transport == "http":
        server: HttpServer = request.getfixturevalue("http_server")
        kwargs |= {"http_server": server, "sandbox_port": request.getfixturevalue("http_sandbox_port")}
    async with connect(transport, era, **kwargs) as session:
        await session.sandbox("POST", "/_sandbox/reset")
        await exercise(session, asked)

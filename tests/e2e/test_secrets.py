"""The API key never appears in any output, error or log line, whatever the upstream sends back."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mcp_workflows.server.tool_index import indexed_tools
from tests.e2e.examples import EXAMPLE_ARGS
from tests.e2e.harness import connect, free_port, server_env
from tests.e2e.inprocess import connect_in_process
from tests.e2e.session import text_of

pytestmark = pytest.mark.anyio

FAKE_KEY = "sk-FAKE-e2e-7f3a9c1d5b2e8f4a6c0d"
HTTP_TOKEN = "http-token-e2e-0123456789abcdef"
ECHO_STATUSES = (401, 403, 404, 409, 422, 500, 400)


def echo_app() -> Starlette:
    """An upstream that puts the caller's Authorization header into every field it can.

    Errors cycle through the statuses the server maps (401, 403, 404, 409, 422, 500, 400) with the
    header in `detail` (string and list forms), `code`, `loc` and `msg`; listing workflows answers
    200 with the header in a workflow's description."""
    statuses = itertools.cycle(ECHO_STATUSES)

    async def anything(request: Request) -> Response:
        echoed = request.headers.get("authorization", "")
        if request.method == "GET" and request.url.path == "/v1/workflows":
            workflow = {"id": "w1", "name": "greeting", "display_name": "G", "description": echoed}
            return JSONResponse({"workflows": [workflow], "next_cursor": None})
        status = next(statuses)
        detail: object = f"denied for {echoed}"
        if status == 422:
            detail = [{"loc": ["body", echoed], "msg": f"bad {echoed}", "type": "value_error"}]
        return JSONResponse({"detail": detail, "code": echoed, "message": echoed}, status_code=status)

    return Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])


@asynccontextmanager
async def echo_upstream() -> AsyncIterator[str]:
    import anyio

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(echo_app(), host="127.0.0.1", port=port, log_level="error"))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
            await anyio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True


def test_every_tool_has_an_example_call() -> None:
    assert set(EXAMPLE_ARGS) == set(indexed_tools())


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
async def test_an_upstream_that_echoes_the_key_never_makes_it_leak(level: str) -> None:
    async with echo_upstream() as upstream:
        env = server_env(
            {
                "MISTRAL_BASE_URL": upstream,
                "MISTRAL_API_KEY": FAKE_KEY,
                "MCP_WORKFLOWS_HTTP_TOKENS": HTTP_TOKEN,
                "MCP_WORKFLOWS_LOG_LEVEL": level,
                "MCP_WORKFLOWS_RETRY_TOTAL_S": "0",
                "MCP_WORKFLOWS_CONFIRM": "destructive=off,execute=off",
            }
        )
        async with connect("stdio", "legacy", env=env, args=["--toolsets", "all"]) as session:
            results = [await session.call(tool, arguments) for tool, arguments in EXAMPLE_ARGS.items()]
            assert session.stderr_path is not None
            stderr = session.stderr_path.read_text()
    errors = [result for result in results if result.is_error]
    assert len(errors) >= len(results) - 2, "the echoing upstream fails nearly every call"
    assert any("Bearer [redacted]" in text_of(result) for result in results), "the echo reached the results"
    for tool, result in zip(EXAMPLE_ARGS, results, strict=True):
        shown = text_of(result) + json.dumps(result.structured_content)
        assert FAKE_KEY not in shown, tool
        assert HTTP_TOKEN not in shown, tool
        assert "Error executing tool" not in shown, (tool, text_of(result))
        assert "failed unexpectedly" not in shown, (tool, text_of(result))
    assert '"audit"' in stderr, "audit lines were written"
    assert FAKE_KEY not in stderr
    assert HTTP_TOKEN not in stderr


async def test_fake_key_never_leaks_over_stdio(sandbox_url: str) -> None:
    """Outputs and the stderr of a real server process, logging at DEBUG."""
    env = server_env({"MISTRAL_BASE_URL": sandbox_url, "MISTRAL_API_KEY": FAKE_KEY, "MCP_WORKFLOWS_LOG_LEVEL": "DEBUG"})
    async with connect("stdio", "legacy", env=env, args=[]) as session:
        outputs = [
            await session.call("list_workflows"),
            await session.call("get_workflow", {"workflow": "missing"}),
            await session.call("execute_workflow", {"workflow": "greeting", "input": {}}),
            await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "K"}}),
            await session.call("archive_workflow", {"workflow": "greeting"}),
            await session.call("list_workflows", {"limit": -1}),
        ]
        tools = await session.client.list_tools()
        assert session.stderr_path is not None
        stderr = session.stderr_path.read_text()
    assert stderr, "the server logged something at DEBUG"
    for result in outputs:
        assert FAKE_KEY not in text_of(result)
        assert FAKE_KEY not in str(result.structured_content)
    assert FAKE_KEY not in tools.model_dump_json()
    assert FAKE_KEY not in stderr
    audit = [json.loads(line) for line in stderr.splitlines() if line.startswith('{"audit"')]
    assert ("archive_workflow", "confirmation_required") in {(a["tool"], a["outcome"]) for a in audit}, (
        "audit lines are bare JSON lines on stderr"
    )


async def test_unreachable_api_is_a_clear_error() -> None:
    unreachable = "http://127.0.0.1:9"
    async with connect_in_process(unreachable, "auto", {"api_key": FAKE_KEY, "retry_total_s": 0}) as session:
        result = await session.call("list_workflows")
    assert result.is_error
    text = text_of(result)
    assert text.startswith("Error: ")
    assert "127.0.0.1:9" in text
    assert FAKE_KEY not in text

"""The API key never appears in any output, error or log line."""

from __future__ import annotations

import pytest

from mcp_workflows.sandbox import running_sandbox
from tests.e2e.harness import connect, server_env, text_of

pytestmark = pytest.mark.anyio

FAKE_KEY = "sk-FAKE-e2e-7f3a9c1d5b2e8f4a6c0d"


async def test_fake_key_never_leaks_over_stdio() -> None:
    async with running_sandbox() as sandbox_url:
        env = server_env(
            {"MISTRAL_BASE_URL": sandbox_url, "MISTRAL_API_KEY": FAKE_KEY, "MCP_WORKFLOWS_LOG_LEVEL": "DEBUG"}
        )
        async with connect("stdio", "legacy", env=env, args=[]) as session:
            outputs = [
                await session.call("list_workflows"),
                await session.call("get_workflow", {"workflow_identifier": "missing"}),
                await session.call("execute_workflow", {"workflow_identifier": "greeting", "input": {}}),
                await session.call("execute_workflow", {"workflow_identifier": "greeting", "input": {"name": "K"}}),
                await session.call("archive_workflow", {"workflow_identifier": "greeting"}),
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


async def test_unreachable_api_is_a_clear_error() -> None:
    env = server_env(
        {"MISTRAL_BASE_URL": "http://127.0.0.1:9", "MISTRAL_API_KEY": FAKE_KEY, "MCP_WORKFLOWS_RETRY_TOTAL_S": "0"}
    )
    async with connect("stdio", "auto", env=env, args=[]) as session:
        result = await session.call("list_workflows")
    assert result.is_error
    text = text_of(result)
    assert text.startswith("Error: ")
    assert "127.0.0.1:9" in text
    assert FAKE_KEY not in text

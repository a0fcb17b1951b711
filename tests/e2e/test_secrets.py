"""The API key never appears in any output, error or log line."""

from __future__ import annotations

import json

import pytest

from tests.e2e.harness import connect, server_env
from tests.e2e.inprocess import connect_in_process
from tests.e2e.session import text_of

pytestmark = pytest.mark.anyio

FAKE_KEY = "sk-FAKE-e2e-7f3a9c1d5b2e8f4a6c0d"


async def test_fake_key_never_leaks_over_stdio(sandbox_url: str) -> None:
    """Outputs and the stderr of a real server process, logging at DEBUG."""
    env = server_env({"MISTRAL_BASE_URL": sandbox_url, "MISTRAL_API_KEY": FAKE_KEY, "MCP_WORKFLOWS_LOG_LEVEL": "DEBUG"})
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

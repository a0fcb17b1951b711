"""A Redis that does not answer: start-up stops with one line, a call it guards is refused with a
clear error and nothing done, and its password shows nowhere. No redis-server needed: the URL
points at a loopback port nothing listens on."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from mcp_types import ElicitRequestParams, ElicitResult

from mcp_workflows import cli
from tests.e2e.harness import free_port, serve_at_start_up, server_env
from tests.e2e.inprocess import connect_in_process
from tests.e2e.session import Session, text_of

pytestmark = pytest.mark.anyio

PASSWORD = "pw"  # shorter than any secret the redactor would hide by value: the URL pattern must
LONG_PASSWORD = "a-long-redis-password-0f3e9d"


def dead_redis(password: str = PASSWORD) -> str:
    return f"redis://:{password}@127.0.0.1:{free_port()}/0"


def refused_clearly(text: str, what: str) -> None:
    assert text.startswith("Error: "), text
    assert what in text, text
    assert "the shared Redis at redis://:[redacted]@127.0.0.1:" in text, text
    assert "ConnectionError" in text, text
    assert "Nothing was changed" in text, text
    assert "MCP_WORKFLOWS_REDIS_URL" in text, text
    assert "Traceback" not in text
    assert f":{PASSWORD}@" not in text


async def runs_of(session: Session, workflow: str) -> int:
    page = await session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": workflow})
    return len(page["executions"])


async def test_a_capped_call_is_refused_and_starts_nothing(sandbox_url: str, caplog: pytest.LogCaptureFixture) -> None:
    settings = {"redis_url": dead_redis(), "max_executions": 5}
    with caplog.at_level(logging.DEBUG):
        async with connect_in_process(sandbox_url, "legacy", settings) as session:
            result = await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}})
            assert result.is_error
            refused_clearly(text_of(result), "execute_workflow refused: the operator's cap could not be checked")
            assert await runs_of(session, "greeting") == 0
    assert f":{PASSWORD}@" not in caplog.text
    assert "Traceback" not in caplog.text


async def test_calls_that_need_no_shared_state_still_work(sandbox_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """No cap configured: nothing to count. A toolset turned on is announced here; telling the
    other replicas fails, which is logged, not raised."""
    with caplog.at_level(logging.WARNING):
        async with connect_in_process(sandbox_url, "auto", {"redis_url": dead_redis()}) as session:
            run = await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}})
            assert not run.is_error, text_of(run)
            enabled = await session.call("enable_toolsets", {"toolsets": ["schedules"]})
            assert not enabled.is_error, text_of(enabled)
    assert "did not reach the other replicas" in caplog.text
    assert f":{PASSWORD}@" not in caplog.text


async def test_a_token_cannot_be_spent_without_the_store(sandbox_url: str) -> None:
    async with connect_in_process(sandbox_url, "legacy", {"redis_url": dead_redis()}) as session:
        preview = await session.call("archive_workflow", {"workflow": "greeting"})
        assert preview.structured_content is not None
        token = preview.structured_content["confirmation_token"]
        result = await session.call("archive_workflow", {"workflow": "greeting", "confirmation_token": token})
        assert result.is_error
        refused_clearly(text_of(result), "the confirmation could not be checked")
        workflow = await session.sandbox("GET", "/v1/workflows/greeting")
        assert workflow["workflow"]["archived"] is False


async def test_a_confirmation_form_is_not_shown_without_the_store(sandbox_url: str) -> None:
    """2026-07-28: the form's single-use reference is stored before it is shown."""
    asked: list[str] = []

    async def answer(_: Any, params: ElicitRequestParams) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    async with connect_in_process(
        sandbox_url, "auto", {"redis_url": dead_redis()}, elicitation_callback=answer
    ) as session:
        result = await session.call("archive_workflow", {"workflow": "greeting"})
        assert result.is_error
        refused_clearly(text_of(result), "the confirmation could not be checked")
        assert asked == []
        workflow = await session.sandbox("GET", "/v1/workflows/greeting")
        assert workflow["workflow"]["archived"] is False


def test_start_up_stops_with_one_line_when_redis_does_not_answer() -> None:
    url = dead_redis(LONG_PASSWORD)
    done = serve_at_start_up(["--sandbox"], server_env({"MCP_WORKFLOWS_REDIS_URL": url}))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mcp-workflows: cannot reach Redis at redis://:[redacted]@127.0.0.1:"), lines[0]
    assert "(MCP_WORKFLOWS_REDIS_URL): ConnectionError" in lines[0]
    assert LONG_PASSWORD not in done.stderr


def test_a_url_that_is_not_redis_is_a_start_up_error(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"https://user:{LONG_PASSWORD}@cache.example.com"
    with pytest.raises(SystemExit) as stopped:
        cli._settings(redis_url=url)
    assert str(stopped.value.code) == (
        "mcp-workflows: invalid setting redis_url: Value error, not a Redis URL: "
        "it must start with redis://, rediss://, unix://"
    )
    assert LONG_PASSWORD not in capsys.readouterr().err

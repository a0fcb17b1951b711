"""MCP logging: what reaches the client, at which level, in each era; never a secret."""

from __future__ import annotations

import logging
import warnings

import pytest
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp_types import LoggingLevel, LoggingMessageNotificationParams

from mcp_workflows.config import Settings
from mcp_workflows.redaction import redact
from mcp_workflows.server.client_log import Lines
from tests.server.conftest import Sandbox, connected

pytestmark = pytest.mark.anyio

ONE_RETRY = [
    {"path_regex": "^/v1/workflows/greeting$", "method": "GET", "times": 1, "kind": "status", "retry_after": 0}
]


class Received:
    def __init__(self) -> None:
        self.lines: list[LoggingMessageNotificationParams] = []

    async def __call__(self, params: LoggingMessageNotificationParams) -> None:
        self.lines.append(params)

    def by(self, logger: str) -> list[LoggingMessageNotificationParams]:
        return [line for line in self.lines if line.logger == logger]


async def set_level(client: object, level: LoggingLevel) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MCPDeprecationWarning)  # deprecated on 2026-07-28 only
        await client.set_logging_level(level)  # type: ignore[attr-defined]


async def test_handshake_clients_get_warnings_by_default(settings: Settings, sandbox: Sandbox) -> None:
    received = Received()
    async with connected(settings, "legacy", logging_callback=received) as client:
        await sandbox.call("POST", "/_sandbox/faults", ONE_RETRY)
        result = await client.call_tool("get_workflow", {"workflow": "greeting"})
        assert not result.is_error
        await client.call_tool(
            "execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}, "wait_seconds": 0}
        )
    (retry,) = received.by("mcp_workflows.api")
    assert retry.level == "warning"
    assert isinstance(retry.data, str)
    assert "/v1/workflows/greeting -> 503; retrying" in retry.data
    assert received.by("mcp_workflows.audit") == [], "audit lines are info: below the default level"


async def test_set_level_chooses_what_a_handshake_client_gets(settings: Settings) -> None:
    received = Received()
    async with connected(settings, "legacy", logging_callback=received) as client:
        await set_level(client, "info")
        await client.call_tool(
            "execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}, "wait_seconds": 0}
        )
        (audit,) = received.by("mcp_workflows.audit")
        assert audit.level == "info"
        assert isinstance(audit.data, dict)
        assert audit.data["tool"] == "execute_workflow"
        assert audit.data["outcome"] == "done"
        await set_level(client, "error")
        await client.call_tool(
            "execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}, "wait_seconds": 0}
        )
        assert len(received.by("mcp_workflows.audit")) == 1


@pytest.mark.parametrize(("opt_in", "expected"), [(None, 0), ("info", 1), ("warning", 0)])
async def test_2026_clients_get_lines_only_for_requests_that_opt_in(
    settings: Settings, opt_in: LoggingLevel | None, expected: int
) -> None:
    received = Received()
    async with connected(settings, "auto", logging_callback=received, log_level=opt_in) as client:
        await client.call_tool(
            "execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}, "wait_seconds": 0}
        )
    assert len(received.by("mcp_workflows.audit")) == expected


def test_lines_carry_the_message_only_and_never_a_secret() -> None:
    redact.add(["s3cret-value-of-the-operator"])
    lines = Lines()
    record = logging.LogRecord(
        "mcp_workflows.server",
        logging.ERROR,
        __file__,
        1,
        "upstream said %s with Authorization: Bearer %s",
        ("s3cret-value-of-the-operator", "abcdefghijklmnop"),
        exc_info=None,
    )
    record.exc_text = "Traceback (most recent call last): ..."  # a logged exception's traceback stays here
    lines.add(record)
    (line,) = lines.entries
    assert line.level == "error"
    assert line.data == "upstream said [redacted] with Authorization: Bearer [redacted]"
    lines.closed = True
    lines.add(record)
    assert len(lines.entries) == 1, "nothing is added once the request's lines are sent"

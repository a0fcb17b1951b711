"""The audit trail as an operator reads it: bare JSON lines on stderr, one per mutating call."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from mcp_workflows.server.guard.audit import AUDIT_LOGGER, audit, configure_audit_log


@pytest.fixture
def audit_logger() -> Iterator[logging.Logger]:
    """The audit logger as a fresh process has it, restored afterwards."""
    logger = logging.getLogger(AUDIT_LOGGER)
    saved = (logger.handlers[:], logger.level, logger.propagate)
    logger.handlers.clear()
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
    yield logger
    logger.handlers[:], logger.level, logger.propagate = saved


def test_audit_lines_are_bare_json_on_stderr_only(
    audit_logger: logging.Logger, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    configure_audit_log()
    configure_audit_log()
    assert len(audit_logger.handlers) == 1, "configuring twice does not double the lines"
    with caplog.at_level(logging.DEBUG):  # anything that reached the root logger would be captured
        audit(
            tool="archive_workflow",
            risk="destructive",
            targets={"workflow": "greeting"},
            outcome="done",
            confirmation="token",
            detail="x" * 500,
            payload={"name": "Sam"},
        )
    out, err = capsys.readouterr()
    assert out == "", "stdout is the stdio transport"
    record = json.loads(err)
    assert caplog.records == [], "audit lines do not reach the application log as well"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record.pop("time"))
    assert record == {
        "audit": "mcp-workflows",
        "subject": None,
        "tool": "archive_workflow",
        "risk": "destructive",
        "targets": {"workflow": "greeting"},
        "confirmation": "token",
        "outcome": "done",
        "detail": "x" * 300,
        "payload": {"name": "Sam"},
    }


def test_optional_fields_are_left_out(audit_logger: logging.Logger, capsys: pytest.CaptureFixture[str]) -> None:
    configure_audit_log()
    audit(tool="update_workflow", risk="write", targets={}, outcome="error", confirmation=None)
    record = json.loads(capsys.readouterr().err)
    assert record["confirmation"] == "none"
    assert "detail" not in record
    assert "payload" not in record


@pytest.fixture
def far_from_utc() -> Iterator[None]:
    """The process runs in UTC+14 (no UTC host clock to hide a local time behind the `Z`)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "AUDIT-14"  # POSIX TZ: a zone 14 hours ahead of UTC
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_audit_time_is_utc_whatever_the_hosts_zone(
    audit_logger: logging.Logger, capsys: pytest.CaptureFixture[str], far_from_utc: None
) -> None:
    configure_audit_log()
    before = utc_now()
    audit(tool="archive_workflow", risk="destructive", targets={}, outcome="done", confirmation="token")
    after = utc_now()
    assert before <= json.loads(capsys.readouterr().err)["time"] <= after

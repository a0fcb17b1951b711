"""MCP logging: the log lines a person watching the client should see, as `notifications/message`.

Sent: warnings of the API layer (retries, a stream that fell back to polling), the audit line of
every write, destructive and execute call (as a JSON object), and the server's own errors; only
the message, never a traceback, and every line through `redact`. The lines a request produces are
collected while it runs and sent on that request's stream just before its response.

- Handshake era: `logging/setLevel` sets the least severe level sent on the connection
  (`warning` until the client sets one).
- 2026-07-28: logging is deprecated (SEP-2577) and `logging/setLevel` is gone. As the SDK does, a
  request's lines are sent only when that request opts in with
  `_meta["io.modelcontextprotocol/logLevel"]`, at that level and above.
"""

from __future__ import annotations

import contextlib
import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final, get_args

import anyio
from mcp.server import ServerRequestContext
from mcp.server.connection import allowed_log_levels
from mcp.server.context import CallNext, HandlerResult
from mcp_types import (
    EmptyResult,
    LoggingLevel,
    LoggingMessageNotification,
    LoggingMessageNotificationParams,
    SetLevelRequestParams,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from mcp_workflows.redaction import redact
from mcp_workflows.server.connections import connection_of
from mcp_workflows.server.guard.audit import AUDIT_LOGGER

FORWARDED_LOGGERS: Final = ("mcp_workflows.api", "mcp_workflows.server", AUDIT_LOGGER)
# Requests that do work upstream; long-lived ones (subscriptions/listen) would hold lines for hours.
COLLECTING_METHODS: Final = frozenset({"tools/call", "resources/read", "prompts/get", "completion/complete"})
DEFAULT_LEVEL: LoggingLevel = "warning"
LEVEL_KEY: Final = "mcp_workflows.log_level"
MAX_LINES = 20
MAX_CHARS = 2000

LEVELS: Final[tuple[LoggingLevel, ...]] = get_args(LoggingLevel)  # least severe first
_BY_PYTHON_LEVEL: Final[dict[int, LoggingLevel]] = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warning",
    logging.ERROR: "error",
    logging.CRITICAL: "critical",
}


@dataclass
class Lines:
    """The lines one request produced, until its response goes out."""

    entries: list[LoggingMessageNotificationParams] = field(default_factory=lambda: [])
    closed: bool = False

    def add(self, record: logging.LogRecord) -> None:
        if self.closed or len(self.entries) >= MAX_LINES:
            return
        text = redact(record.getMessage())[:MAX_CHARS]
        data: Any = text
        if record.name == AUDIT_LOGGER:
            with contextlib.suppress(ValueError):
                data = json.loads(text)
        level = _BY_PYTHON_LEVEL.get(record.levelno, "error" if record.levelno > logging.WARNING else "info")
        self.entries.append(LoggingMessageNotificationParams(level=level, logger=record.name, data=data))


_current: ContextVar[Lines | None] = ContextVar("mcp_workflows_client_log", default=None)


class _Collector(logging.Handler):
    """Adds records to the lines of the request running in this context, if any."""

    def emit(self, record: logging.LogRecord) -> None:
        lines = _current.get()
        if lines is not None:
            lines.add(record)


_COLLECTOR = _Collector()


def install() -> None:
    """Collect from the forwarded loggers (once per process). Audit lines are always recorded."""
    for name in FORWARDED_LOGGERS:
        logger = logging.getLogger(name)
        if _COLLECTOR not in logger.handlers:
            logger.addHandler(_COLLECTOR)
    audit = logging.getLogger(AUDIT_LOGGER)
    if audit.level == logging.NOTSET or audit.level > logging.INFO:
        audit.setLevel(logging.INFO)


async def set_level(ctx: ServerRequestContext[Any, Any], params: SetLevelRequestParams) -> EmptyResult:
    """`logging/setLevel` (handshake era): the least severe level this connection receives."""
    connection_of(ctx).state[LEVEL_KEY] = params.level
    return EmptyResult()


def _allowed(ctx: ServerRequestContext[Any, Any]) -> frozenset[LoggingLevel]:
    if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
        return allowed_log_levels(ctx.protocol_version, ctx.meta)  # the request's own opt-in
    chosen: LoggingLevel = connection_of(ctx).state.get(LEVEL_KEY, DEFAULT_LEVEL)
    return frozenset(LEVELS[LEVELS.index(chosen) :])


async def forward_logs(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Server middleware: collect a request's lines and send those the client wants before its response."""
    if ctx.method not in COLLECTING_METHODS or ctx.request_id is None:
        return await call_next(ctx)
    lines = Lines()
    token = _current.set(lines)
    try:
        result = await call_next(ctx)
    except Exception:
        await _send(ctx, lines)
        raise
    finally:
        _current.reset(token)
    await _send(ctx, lines)
    return result


async def _send(ctx: ServerRequestContext[Any, Any], lines: Lines) -> None:
    lines.closed = True  # tasks the request started must not add to lines already sent
    if not lines.entries:
        return
    allowed = _allowed(ctx)
    try:
        for entry in lines.entries:
            if entry.level in allowed:
                notification = LoggingMessageNotification(params=entry)
                await ctx.session.send_notification(notification, related_request_id=ctx.request_id)
    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
        pass  # the client went away: its response is lost too

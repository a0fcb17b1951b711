"""One JSON line on stderr for every write, destructive and execute call.

Lines carry time, the caller's subject, tool, risk class, target ids, the confirmation path and
the outcome; never the API key, and never workflow inputs or outputs (they may hold personal data)
unless the operator asks for payloads with --audit-payloads.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Mapping
from typing import Any

from mcp_workflows.server.guard.caller import caller_subject

AUDIT_LOGGER = "mcp_workflows.audit"
_logger = logging.getLogger(AUDIT_LOGGER)


def configure_audit_log() -> None:
    """Audit lines are bare JSON on stderr, apart from the human log format."""
    if _logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    _logger.addHandler(handler)
    _logger.setLevel(logging.INFO)
    _logger.propagate = False


def audit(
    *,
    tool: str,
    risk: str,
    targets: Mapping[str, Any],
    outcome: str,
    confirmation: str | None,
    detail: str | None = None,
    payload: Any = None,
) -> None:
    record: dict[str, Any] = {
        "audit": "mcp-workflows",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "subject": caller_subject(),  # who called over HTTP (token subject); null on stdio
        "tool": tool,
        "risk": risk,
        "targets": dict(targets),
        "confirmation": confirmation or "none",
        "outcome": outcome,
    }
    if detail:
        record["detail"] = detail[:300]
    if payload is not None:
        record["payload"] = payload
    _logger.info(json.dumps(record, default=str, ensure_ascii=False))

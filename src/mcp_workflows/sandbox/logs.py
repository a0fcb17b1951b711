"""Log windows shared by the execution and deployment log endpoints."""

from __future__ import annotations

from datetime import datetime

from .models import LogRecord


def log_window(
    records: list[LogRecord], after: datetime | None, before: datetime | None, order: str
) -> list[LogRecord]:
    """Records strictly after `after` and before `before`, oldest first unless `order` is desc."""
    selected = [
        r for r in records if (after is None or r.timestamp > after) and (before is None or r.timestamp < before)
    ]
    if order == "desc":
        selected.reverse()
    return selected

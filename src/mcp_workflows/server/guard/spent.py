"""Confirmations are spent once: a token or an accepted form authorises one action.

A replayed token (or a replayed 2026-07-28 form answer) must be refused even when the replay
reaches a fresh server process, as happens with clients that start a server per call (the
LangChain adapter does). The embedded default is a small SQLite file in the user's state
directory: SQLite's own file locking makes `spend` atomic across processes on one machine.
Replicas on several machines share one Redis instead (MCP_WORKFLOWS_REDIS_URL,
`server/redis_state/spent.py`), behind the same interface.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

DB_NAME = "confirmations.sqlite3"


class ConfirmationStore(Protocol):
    """Short-lived entries shared by every process that honours the same confirmations."""

    async def spend(self, key: str, expires_at: float) -> bool:
        """Mark `key` spent until `expires_at` (epoch seconds); True the first time, False when it
        was already spent."""
        ...

    async def remember(self, key: str, value: str, expires_at: float) -> None:
        """Store `value` under `key` (replacing any earlier one) until `expires_at`."""
        ...

    async def recall(self, key: str) -> str | None:
        """The value remembered under `key`, unless it expired."""
        ...


def default_state_dir() -> Path:
    """`$XDG_STATE_HOME/mcp-workflows`, else `~/.local/state/mcp-workflows`."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "mcp-workflows"


def entry_digest(key: str) -> str:
    """What a store keeps instead of `key`: no token or argument ever lands on disk or in Redis."""
    return hashlib.sha256(key.encode()).hexdigest()


class SqliteConfirmationStore:
    """Entries in one SQLite file; expired rows are dropped as new ones arrive. Each call is one
    short local transaction, run on the event loop as before the interface became async."""

    def __init__(self, directory: Path, clock: Callable[[], float] = time.time) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._path = directory / DB_NAME
        self._clock = clock
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT, expires_at REAL NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        # A short-lived connection per call: the store is touched once or twice per confirmation.
        return sqlite3.connect(self._path, timeout=10.0, isolation_level="IMMEDIATE")

    def _write(self, statement: str, key: str, value: str | None, expires_at: float) -> int:
        db = self._connect()
        try:
            with db:
                db.execute("DELETE FROM entries WHERE expires_at < ?", (self._clock(),))
                return db.execute(statement, (entry_digest(key), value, expires_at)).rowcount
        finally:
            db.close()

    async def spend(self, key: str, expires_at: float) -> bool:
        inserted = self._write("INSERT OR IGNORE INTO entries VALUES (?, ?, ?)", key, None, expires_at)
        return inserted == 1

    async def remember(self, key: str, value: str, expires_at: float) -> None:
        self._write("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", key, value, expires_at)

    async def recall(self, key: str) -> str | None:
        db = self._connect()
        try:
            row = db.execute(
                "SELECT value FROM entries WHERE key = ? AND expires_at >= ?", (entry_digest(key), self._clock())
            ).fetchone()
        finally:
            db.close()
        return None if row is None else str(row[0])

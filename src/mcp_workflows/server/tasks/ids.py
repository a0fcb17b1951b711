"""Task ids that carry their execution: `wf1.<confirmation>.<execution id>.<signature>`.

The execution id is base64url (header-safe for `Mcp-Name`, no `/`), and an HMAC under a key
derived from the server's signing secret (the one confirmation tokens use) makes the id
unforgeable: any process sharing the secret verifies it, no store is needed, and a client cannot
turn an execution it did not start as a task (execution ids can be chosen by callers, so they
are guessable) into one it may read, answer or cancel. The confirmation letter records how the
start was confirmed, so the final result repeats `confirmed_by` exactly as the inline call does.

The signature also covers the caller who started the task (the token's subject, or which static
token; none over stdio or an open server), though the id does not show it: another caller holding
the id gets "task not found", as SEP-2663 asks ("the client has permission to access a task").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from mcp_workflows.api.operations import segment_problem

_VERSION = "wf1"
_KEY_LABEL = b"mcp-workflows/task-id/v1"
_SIGNATURE_BYTES = 16
_CONFIRMED_BY = {"elicitation": "e", "token": "t", "policy_off": "o"}
_NOT_CONFIRMED = "n"
MAX_TASK_ID_CHARS = 1024


@dataclass(frozen=True)
class TaskRef:
    """What a task id stands for."""

    execution_id: str
    confirmed_by: str | None = None


class TaskIds:
    """Issues and verifies task ids with one secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()

    def issue(self, ref: TaskRef, caller: str | None) -> str:
        """The id of `ref`'s task, usable by `caller` only."""
        letter = _CONFIRMED_BY.get(ref.confirmed_by or "", _NOT_CONFIRMED)
        body = f"{_VERSION}.{letter}.{_b64(ref.execution_id.encode())}"
        return f"{body}.{self._sign(body, caller)}"

    def verify(self, task_id: str, caller: str | None) -> TaskRef | None:
        """The reference, or None for anything this server did not issue to `caller` (whatever the reason)."""
        parts = task_id.split(".")
        if len(task_id) > MAX_TASK_ID_CHARS or len(parts) != 4 or parts[0] != _VERSION:
            return None
        body = ".".join(parts[:3])
        if not hmac.compare_digest(parts[3], self._sign(body, caller)):
            return None
        try:
            execution_id = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        if segment_problem("execution_id", execution_id) is not None:
            return None
        confirmed_by = next((path for path, letter in _CONFIRMED_BY.items() if letter == parts[1]), None)
        return TaskRef(execution_id, confirmed_by)

    def _sign(self, body: str, caller: str | None) -> str:
        signed = f"{body}\n{caller or ''}".encode()  # a caller's name never holds a newline: tokens are ASCII
        return _b64(hmac.new(self._key, signed, hashlib.sha256).digest()[:_SIGNATURE_BYTES])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")

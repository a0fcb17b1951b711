"""One redaction pass on everything that leaves the server, whatever the upstream sends back.

The operator's secrets (the Mistral API key, the HTTP bearer tokens, the confirmation secret, the
Redis password), anything written after `Bearer ` and any password written into a URL
(`redis://user:PASSWORD@host`, `?password=...`, whatever its length) become `[redacted]`:
- in tool results and error texts (`server/results.py` frames every one of them through here);
- in everything written to stderr (logs, audit lines, tracebacks, warnings): the CLI wraps
  `sys.stderr` once, before anything is logged.
An upstream that echoes the request's Authorization header into an error body therefore cannot
make the key reach a model, a log or a terminal.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import TextIO

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 8  # shorter values are not secrets worth hiding (and would redact ordinary words)
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;\]}]+")
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^\s/@:]*:)[^\s/@]+(?=@)")
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)[^&\s#\"']+")
_PATTERNS = (_BEARER, _URL_PASSWORD, _QUERY_PASSWORD)


class Redactor:
    """Replaces known secrets and bearer credentials in text."""

    def __init__(self) -> None:
        self._secrets: tuple[str, ...] = ()

    def add(self, secrets: Iterable[str | None]) -> None:
        """Also hide these values (None and short values are ignored)."""
        found = {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
        # Longest first, so a secret that contains another is hidden whole.
        self._secrets = tuple(sorted(set(self._secrets) | found, key=len, reverse=True))

    def needed(self, text: str) -> bool:
        """Whether `text` holds anything to hide (a cheap check for the common case: nothing)."""
        return any(secret in text for secret in self._secrets) or any(p.search(text) for p in _PATTERNS)

    def __call__(self, text: str) -> str:
        if not self.needed(text):
            return text
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
        return text


redact = Redactor()


class RedactingStream:
    """A text stream that redacts every write before passing it on (used for stderr)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def redact_stderr() -> None:
    """Route everything written to `sys.stderr` through the redactor (idempotent)."""
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)

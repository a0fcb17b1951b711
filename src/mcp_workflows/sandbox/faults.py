"""Fault injection and request counting, as ASGI middleware in front of the routes."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import FaultConfig, FaultRule


class InjectedDrop(Exception):
    """Raised inside the ASGI app to make uvicorn drop the connection mid-response."""


class _HideInjectedDrops(logging.Filter):
    """Keep uvicorn from logging a traceback for connections we dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, InjectedDrop)


def install_log_filter() -> None:
    """Attach the filter to uvicorn's error logger once."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideInjectedDrops) for f in logger.filters):
        logger.addFilter(_HideInjectedDrops())


@dataclass
class _LiveRule:
    rule: FaultRule
    pattern: re.Pattern[str]
    remaining: int | None


class Faults:
    """The current rules with their remaining counts; the first matching rule wins."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._rules: list[_LiveRule] = []
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        """Replace every rule."""
        self._rules = [_LiveRule(r, re.compile(r.path_regex), r.times) for r in config.rules]

    def snapshot(self) -> dict[str, Any]:
        """The rules as JSON, each with how many hits it has left."""
        return {"rules": [{**live.rule.model_dump(), "remaining": live.remaining} for live in self._rules]}

    def take(self, method: str, path: str, kinds: tuple[str, ...]) -> FaultRule | None:
        """The first rule of one of `kinds` matching this request; consumes one of its hits."""
        for live in self._rules:
            rule = live.rule
            if rule.kind not in kinds or (live.remaining is not None and live.remaining <= 0):
                continue
            if rule.method is not None and rule.method.upper() != method.upper():
                continue
            if not live.pattern.search(path):
                continue
            if live.remaining is not None:
                live.remaining -= 1
            return rule
        return None


class Stats:
    """How many upstream (`/v1/...`) requests the sandbox saw, per path and per method + path.

    Every execution brings new paths, so only the `MAX_KEYS` most recently first-seen ones are counted
    (the total counts every request): a long-running sandbox keeps bounded memory.
    """

    MAX_KEYS = 2_000

    def __init__(self) -> None:
        self.paths: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.total = 0
        self.open_streams = 0

    def count(self, method: str, path: str) -> None:
        self.total += 1
        for counter, key in ((self.paths, path), (self.requests, f"{method} {path}")):
            counter[key] += 1
            if len(counter) > self.MAX_KEYS:
                del counter[next(iter(counter))]

    def snapshot(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "paths": dict(self.paths),
            "requests": dict(self.requests),
            "open_streams": self.open_streams,
        }

    def clear(self) -> None:
        self.paths.clear()
        self.requests.clear()
        self.total = 0


REQUEST_KINDS = ("latency", "status", "drop")


class FaultMiddleware:
    """Counts `/v1` requests, checks the bearer token, then applies latency/status/drop rules."""

    def __init__(self, app: ASGIApp, faults: Faults, stats: Stats) -> None:
        self.app = app
        self.faults = faults
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        method = str(scope["method"])
        path = str(scope["path"])
        self.stats.count(method, path)
        if not _authorized(scope):
            await _send_json(send, 401, {"detail": "Missing or invalid bearer token"}, {"www-authenticate": "Bearer"})
            return
        rule = self.faults.take(method, path, REQUEST_KINDS)
        while rule is not None and rule.kind == "latency":
            await asyncio.sleep(rule.latency_ms / 1000)
            rule = self.faults.take(method, path, ("status", "drop"))
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == "status":
            body = rule.body or {"detail": f"Injected fault: HTTP {rule.status}", "code": "SANDBOX_FAULT"}
            headers = {} if rule.retry_after is None else {"retry-after": _seconds(rule.retry_after)}
            await _send_json(send, rule.status, body, headers)
        elif rule.after_handler:
            await self.app(scope, receive, _dropping_send(send))
            raise InjectedDrop(path)
        else:
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            raise InjectedDrop(path)


def _dropping_send(send: Send) -> Send:
    """Pass the response start through, swallow the body; the caller then raises InjectedDrop."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            await send(message)

    return wrapped


def _authorized(scope: Scope) -> bool:
    for key, value in scope.get("headers", []):
        if key.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return scheme.lower() == "bearer" and bool(token.strip())
    return False


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    raw = json.dumps(body).encode()
    header_list = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    header_list += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": header_list})
    await send({"type": "http.response.body", "body": raw})

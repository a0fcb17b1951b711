"""Deterministic identifiers and timestamps, so docs and tests can cite the demo ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

SANDBOX_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://sandbox.mcp-workflows.local/")

CUSTOMER_ID = str(uuid.uuid5(SANDBOX_NAMESPACE, "customer"))
WORKSPACE_ID = str(uuid.uuid5(SANDBOX_NAMESPACE, "workspace"))
NAMESPACE = "sandbox"


def stable_id(kind: str, name: str) -> str:
    """uuid5 of `kind:name` in the sandbox namespace (e.g. `workflow:greeting`)."""
    return str(uuid.uuid5(SANDBOX_NAMESPACE, f"{kind}:{name}"))


def workflow_id(name: str) -> str:
    """Id of the demo workflow called `name`."""
    return stable_id("workflow", name)


def registration_id(name: str) -> str:
    """Id of the demo workflow's registration."""
    return stable_id("registration", name)


def deployment_id(name: str) -> str:
    """Id of the deployment called `name`."""
    return stable_id("deployment", name)


def new_id() -> str:
    """A fresh random UUID string (execution ids, run ids)."""
    return str(uuid.uuid4())


def now() -> datetime:
    """Current UTC time."""
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    """RFC 3339 string, or None."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def iso_req(value: datetime) -> str:
    """RFC 3339 string of a time that is always set."""
    return value.isoformat().replace("+00:00", "Z")


def nanos(value: datetime) -> int:
    """Unix time in integer nanoseconds (event_timestamp, trace times)."""
    return int(value.timestamp() * 1_000_000) * 1000


def as_utc(value: datetime) -> datetime:
    """Naive datetimes from query strings are read as UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

"""Recognise a separately started `mcp-workflows sandbox` at MISTRAL_BASE_URL, so `serve` needs no key for it.

A key-less `serve` is let through only when the base URL is a loopback address whose
`/_sandbox/health` names this project's sandbox. A deployment pointed at the real API (or at any
other server) with a forgotten key still stops at start-up, without a request leaving the machine.
"""

from __future__ import annotations

import httpx2

from mcp_workflows.loopback import is_loopback_url
from mcp_workflows.sandbox.config import SERVICE_NAME

PROBE_TIMEOUT_S = 2.0


def answers_as_sandbox(base_url: str, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Whether base_url is a loopback address served by `mcp-workflows sandbox`."""
    if not is_loopback_url(base_url):
        return False
    try:
        response = httpx2.get(f"{base_url.rstrip('/')}/_sandbox/health", timeout=timeout_s)
        body = response.json() if response.status_code == 200 else None
    except (httpx2.HTTPError, ValueError):
        return False
    return isinstance(body, dict) and body.get("service") == SERVICE_NAME

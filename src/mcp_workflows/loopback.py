"""Whether a URL stays on this machine: what may go without a key (a local sandbox) or without TLS
(an authorization server in a test)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on localhost, 127.0.0.0/8 or ::1."""
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

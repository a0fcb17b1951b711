"""The tests of shared state need a real redis-server: without one they fail and say how to get
it, never skip (this check runs in the default tier, where no redis-server is needed)."""

from __future__ import annotations

import pytest

from tests.redis_server import RedisServer


def test_a_missing_redis_server_fails_the_test_with_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(pytest.fail.Exception, match=r"redis-server is not on PATH.*apt-get install -y redis-server"):
        RedisServer()

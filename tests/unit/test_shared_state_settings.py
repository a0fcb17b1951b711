"""Choosing where shared state lives, and keeping the Redis password out of everything shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from mcp_workflows.config import Settings
from mcp_workflows.redaction import Redactor
from mcp_workflows.server.redis_state.state import RedisState
from mcp_workflows.server.shared_state import EmbeddedState, shared_state


def test_without_a_redis_url_the_embedded_state_stays(tmp_path: Path) -> None:
    assert isinstance(shared_state(Settings(state_dir=str(tmp_path))), EmbeddedState)
    assert isinstance(shared_state(Settings(redis_url="redis://127.0.0.1:6379/0")), RedisState)


def test_the_redis_password_is_a_secret_wherever_it_is_written() -> None:
    settings = Settings(redis_url="redis://app:a-long-redis-password@redis.internal:6379/0?password=other-one-9")
    assert {"a-long-redis-password", "other-one-9"} <= set(settings.secrets())
    assert "a-long-redis-password" not in repr(settings)
    assert Settings(redis_url="redis://redis.internal:6379/0").secrets() == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("redis://:pw@10.0.0.5:6379/0", "redis://:[redacted]@10.0.0.5:6379/0"),
        ("failed: rediss://app:s%2Fcret@cache:6380/1.", "failed: rediss://app:[redacted]@cache:6380/1."),
        ("unix:///run/redis.sock?db=0&password=pw", "unix:///run/redis.sock?db=0&password=[redacted]"),
        ("http://127.0.0.1:8080/v1/workflows/a@b", "http://127.0.0.1:8080/v1/workflows/a@b"),
        ("redis://redis.internal:6379/0", "redis://redis.internal:6379/0"),
    ],
)
def test_a_password_inside_a_url_is_redacted_whatever_its_length(text: str, shown: str) -> None:
    redactor = Redactor()  # no known secrets: the pattern alone does it
    assert redactor(text) == shown


@pytest.mark.parametrize("prefix", ["", "has space", "x" * 65, "a/b"])
def test_the_key_prefix_is_a_plain_name(prefix: str) -> None:
    with pytest.raises(ValidationError):
        Settings(redis_key_prefix=prefix)

"""Install and start an MCPB bundle the way a host does: for the bundle's tests and its install benchmark.

`unpack` uses the official `mcpb unpack`; `host_command` resolves the manifest's `mcp_config` with
the reference implementation (tools/node/host-config.mjs), `${__dirname}` and the user's settings
substituted as a host does. The `uv` it runs is ours: a host brings its own.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.build_mcpb import REPO, find_mcpb, find_uv

HOST_CONFIG = REPO / "tools" / "node" / "host-config.mjs"


@dataclass(frozen=True)
class HostCommand:
    command: str
    args: list[str]
    env: dict[str, str]


def unpack(bundle: Path, target: Path) -> None:
    """`mcpb unpack` into target, which must not hold anything yet."""
    assert not target.exists() or not any(target.iterdir()), f"{target} is not empty"
    subprocess.run([find_mcpb(), "unpack", str(bundle), str(target)], check=True, capture_output=True)


def resolved_config(bundle_dir: Path, user_config: Mapping[str, Any]) -> dict[str, Any] | None:
    """The manifest's mcp_config as the host resolves it; None when a required setting is missing."""
    done = subprocess.run(
        ["node", str(HOST_CONFIG), str(bundle_dir), json.dumps(dict(user_config))],
        check=True,
        capture_output=True,
        text=True,
    )
    config: dict[str, Any] | None = json.loads(done.stdout)
    return config


def host_command(bundle_dir: Path, user_config: Mapping[str, Any], base_env: Mapping[str, str]) -> HostCommand:
    """What the host spawns: the resolved mcp_config, its env on top of base_env, with our uv."""
    config = resolved_config(bundle_dir, user_config)
    assert config is not None, "the host would not start the server: a required setting is missing"
    command = config["command"]
    if command == "uv":
        command = find_uv()
    return HostCommand(command, list(config.get("args", [])), {**base_env, **config.get("env", {})})


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without any project setting (no real key reaches a bundle server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MISTRAL_", "MCP_WORKFLOWS_", "VIRTUAL_ENV"))}
    env.update(extra)
    return env

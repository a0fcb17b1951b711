"""The MCPB bundle, built by scripts/build_mcpb.py and checked by the official mcpb CLI, carries the
server's source and a uv.lock; unpacked into an empty folder and started the way a host starts it,
it serves the sandbox, and without a key (and without the sandbox) it stops at once and says why."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from mcp.client.stdio import StdioServerParameters
from scripts.build_mcpb import BUNDLE_SOURCE, build
from scripts.mcpb_host import clean_env, host_command, resolved_config, unpack

import mcp_workflows
from mcp_workflows.cli import NO_KEY_MESSAGE
from tests.packaging.conftest import first_listing

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("bundle"))


@pytest.fixture(scope="module")
def installed(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle unpacked into an empty folder, as a host installs it."""
    target = tmp_path_factory.mktemp("extension") / "mcp-workflows"
    unpack(bundle, target)
    return target


def test_bundle_carries_the_source_the_lock_and_this_manifest(bundle: Path) -> None:
    assert bundle.name == f"mcp-workflows-{mcp_workflows.__version__}.mcpb"
    archive = zipfile.ZipFile(bundle)
    names = set(archive.namelist())
    assert {"manifest.json", "pyproject.toml", "uv.lock", "README.md", "server/main.py"} <= names
    assert {"src/mcp_workflows/cli.py", "src/mcp_workflows/server/tool_index.json"} <= names
    assert not [n for n in names if "__pycache__" in n or n.startswith((".venv", "tests/"))]
    shipped = json.loads(archive.read("manifest.json"))
    assert shipped == json.loads((BUNDLE_SOURCE / "manifest.json").read_text(encoding="utf-8"))
    lock = archive.read("uv.lock").decode()
    assert 'name = "mcp"\nversion = "2.3.0"' in lock, "the lock pins the SDK the server is written for"


def test_the_host_resolves_the_command_into_the_bundle(installed: Path) -> None:
    config = resolved_config(installed, {"sandbox": True})
    assert config is not None
    assert config["command"] == "uv"
    assert str(installed) in config["args"]
    assert config["env"]["MCP_WORKFLOWS_SANDBOX"] == "true"
    assert config["env"]["MISTRAL_API_KEY"] == "", "an unset key reaches the server empty, never as a placeholder"


@pytest.mark.anyio
async def test_unpacked_bundle_serves_the_sandbox(installed: Path, tmp_path: Path) -> None:
    host = host_command(installed, {"sandbox": True}, clean_env(UV_CACHE_DIR=str(tmp_path / "uv-cache")))
    params = StdioServerParameters(command=host.command, args=host.args, env=host.env, cwd=str(tmp_path))
    listing = await first_listing(params, tmp_path / "stderr.log")
    assert listing["workflows"]
    links = [p.read_text() for p in (installed / ".venv").rglob("*.pth")]
    assert any(str(installed / "src") in text for text in links), "the server ran from the bundle's own source"


def test_unpacked_bundle_without_a_key_stops_at_once(installed: Path, tmp_path: Path) -> None:
    host = host_command(installed, {}, clean_env())
    done = subprocess.run(
        [host.command, *host.args], env=host.env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert NO_KEY_MESSAGE in done.stderr
    assert done.stdout == ""

"""The wheel and sdist pass `twine check`, and the wheel alone, in an empty venv, is a working
`mcp-workflows`: started the way the README and the client manifests say, with no PATH and no
activated venv, and through `uvx --from <wheel>`."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from mcp.client.stdio import StdioServerParameters
from scripts.build_mcpb import find_uv
from scripts.mcpb_host import clean_env

import mcp_workflows
from tests.e2e.harness import REPO
from tests.packaging.conftest import first_listing
from tests.test_manifests import client_servers
from tests.test_readme import readme_stdio_entry

pytestmark = pytest.mark.slow
VERSION = mcp_workflows.__version__
MINIMAL_ENV = {"PATH": "/usr/bin:/bin", "MCP_WORKFLOWS_SANDBOX_TIME_SCALE": "0.05"}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (path,) = dist.glob("*.whl")
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """An empty venv with only the wheel (and its dependencies) installed: its `mcp-workflows`."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True)
    return venv / "bin" / "mcp-workflows"


def test_twine_accepts_the_wheel_and_the_sdist(dist: Path) -> None:
    files = sorted(dist.iterdir())
    assert [f.name for f in files] == [f"mcp_workflows-{VERSION}-py3-none-any.whl", f"mcp_workflows-{VERSION}.tar.gz"]
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_the_wheel_holds_the_package_data_and_no_tests(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("mcp_workflows/server/tool_index.json", "mcp_workflows/py.typed", "mcp_workflows/sandbox/app.py"):
        assert needed in names
    assert not [n for n in names if n.startswith("tests/") or "__pycache__" in n]
    entry_points = zipfile.ZipFile(wheel).read(f"mcp_workflows-{VERSION}.dist-info/entry_points.txt").decode()
    assert "mcp-workflows = mcp_workflows.cli:main" in entry_points


def test_the_sdist_builds_the_same_package(dist: Path) -> None:
    with tarfile.open(next(dist.glob("*.tar.gz"))) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {
        "pyproject.toml",
        "README.md",
        "src/mcp_workflows/cli.py",
        "src/mcp_workflows/server/tool_index.json",
    } <= names


def test_the_installed_command_answers_without_path_or_activation(installed: Path) -> None:
    done = subprocess.run([str(installed), "tools"], env=MINIMAL_ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "execute_workflow" in done.stdout


@pytest.mark.anyio
async def test_the_readme_entry_serves_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    command, args = readme_stdio_entry()
    assert command.endswith("/.venv/bin/mcp-workflows"), "the README names the venv's command by its path"
    params = StdioServerParameters(
        command=str(installed), args=[*args, "--sandbox"], env=MINIMAL_ENV, cwd=str(tmp_path)
    )
    listing = await first_listing(params, tmp_path / "stderr.log")
    assert listing["workflows"]


@pytest.mark.anyio
async def test_the_sandbox_client_config_serves_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    (server,) = client_servers("claude_desktop_config.sandbox.json").values()
    assert server["command"].endswith("/.venv/bin/mcp-workflows"), "the placeholder stands for the venv's command"
    params = StdioServerParameters(command=str(installed), args=server["args"], env=MINIMAL_ENV, cwd=str(tmp_path))
    listing = await first_listing(params, tmp_path / "stderr.log")
    assert listing["workflows"]


@pytest.mark.anyio
async def test_uvx_runs_the_wheel(wheel: Path, tmp_path: Path) -> None:
    uvx = str(Path(find_uv()).with_name("uvx"))
    env = clean_env(MCP_WORKFLOWS_SANDBOX_TIME_SCALE="0.05", UV_TOOL_DIR=str(tmp_path / "tools"))
    args = ["--from", str(wheel), "mcp-workflows", "serve", "--sandbox"]
    params = StdioServerParameters(command=uvx, args=args, env=env, cwd=str(tmp_path))
    listing = await first_listing(params, tmp_path / "stderr.log")
    assert listing["workflows"]

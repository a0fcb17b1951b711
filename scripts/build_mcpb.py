"""Build the MCPB bundle: the server's source and pyproject with a uv.lock, under a manifest of type `uv`.

    .venv/bin/python scripts/build_mcpb.py [--out DIR]     # -> DIR/mcp-workflows-VERSION.mcpb

Needs uv (`pip install -e ".[packaging]"`) and the official mcpb CLI (`npm ci --prefix tools/node`).
The bundle carries everything but the third-party wheels: its host (Claude Desktop, or anything
that runs `mcp_config`) installs exactly the locked versions with uv on first start, for the
user's platform, so nothing depends on an mcp-workflows release on PyPI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUNDLE_SOURCE = REPO / "manifests" / "mcpb"
MCPB = REPO / "tools" / "node" / "node_modules" / ".bin" / "mcpb"
# What the bundle holds besides the manifest: the project as uv needs it to install and run it.
PROJECT_FILES = ("pyproject.toml", "README.md")


def find_uv() -> str:
    """uv from this venv (the packaging extra), else from PATH."""
    beside = Path(sys.executable).with_name("uv")
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        sys.exit('build_mcpb: uv not found; install it with `.venv/bin/pip install -e ".[packaging]"`')
    return found


def find_mcpb() -> str:
    if not MCPB.is_file():
        sys.exit("build_mcpb: the mcpb CLI is missing; run `npm ci --prefix tools/node` first")
    return str(MCPB)


def stage(target: Path) -> None:
    """Lay out the bundle's files in target."""
    for name in PROJECT_FILES:
        shutil.copy2(REPO / name, target / name)
    shutil.copytree(
        REPO / "src" / "mcp_workflows",
        target / "src" / "mcp_workflows",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    shutil.copy2(BUNDLE_SOURCE / "manifest.json", target / "manifest.json")
    shutil.copytree(BUNDLE_SOURCE / "server", target / "server", ignore=shutil.ignore_patterns("__pycache__"))


def run(*command: str) -> None:
    subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=sys.stderr)


def build(out_dir: Path) -> Path:
    """Build the bundle into out_dir; return its path."""
    uv, mcpb = find_uv(), find_mcpb()
    version = json.loads((BUNDLE_SOURCE / "manifest.json").read_text(encoding="utf-8"))["version"]
    out_dir.mkdir(parents=True, exist_ok=True)
    bundle = out_dir / f"mcp-workflows-{version}.mcpb"
    with tempfile.TemporaryDirectory(prefix="mcpb-") as tmp:
        root = Path(tmp) / "mcp-workflows"
        root.mkdir()
        stage(root)
        # The lock is universal (every platform and Python the project allows), so the host
        # installs the same versions wherever it runs.
        run(uv, "lock", "--directory", str(root), "--quiet")
        run(mcpb, "validate", str(root / "manifest.json"))
        run(mcpb, "pack", str(root), str(bundle))
    return bundle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="output folder (default dist/)")
    args = parser.parse_args()
    os.environ.setdefault("UV_NO_PROGRESS", "1")
    bundle = build(args.out)
    print(bundle)
    print(f"{bundle.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

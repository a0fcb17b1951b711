"""Install-from-bundle time: from a freshly unpacked MCPB bundle to the first tool result, as ratios
to starting the already installed server, measured in the same run.

    .venv/bin/python bench/bench_bundle_install.py [--rounds 3] [--bundle dist/mcp-workflows-0.1.0.mcpb]

Each round, interleaved, spawns the server and times spawn -> list_workflows result over stdio:
- installed: this venv's `mcp-workflows serve --sandbox` (the baseline: nothing to install);
- cold: the bundle unpacked into an empty folder, started with the command the reference mcpb
  library resolves, with an empty uv cache: uv creates the venv and downloads every locked wheel;
- warm cache: another empty folder, with the cache the cold start filled (a second bundle, or a
  reinstall, on the same machine);
- restart: the cold folder again (its venv exists; what every later start of the host costs).
Needs uv and the mcpb CLI (see scripts/build_mcpb.py). Cold starts download from the package
index, so they move with the network; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # scripts/ helpers, run as a file
from scripts.build_mcpb import build
from scripts.mcpb_host import clean_env, host_command, unpack

USER_CONFIG = {"sandbox": True}


async def first_result(params: StdioServerParameters) -> float:
    """Seconds from spawning the server to the first list_workflows result."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            result = await client.call_tool("list_workflows", {})
            elapsed = time.perf_counter() - start
    assert not result.is_error, result
    return elapsed


def installed(work: Path) -> StdioServerParameters:
    command = str(Path(sys.executable).with_name("mcp-workflows"))
    return StdioServerParameters(command=command, args=["serve", "--sandbox"], env=clean_env(), cwd=str(work))


def from_bundle(bundle_dir: Path, cache: Path, work: Path) -> StdioServerParameters:
    host = host_command(bundle_dir, USER_CONFIG, clean_env(UV_CACHE_DIR=str(cache)))
    return StdioServerParameters(command=host.command, args=host.args, env=host.env, cwd=str(work))


async def one_round(bundle: Path, work: Path, index: int) -> dict[str, float]:
    cache = work / f"uv-cache-{index}"
    cold_dir, warm_dir = work / f"cold-{index}", work / f"warm-{index}"
    unpack(bundle, cold_dir)
    unpack(bundle, warm_dir)
    return {
        "installed": await first_result(installed(work)),
        "cold": await first_result(from_bundle(cold_dir, cache, work)),
        "warm cache": await first_result(from_bundle(warm_dir, cache, work)),
        "restart": await first_result(from_bundle(cold_dir, cache, work)),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bundle", type=Path, help="a built bundle (default: build one now)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        work = Path(tmp)
        bundle = args.bundle or build(work / "dist")
        print(f"bundle: {bundle.name}, {bundle.stat().st_size:,} bytes")
        rounds = [await one_round(bundle, work, index) for index in range(args.rounds)]
    baseline = statistics.median(r["installed"] for r in rounds)
    print(f"{'start':<12} {'median s':>9} {'min s':>7} {'x installed':>12}")
    for name in rounds[0]:
        values = [r[name] for r in rounds]
        median = statistics.median(values)
        print(f"{name:<12} {median:>9.2f} {min(values):>7.2f} {median / baseline:>12.2f}")


if __name__ == "__main__":
    anyio.run(main)

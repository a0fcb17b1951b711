"""Speed of the MCP server against the sandbox, as ratios to baselines measured in the same run.

    .venv/bin/python bench/bench_server.py [--rounds 7] [--calls 300] [--blocks 5]

Reports:
- start-up: process spawn to the first tools/list reply over stdio, ours vs the floor (a bare
  MCPServer with one no-op tool), interleaved round by round; target ratio <= 1.15;
- a cheap read: our get_workflow vs the same HTTP request made directly with httpx2, and the
  floor's passthrough tool vs that same request, interleaved call by call; target: our ratio
  <= 1.05 x the floor's ratio. Measured in several blocks (alternating which server follows the
  direct request) and reported as the median block, since one block moves by +-2% on a shared
  machine;
- 200 concurrent calls on one session (wall time and calls/s) and the server's peak memory.
Machines here are shared and noisy: only the ratios are meaningful, never the absolute times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from mcp_workflows.sandbox import running_sandbox

HERE = Path(__file__).resolve().parent


def params(which: str, sandbox_url: str) -> StdioServerParameters:
    env = {
        **os.environ,
        "MISTRAL_BASE_URL": sandbox_url,
        "MISTRAL_API_KEY": "bench",
        "MCP_WORKFLOWS_LOG_LEVEL": "WARNING",
    }
    args = ["-m", "mcp_workflows", "serve"] if which == "ours" else [str(HERE / "floor_server.py")]
    return StdioServerParameters(command=sys.executable, args=args, env=env)


async def startup_once(which: str, sandbox_url: str) -> float:
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        async with Client(stdio_client(params(which, sandbox_url), errlog=devnull)) as client:
            await client.list_tools()
            return time.perf_counter() - started


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await fn()
    return time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_pid(exclude: set[int]) -> int:
    """The newest child python process of ours running `serve` (stdio_client does not expose it)."""
    mine = str(os.getpid())
    candidates = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) in exclude:
            continue
        try:
            stat = (proc / "stat").read_text().split()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if stat[3] == mine and b"serve" in cmdline:
            candidates.append(int(proc.name))
    return max(candidates)


async def main(rounds: int, calls: int, blocks: int) -> None:
    async with running_sandbox() as sandbox_url:
        print(f"sandbox at {sandbox_url}; rounds={rounds} calls={calls}")
        # Start-up, interleaved so load changes hit both sides alike.
        ours_start, floor_start = [], []
        for _ in range(rounds):
            floor_start.append(await startup_once("floor", sandbox_url))
            ours_start.append(await startup_once("ours", sandbox_url))
        s_ours, s_floor = statistics.median(ours_start), statistics.median(floor_start)
        paired = statistics.median(o / f for o, f in zip(ours_start, floor_start, strict=True))
        print(
            f"start-up median: ours {s_ours * 1000:.0f} ms, floor {s_floor * 1000:.0f} ms, "
            f"ratio {s_ours / s_floor:.3f}; median of the {rounds} paired ratios {paired:.3f} (target <= 1.15)"
        )

        async with AsyncExitStack() as stack:
            devnull = stack.enter_context(open(os.devnull, "w"))  # noqa: SIM115
            ours = await stack.enter_async_context(Client(stdio_client(params("ours", sandbox_url), errlog=devnull)))
            pid = server_pid(set())
            floor = await stack.enter_async_context(Client(stdio_client(params("floor", sandbox_url), errlog=devnull)))
            http = await stack.enter_async_context(
                httpx2.AsyncClient(base_url=sandbox_url, headers={"Authorization": "Bearer bench"})
            )

            async def direct() -> None:
                (await http.get("/v1/workflows/greeting")).raise_for_status()

            async def ours_call() -> None:
                result = await ours.call_tool("get_workflow", {"workflow": "greeting"})
                assert not result.is_error

            async def floor_call() -> None:
                result = await floor.call_tool("get_workflow_raw", {"workflow_identifier": "greeting"})
                assert not result.is_error

            for warm in (direct, ours_call, floor_call):
                for _ in range(20):
                    await warm()
            block_ratios = []
            for block in range(blocks):
                t_direct, t_ours, t_floor = [], [], []
                # Odd blocks swap which server goes right after the direct request.
                first, second = (ours_call, floor_call) if block % 2 == 0 else (floor_call, ours_call)
                for _ in range(calls):
                    t_direct.append(await timed(direct))
                    t_first, t_second = await timed(first), await timed(second)
                    t_ours.append(t_first if first is ours_call else t_second)
                    t_floor.append(t_second if first is ours_call else t_first)
                d, o, f = (statistics.median(x) for x in (t_direct, t_ours, t_floor))
                ratio_ours, ratio_floor = o / d, f / d
                block_ratios.append(ratio_ours / ratio_floor)
                print(
                    f"cheap read, block {block + 1}/{blocks} (medians of {calls}): direct {d * 1e3:.2f} ms, "
                    f"ours {o * 1e3:.2f} ms, floor {f * 1e3:.2f} ms; ours/direct {ratio_ours:.2f}, "
                    f"floor/direct {ratio_floor:.2f}, ours vs floor {ratio_ours / ratio_floor:.3f}"
                )
            print(
                f"cheap read, ours vs floor: median of {blocks} blocks {statistics.median(block_ratios):.3f} "
                f"(range {min(block_ratios):.3f}-{max(block_ratios):.3f}; target <= 1.05)"
            )

            started = time.perf_counter()
            async with anyio.create_task_group() as group:
                for _ in range(200):
                    group.start_soon(ours_call)
            wall = time.perf_counter() - started
            print(f"200 concurrent get_workflow calls on one session: {wall:.2f} s ({200 / wall:.0f} calls/s)")
            print(f"server peak memory (VmHWM): {peak_rss_mb(pid):.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=300, help="interleaved calls per block")
    parser.add_argument("--blocks", type=int, default=5, help="cheap-read blocks; the median block is reported")
    options = parser.parse_args()
    anyio.run(main, options.rounds, options.calls, options.blocks)

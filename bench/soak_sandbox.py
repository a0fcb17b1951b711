"""Soak `mcp-workflows serve --sandbox` and watch its memory: it must stay flat after warm-up.

    .venv/bin/python bench/soak_sandbox.py [--minutes 10] [--workers 8] [--warmup-minutes 3]

Starts the real server process over stdio with the MCP SDK client and keeps `--workers` clients busy
with a realistic mix: execute a workflow and wait for its result, read it, list runs, list its events
(and now and then a slow-report followed through wait_for_execution). Every `--sample-s` seconds it
reads the server's RSS from /proc. Reports the calls made, the RSS at start, at the end of warm-up, at
the end and at its peak, the end/warm-up ratio, and the slope after warm-up (least squares, MB/min).
Warm-up must last until the sandbox holds `keep_executions` ended executions (1000 by default),
from which point every new one evicts the oldest.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client


def server_pid() -> int:
    """Our child python process running `serve` (stdio_client does not expose it)."""
    mine = str(os.getpid())
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            parent = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if parent == mine and b"serve" in cmdline:
            found.append(int(proc.name))
    return max(found)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per minute."""
    if len(samples) < 2:
        return float("nan")
    mean_t = statistics.fmean(t for t, _ in samples)
    mean_m = statistics.fmean(m for _, m in samples)
    cov = sum((t - mean_t) * (m - mean_m) for t, m in samples)
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    return 60 * cov / var


class Load:
    """The call mix, counting calls and failures per tool."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    async def call(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        result = await self.client.call_tool(tool, arguments)
        self.calls[tool] += 1
        if result.is_error:
            self.errors[tool] += 1
        return result.structured_content or {}

    async def round(self, n: int) -> None:
        if n % 10 == 0:
            started = await self.call(
                "execute_workflow", {"workflow": "slow-report", "input": {"seconds": 3}, "wait_seconds": 0}
            )
            execution_id = started.get("execution_id")
            while execution_id and started.get("status") == "RUNNING":
                started = await self.call(
                    "wait_for_execution",
                    {"execution_id": execution_id, "after": started.get("cursor"), "wait_seconds": 10},
                )
        else:
            started = await self.call(
                "execute_workflow",
                {"workflow": "greeting", "input": {"name": f"soak {n}"}, "wait_seconds": 10},
            )
            execution_id = started.get("execution_id")
        if not execution_id:
            return
        await self.call("get_execution", {"execution_id": execution_id})
        await self.call("list_runs", {"limit": 20})
        await self.call("list_events", {"workflow_exec_id": execution_id, "limit": 50})


async def main(minutes: float, workers: int, warmup_minutes: float, sample_s: float, keep: int | None) -> None:
    env = {
        **os.environ,
        "MCP_WORKFLOWS_TOOLSETS": "all",
        "MCP_WORKFLOWS_SANDBOX_TIME_SCALE": "0.01",
        "MCP_WORKFLOWS_LOG_LEVEL": "WARNING",
    }
    if keep is not None:
        env["MCP_WORKFLOWS_SANDBOX_KEEP_EXECUTIONS"] = str(keep)
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_workflows", "serve", "--sandbox"], env=env)
    with open(os.devnull, "w") as devnull:
        async with Client(stdio_client(params, errlog=devnull)) as client:
            pid = server_pid()
            load = Load(client)
            samples: list[tuple[float, float]] = []
            began = time.monotonic()
            deadline = began + minutes * 60

            async def worker(index: int) -> None:
                n = index
                while time.monotonic() < deadline:
                    await load.round(n)
                    n += workers

            async def sampler() -> None:
                while time.monotonic() < deadline:
                    samples.append((time.monotonic() - began, rss_mb(pid)))
                    await anyio.sleep(sample_s)
                samples.append((time.monotonic() - began, rss_mb(pid)))

            async with anyio.create_task_group() as group:
                group.start_soon(sampler)
                for index in range(workers):
                    group.start_soon(worker, index)

    elapsed = samples[-1][0]
    after = [(t, m) for t, m in samples if t >= warmup_minutes * 60]
    warm = after[0][1] if after else float("nan")
    total = sum(load.calls.values())
    executions = load.calls["execute_workflow"]
    print(f"soak: serve --sandbox (pid {pid}), {elapsed / 60:.1f} min, {workers} workers, {len(samples)} RSS samples")
    print(
        f"calls: {total} ({total / elapsed:.0f}/s), {executions} executions, errors: {sum(load.errors.values())} "
        + " ".join(f"{tool}={count}" for tool, count in sorted(load.calls.items()))
    )
    print(
        f"RSS MB: start {samples[0][1]:.1f}, after {warmup_minutes:g} min warm-up {warm:.1f}, "
        f"end {samples[-1][1]:.1f}, peak {max(m for _, m in samples):.1f}"
    )
    print(
        f"after warm-up: end/warm-up {samples[-1][1] / warm:.3f}, peak/warm-up {max(m for _, m in after) / warm:.3f}, "
        f"slope {slope_mb_per_min(after):+.2f} MB/min (whole run {slope_mb_per_min(samples):+.2f} MB/min)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--warmup-minutes", type=float, default=3)
    parser.add_argument("--sample-s", type=float, default=5)
    parser.add_argument("--keep-executions", type=int, help="sets MCP_WORKFLOWS_SANDBOX_KEEP_EXECUTIONS for the server")
    options = parser.parse_args()
    anyio.run(main, options.minutes, options.workers, options.warmup_minutes, options.sample_s, options.keep_executions)

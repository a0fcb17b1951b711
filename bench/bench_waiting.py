"""How fast a waited execution's result reaches the model, and how many upstream requests it costs.

    .venv/bin/python bench/bench_waiting.py [--durations 1 10 60] [--samples 5]

For each duration, executions of `slow-report` run through our MCP server (stdio, against a
sandbox in this process) with execute_workflow, continued with wait_for_execution when the
budget runs out. Requests are counted per execution from the sandbox's per-path counters (the
one-off registration lookup that validates the input, cached for a minute, is not included).
Reported per duration: the delay from the execution's end (the sandbox's own
end_time) to the tool returning (median and p95), and the upstream requests per execution. The
baseline, measured in the same run, is a plain 5-second poller of GET /executions/{id}.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters, stdio_client

from mcp_workflows.sandbox import running_sandbox


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def end_time(record: dict[str, Any]) -> float:
    return datetime.fromisoformat(record["end_time"].replace("Z", "+00:00")).timestamp()


async def requests_for(http: httpx2.AsyncClient, execution_id: str) -> int:
    """Upstream requests about this execution (its reads and stream), plus the one that started it."""
    paths: dict[str, int] = (await http.get("/_sandbox/stats")).json()["paths"]
    return 1 + sum(count for path, count in paths.items() if f"/executions/{execution_id}" in path)


async def ours(client: Client, http: httpx2.AsyncClient, seconds: float) -> tuple[float, int]:
    result = await client.call_tool(
        "execute_workflow", {"workflow": "slow-report", "input": {"seconds": seconds}, "wait_seconds": 45}
    )
    content = result.structured_content or {}
    while content.get("status") == "RUNNING":
        result = await client.call_tool(
            "wait_for_execution",
            {"execution_id": content["execution_id"], "after": content.get("cursor"), "wait_seconds": 45},
        )
        content = result.structured_content or {}
    returned = time.time()
    requests = await requests_for(http, content["execution_id"])
    record = (await http.get(f"/v1/workflows/executions/{content['execution_id']}")).json()
    return returned - end_time(record), requests


async def poller(http: httpx2.AsyncClient, seconds: float, interval: float = 5.0) -> tuple[float, int]:
    started = await http.post("/v1/workflows/slow-report/execute", json={"input": {"seconds": seconds}})
    execution_id = started.json()["execution_id"]
    while True:
        await anyio.sleep(interval)
        try:
            record = (await http.get(f"/v1/workflows/executions/{execution_id}")).json()
        except httpx2.TransportError:  # an idle keep-alive connection closed under us: poll again
            record = (await http.get(f"/v1/workflows/executions/{execution_id}")).json()
        if record["status"] != "RUNNING":
            return time.time() - end_time(record), await requests_for(http, execution_id)


async def main(durations: list[float], samples: int) -> None:
    async with running_sandbox() as url:
        env = {**os.environ, "MISTRAL_BASE_URL": url, "MISTRAL_API_KEY": "bench", "MCP_WORKFLOWS_LOG_LEVEL": "WARNING"}
        params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_workflows", "serve"], env=env)
        with open(os.devnull, "w") as devnull:
            async with (
                Client(stdio_client(params, errlog=devnull)) as client,
                httpx2.AsyncClient(base_url=url, headers={"Authorization": "Bearer bench"}, timeout=120) as http,
            ):
                print(
                    f"{'duration':>8} | {'ours: delay median / p95':>26} | {'requests':>8} | "
                    f"{'5 s poller: delay median / p95':>31} | {'requests':>8}"
                )
                for seconds in durations:
                    ours_runs: list[tuple[float, int]] = []
                    poll_runs: list[tuple[float, int]] = []

                    async def one_ours(s: float = seconds, into: list[tuple[float, int]] = ours_runs) -> None:
                        into.append(await ours(client, http, s))

                    async def one_poll(s: float = seconds, into: list[tuple[float, int]] = poll_runs) -> None:
                        into.append(await poller(http, s))

                    async with anyio.create_task_group() as group:  # samples side by side, both methods
                        for _ in range(samples):
                            group.start_soon(one_ours)
                            group.start_soon(one_poll)
                    o_delay = [d * 1000 for d, _ in ours_runs]
                    p_delay = [d * 1000 for d, _ in poll_runs]
                    print(
                        f"{seconds:>7.0f}s | {statistics.median(o_delay):>12.0f} / {p95(o_delay):>6.0f} ms "
                        f"| {statistics.median([r for _, r in ours_runs]):>8.0f} | "
                        f"{statistics.median(p_delay):>16.0f} / {p95(p_delay):>6.0f} ms "
                        f"| {statistics.median([r for _, r in poll_runs]):>8.0f}"
                    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--durations", type=float, nargs="+", default=[1, 10, 60])
    parser.add_argument("--samples", type=int, default=5)
    options = parser.parse_args()
    anyio.run(main, options.durations, options.samples)

"""What sharing state through Redis costs per operation, against the embedded stores.

    .venv/bin/python bench/bench_shared_state.py [--samples 400]

Starts a redis-server (loopback, no persistence, as the tests do: it must be on the PATH), then
measures, interleaved sample by sample so both sides see the same machine load:
- spending a confirmation: the SQLite store (embedded) vs `SET NX PX` (Redis);
- a capped call's accounting, one check and one count: the in-process deque vs the Lua scripts;
- an event from `publish` to a listener: the SDK's in-memory bus inside one process vs the Redis
  bus from one replica's bus to another's.
Reported: median and p95 in microseconds, and the median ratio Redis / embedded.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import anyio
from mcp.server.subscriptions import InMemorySubscriptionBus, ResourceUpdated, ServerEvent

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ helpers, run as a file

from tests.redis_server import RedisServer

from mcp_workflows.server.guard.caps import MemoryWindowCounter, WindowCap, WindowCounter
from mcp_workflows.server.guard.spent import SqliteConfirmationStore
from mcp_workflows.server.redis_state.bus import RedisSubscriptionBus
from mcp_workflows.server.redis_state.caps import RedisWindowCounter
from mcp_workflows.server.redis_state.connection import SharedRedis, open_client
from mcp_workflows.server.redis_state.spent import RedisConfirmationStore

Timed = Callable[[int], Awaitable[float]]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


def cap_check_and_count(counter: WindowCounter) -> Timed:
    cap = WindowCap("executions started", "execute", 10**9, 3600, counter)

    async def one(_: int) -> float:
        async def both() -> None:
            assert await cap.refusal() is None
            await cap.record()

        return await timed(both)

    return one


def spend(store: SqliteConfirmationStore | RedisConfirmationStore) -> Timed:
    async def one(index: int) -> float:
        return await timed(lambda: store.spend(f"token:bench-{index}", time.time() + 300))

    return one


class Listener:
    """A bus listener that wakes the measurement when the awaited event arrives."""

    def __init__(self) -> None:
        self.awaited: ServerEvent | None = None
        self.arrived = anyio.Event()

    def __call__(self, event: ServerEvent) -> None:
        if event == self.awaited:
            self.arrived.set()


def delivery(publisher: InMemorySubscriptionBus | RedisSubscriptionBus, listener: Listener) -> Timed:
    """From publish until the listener (on the same bus, or another replica's) has the event."""

    async def one(index: int) -> float:
        listener.awaited = ResourceUpdated(uri=f"workflows://executions/bench-{index}")
        listener.arrived = anyio.Event()
        started = time.perf_counter()
        await publisher.publish(listener.awaited)
        await listener.arrived.wait()
        return time.perf_counter() - started

    return one


async def main(samples: int) -> None:
    server = RedisServer()
    try:
        async with AsyncExitStack() as stack:
            first, second = open_client(server.url), open_client(server.url)
            stack.push_async_callback(first.aclose)
            stack.push_async_callback(second.aclose)
            shared = SharedRedis(first, "bench", "bench")
            folder = stack.enter_context(tempfile.TemporaryDirectory())

            local_bus, local_listener = InMemorySubscriptionBus(), Listener()
            local_bus.subscribe(local_listener)
            here = RedisSubscriptionBus(server.url, "bench:events")
            there = RedisSubscriptionBus(server.url, "bench:events")
            await stack.enter_async_context(here.running(first))
            await stack.enter_async_context(there.running(second))
            remote_listener = Listener()
            there.subscribe(remote_listener)

            pairs: dict[str, tuple[Timed, Timed]] = {
                "spend a confirmation": (
                    spend(SqliteConfirmationStore(Path(folder))),
                    spend(RedisConfirmationStore(shared)),
                ),
                "cap: check + count": (
                    cap_check_and_count(MemoryWindowCounter()),
                    cap_check_and_count(RedisWindowCounter(shared)),
                ),
                "event to a listener": (delivery(local_bus, local_listener), delivery(here, remote_listener)),
            }
            print(f"{samples} samples each, interleaved; redis-server {server.port}, µs")
            print(f"{'operation':<22}{'embedded p50':>14}{'p95':>10}{'redis p50':>12}{'p95':>10}{'ratio p50':>11}")
            for name, (embedded, redis) in pairs.items():
                base: list[float] = []
                shared_times: list[float] = []
                for index in range(samples):
                    base.append(await embedded(index))
                    shared_times.append(await redis(index))
                b50, r50 = statistics.median(base), statistics.median(shared_times)
                print(
                    f"{name:<22}{b50 * 1e6:>14.0f}{p95(base) * 1e6:>10.0f}"
                    f"{r50 * 1e6:>12.0f}{p95(shared_times) * 1e6:>10.0f}{r50 / b50:>10.1f}x"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=400)
    anyio.run(main, parser.parse_args().samples)

"""The Redis store, caps and bus against a real redis-server, each used by two "replicas" (clients
with their own connection pools), as they are behind a load balancer."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import anyio
import pytest
from mcp.server.subscriptions import ResourceUpdated, ServerEvent, ToolsListChanged

from mcp_workflows.server.guard.caps import MemoryWindowCounter, WindowCap, WindowCounter
from mcp_workflows.server.redis_state.bus import RedisSubscriptionBus, encode
from mcp_workflows.server.redis_state.caps import RedisWindowCounter
from mcp_workflows.server.redis_state.connection import SharedRedis, open_client
from mcp_workflows.server.redis_state.spent import RedisConfirmationStore
from tests.e2e.polling import eventually
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

Pair = tuple[SharedRedis, SharedRedis]
TOKEN = "c2.1700000000.0123456789abcdef.signature-of-the-token"


# --- spent confirmations --------------------------------------------------------------------------


async def test_a_confirmation_spent_on_one_replica_is_spent_on_the_other(replicas: Pair) -> None:
    first, second = (RedisConfirmationStore(shared) for shared in replicas)
    expires = time.time() + 300
    assert await first.spend(f"token:{TOKEN}", expires)
    assert not await second.spend(f"token:{TOKEN}", expires)
    assert not await first.spend(f"token:{TOKEN}", expires)
    assert await second.spend("token:another", expires), "each confirmation is its own entry"


async def test_concurrent_spends_of_one_confirmation_have_one_winner(replicas: Pair) -> None:
    stores = [RedisConfirmationStore(shared) for shared in replicas]
    outcomes: list[bool] = []
    expires = time.time() + 300

    async def spend(index: int) -> None:
        outcomes.append(await stores[index % 2].spend(f"token:{TOKEN}", expires))

    async with anyio.create_task_group() as group:
        for index in range(40):
            group.start_soon(spend, index)
    assert sorted(outcomes) == [False] * 39 + [True]


async def test_entries_expire_with_the_confirmation_and_hold_no_token(
    replicas: Pair, redis_server: RedisServer
) -> None:
    first, second = (RedisConfirmationStore(shared) for shared in replicas)
    assert await first.spend(f"token:{TOKEN}", time.time() + 0.2)
    await first.remember("ask:{archive_workflow}", "ab12cd34", time.time() + 300)
    assert await second.recall("ask:{archive_workflow}") == "ab12cd34"
    assert await second.recall("ask:{something else}") is None
    with redis_server.client() as raw:
        keys = raw.keys(f"{replicas[0].prefix}:*")
        assert len(keys) == 2
        assert all(key.startswith(f"{replicas[0].prefix}:confirmations:") for key in keys)
        assert not any(TOKEN in key or "archive_workflow" in key for key in keys), "digests, not tokens"
        assert all(0 < raw.pttl(key) <= 300_000 for key in keys), "every entry expires"
    await eventually(lambda: second.spend(f"token:{TOKEN}", time.time() + 300), what="the spent entry expired")


# --- caps -----------------------------------------------------------------------------------------


@asynccontextmanager
async def counters(kind: str, replicas: Pair) -> AsyncIterator[tuple[WindowCounter, WindowCounter]]:
    """Two counters over one count: the Redis counters of two replicas, or one process's counter."""
    if kind == "redis":
        yield RedisWindowCounter(replicas[0]), RedisWindowCounter(replicas[1])
    else:
        shared = MemoryWindowCounter()
        yield shared, shared


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_a_sliding_window_cap_counts_every_replica_and_frees_up_as_events_age(kind: str, replicas: Pair) -> None:
    async with counters(kind, replicas) as (first, second):
        cap_here = WindowCap("executions started", "execute", 2, 0.5, first)
        cap_there = WindowCap("executions started", "execute", 2, 0.5, second)
        other = WindowCap("destructive calls", "destructive", 1, 0.5, second)
        assert await cap_here.refusal() is None
        await cap_here.record()
        assert await cap_there.refusal() is None, "one of two used"
        await cap_there.record()
        for cap in (cap_here, cap_there):
            refusal = await cap.refusal()
            assert refusal is not None
            assert refusal.startswith("the operator's cap of 2 executions started per 0 s is reached")
            assert "the next one is possible in" in refusal
        assert await other.refusal() is None, "each cap counts its own calls"
        await eventually(cap_here.refusal, lambda reason: reason is None, what="the window slid past both")
        assert await cap_there.refusal() is None


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_the_oldest_counted_event_says_when_the_next_call_is_possible(kind: str, replicas: Pair) -> None:
    async with counters(kind, replicas) as (first, second):
        await first.add("execute", 3600)
        window = await second.recent("execute", 3600)
        assert window.count == 1
        assert 0 <= window.oldest_age_s < 3600
        refusal = await WindowCap("executions started", "execute", 1, 3600, second).refusal()
        assert refusal is not None
        assert "per 3600 s is reached; the next one is possible in 3600 s" in refusal, refusal
        assert await WindowCap("unlimited", "execute", None, 3600, second).refusal() is None


async def test_concurrent_calls_on_two_replicas_are_all_counted(replicas: Pair, redis_server: RedisServer) -> None:
    first, second = RedisWindowCounter(replicas[0]), RedisWindowCounter(replicas[1])
    async with anyio.create_task_group() as group:
        for index in range(50):
            group.start_soon((first if index % 2 else second).add, "execute", 3600)
    assert (await first.recent("execute", 3600)).count == 50
    with redis_server.client() as raw:
        assert 3_600_000 < raw.pttl(f"{replicas[0].prefix}:caps:execute") <= 3_601_000, "the set expires"


# --- the bus --------------------------------------------------------------------------------------

URI = "workflows://executions/exec-1"


@dataclass
class Replica:
    bus: RedisSubscriptionBus
    heard: list[ServerEvent]


async def seen(replica: Replica) -> list[ServerEvent]:
    return list(replica.heard)


async def hears(replica: Replica, count: int) -> list[ServerEvent]:
    return await eventually(lambda: seen(replica), lambda events: len(events) >= count, what=f"{count} events heard")


@asynccontextmanager
async def serving(bus: RedisSubscriptionBus, url: str) -> AsyncIterator[None]:
    """One lifespan of a server on `bus`: its own client, the bus running with it."""
    client = open_client(url)
    try:
        async with bus.running(client):
            yield
    finally:
        await client.aclose()


@asynccontextmanager
async def buses(redis_server: RedisServer, prefix: str, count: int = 2) -> AsyncIterator[list[Replica]]:
    """`count` replicas' buses on one channel, each serving (subscribed) and listened to."""
    async with AsyncExitStack() as stack:
        found = []
        for _ in range(count):
            bus = RedisSubscriptionBus(redis_server.url, f"{prefix}:events")
            await stack.enter_async_context(serving(bus, redis_server.url))
            heard: list[ServerEvent] = []
            stack.callback(bus.subscribe(heard.append))
            found.append(Replica(bus, heard))
        yield found


async def test_an_event_raised_on_one_replica_reaches_every_replica_once(
    redis_server: RedisServer, prefix: str
) -> None:
    async with buses(redis_server, prefix) as (here, there):
        await here.bus.publish(ToolsListChanged())
        assert here.heard == [ToolsListChanged()], "this replica's listeners hear it at once"
        assert await hears(there, 1) == [ToolsListChanged()]
        await there.bus.publish(ResourceUpdated(uri=URI))
        # Redis sent `here` its own event before this one: had it not been skipped, it would show first.
        assert await hears(here, 2) == [ToolsListChanged(), ResourceUpdated(uri=URI)]
        await here.bus.publish(ResourceUpdated(uri=URI + "-2"))
        assert await hears(there, 3) == [ToolsListChanged(), ResourceUpdated(uri=URI), ResourceUpdated(uri=URI + "-2")]


async def test_other_messages_on_the_channel_are_ignored(redis_server: RedisServer, prefix: str) -> None:
    async with buses(redis_server, prefix) as (here, there):
        with redis_server.client() as raw:
            for junk in ["not json", "[1]", '{"origin": "x", "method": "notifications/unknown"}', '{"method": 1}']:
                raw.publish(f"{prefix}:events", junk)
            raw.publish(f"{prefix}:events", encode(ResourceUpdated(uri=URI), origin="another replica"))
        assert await hears(here, 1) == [ResourceUpdated(uri=URI)]
        assert await hears(there, 1) == [ResourceUpdated(uri=URI)]


async def test_a_server_entered_twice_reads_once_and_hands_over(redis_server: RedisServer, prefix: str) -> None:
    """An in-process client enters the lifespan per connection, each in its own task: one entry
    reads the channel, the next takes over when it ends."""

    async def lifespan(bus: RedisSubscriptionBus, entered: anyio.Event, leave: anyio.Event) -> None:
        async with serving(bus, redis_server.url):
            entered.set()
            await leave.wait()

    async with buses(redis_server, prefix, count=1) as (there,), anyio.create_task_group() as group:
        bus = RedisSubscriptionBus(redis_server.url, f"{prefix}:events")
        here = Replica(bus, [])
        bus.subscribe(here.heard.append)
        first_in, first_out, second_in, second_out = (anyio.Event() for _ in range(4))
        group.start_soon(lifespan, bus, first_in, first_out)
        await first_in.wait()
        group.start_soon(lifespan, bus, second_in, second_out)
        await second_in.wait()
        await there.bus.publish(ResourceUpdated(uri=f"{URI}-a"))
        await there.bus.publish(ResourceUpdated(uri=f"{URI}-b"))
        await hears(here, 2)
        await there.bus.publish(ResourceUpdated(uri=f"{URI}-c"))
        assert await hears(here, 3) == [ResourceUpdated(uri=f"{URI}-{x}") for x in "abc"], "each event once"
        first_out.set()
        await eventually(lambda: publish_and_count(there.bus, here), lambda count: count > 3, what="a hand-over")
        second_out.set()


async def publish_and_count(bus: RedisSubscriptionBus, replica: Replica) -> int:
    """Publish (pub/sub does not replay: a reader that subscribes later hears the next one) and count."""
    await bus.publish(ToolsListChanged())
    return len(replica.heard)


async def test_replicas_share_events_again_once_redis_is_back(
    redis_server: RedisServer, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with buses(redis_server, prefix) as (here, there):
        redis_server.halt()
        try:
            await here.bus.publish(ToolsListChanged())  # must not raise into the call that changed something
            assert here.heard == [ToolsListChanged()]
        finally:
            redis_server.start()
        await eventually(lambda: publish_and_count(here.bus, there), what="the other replica hears again")
    assert "did not reach the other replicas" in caplog.text
    assert redis_server.password not in caplog.text

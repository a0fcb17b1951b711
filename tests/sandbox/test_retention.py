"""The sandbox keeps bounded state: ended executions beyond `keep_executions` go, oldest first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx2
import pytest

from mcp_workflows.sandbox import SandboxConfig, running_sandbox
from mcp_workflows.sandbox.faults import Stats
from mcp_workflows.sandbox.seqlog import SeqLog

from .conftest import AUTH, start, wait_status
from .test_streams import read_all, read_some

P = "/v1/workflows"
KEEP = 3


@dataclass
class Item:
    seq: int
    owner: str | None


def test_seqlog_drops_one_owner_and_keeps_positions() -> None:
    log: SeqLog[Item] = SeqLog(lambda item: item.owner)
    for owner in ["a", "b", "a", None, "c", "a", "b"]:
        log.append(Item(log.next_seq(), owner))
    log.drop_owner("a")
    assert [(i.seq, i.owner) for i in log] == [(2, "b"), (4, None), (5, "c"), (7, "b")]
    assert [i.seq for i in log.after(0)] == [2, 4, 5, 7]
    assert [i.seq for i in log.after(2)] == [4, 5, 7]
    assert [i.seq for i in log.after(3)] == [4, 5, 7], "resuming from a dropped position continues with the next kept"
    assert log.after(7) == []
    assert log.next_seq() == 8, "numbering never goes back"
    log.drop_owner("a")
    assert len(log) == 4


def test_request_counters_keep_the_most_recent_paths() -> None:
    stats = Stats()
    stats.MAX_KEYS = 3
    for n in range(5):
        stats.count("GET", f"/v1/workflows/executions/e{n}")
    stats.count("GET", "/v1/workflows/executions/e4")
    snapshot = stats.snapshot()
    assert snapshot["total"] == 6
    assert snapshot["paths"] == {f"/v1/workflows/executions/e{n}": 1 + (n == 4) for n in (2, 3, 4)}
    assert len(snapshot["requests"]) == 3


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def small_sandbox() -> AsyncIterator[str]:
    async with running_sandbox(SandboxConfig(time_scale=0.01, keep_executions=KEEP)) as url:
        yield url


@pytest.fixture
async def client(small_sandbox: str) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(base_url=small_sandbox, headers=AUTH, timeout=10) as http:
        assert (await http.post("/_sandbox/reset")).status_code == 200
        yield http


async def greet(client: httpx2.AsyncClient, execution_id: str) -> None:
    response = await client.post(
        f"{P}/greeting/execute",
        json={"input": {"name": execution_id}, "execution_id": execution_id, "wait_for_result": True},
    )
    assert response.status_code == 200, response.text


async def kept(client: httpx2.AsyncClient) -> set[str]:
    rows = (await client.get(f"{P}/runs", params={"page_size": 100})).json()["executions"]
    return {row["execution_id"] for row in rows}


@pytest.mark.anyio
async def test_oldest_ended_executions_go_and_running_ones_stay(client: httpx2.AsyncClient) -> None:
    await start(client, "counter", {}, execution_id="running")
    for n in range(1, 6):
        await greet(client, f"g{n}")
    assert await kept(client) == {"running", "g3", "g4", "g5"}
    for gone in ("g1", "g2"):
        assert (await client.get(f"{P}/executions/{gone}")).json()["code"] == "WF_1100"
        assert (await client.get(f"{P}/events/list", params={"workflow_exec_id": gone})).json()["events"] == []
    everything = (await client.get(f"{P}/events/list", params={"limit": 1000})).json()["events"]
    assert {e["workflow_exec_id"] for e in everything} == {"running", "g3", "g4", "g5"}
    logs = (await client.get(f"{P}/deployments/sandbox-deployment/logs", params={"limit": 100})).json()
    assert "Greeted g1" not in str(logs)
    assert "Greeted g5" in str(logs)

    assert (await client.post(f"{P}/executions/running/signals", json={"name": "stop", "input": {}})).status_code == 202
    await wait_status(client, "running")
    assert await kept(client) == {"g4", "g5", "running"}


@pytest.mark.anyio
async def test_a_reset_execution_is_running_again_and_kept(client: httpx2.AsyncClient) -> None:
    await start(client, "counter", {}, execution_id="c")
    await client.post(f"{P}/executions/c/signals", json={"name": "stop", "input": {}})
    await wait_status(client, "c")
    trace = (await client.get(f"{P}/executions/c/trace/events", params={"include_internal_events": "true"})).json()
    point = min(int(e["id"]) for e in trace["events"] if e["internal"])
    reset = await client.post(f"{P}/executions/c/reset", json={"event_id": point, "exclude_signals": True})
    assert reset.status_code == 204
    for n in range(KEEP + 1):
        await greet(client, f"r{n}")
    assert (await client.get(f"{P}/executions/c")).json()["status"] == "RUNNING"


@pytest.mark.anyio
async def test_streams_resume_from_the_oldest_kept_event_after_eviction(client: httpx2.AsyncClient) -> None:
    await greet(client, "first")
    evicted = [f["data"]["broker_sequence"] for f in await read_all(client, f"{P}/executions/first/stream")]
    await greet(client, "second")
    oldest_kept = (await read_all(client, f"{P}/executions/second/stream"))[0]["data"]["broker_sequence"]
    for n in range(KEEP - 1):
        await greet(client, f"later{n}")
    assert (await client.get(f"{P}/executions/first")).status_code == 404

    resumed = await read_some(client, f"{P}/events/stream", 1, headers={"Last-Event-ID": str(evicted[1])})
    assert resumed[0]["data"]["broker_sequence"] == oldest_kept
    from_start = await read_some(client, f"{P}/events/stream", 1, params={"start_seq": 1})
    assert from_start[0]["data"]["broker_sequence"] == oldest_kept
    second = await read_all(client, f"{P}/executions/second/stream", params={"last_event_id": evicted[0]})
    assert second[0]["data"]["broker_sequence"] == oldest_kept
    assert second[-1]["event"] == "WORKFLOW_EXECUTION_COMPLETED"

"""SSE streams: execution events end after the terminal event, resume by broker_sequence, filters."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from .conftest import start, wait_status

pytestmark = pytest.mark.anyio


def frames_of(text: str) -> list[dict[str, Any]]:
    frames = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if line and not line.startswith(":"))
        if "data" in fields:
            frames.append({**fields, "data": json.loads(fields["data"])})
    return frames


async def read_all(client: httpx2.AsyncClient, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    async with client.stream("GET", url, **kwargs) as response:
        assert response.status_code == 200
        return frames_of((await response.aread()).decode())


async def read_some(client: httpx2.AsyncClient, url: str, count: int, **kwargs: Any) -> list[dict[str, Any]]:
    text = ""
    async with client.stream("GET", url, **kwargs) as response:
        assert response.status_code == 200
        async for chunk in response.aiter_text():
            text += chunk
            if len(frames_of(text.rsplit("\n\n", 1)[0] + "\n\n")) >= count:
                break
    return frames_of(text.rsplit("\n\n", 1)[0] + "\n\n")[:count]


async def test_live_execution_stream_has_progress_and_ends_after_completion(client: httpx2.AsyncClient) -> None:
    await start(client, "slow-report", {"seconds": 4, "topic": "q3"}, execution_id="live")
    frames = await read_all(client, "/v1/workflows/executions/live/stream")
    types = [f["data"]["data"]["event_type"] for f in frames]
    assert types[0] == "WORKFLOW_EXECUTION_STARTED"
    assert types[-1] == "WORKFLOW_EXECUTION_COMPLETED"
    progress = [
        f["data"]["data"]["attributes"]["payload"]
        for f in frames
        if f["data"]["data"]["event_type"] == "CUSTOM_TASK_IN_PROGRESS"
    ]
    assert [p["value"]["percent"] for p in progress] == [25, 50, 75, 100]
    assert all(p["type"] == "json" for p in progress)
    assert [f["event"] for f in frames] == types
    assert (await client.get("/v1/workflows/executions/live")).json()["status"] == "COMPLETED"


async def test_resume_after_last_event_id(client: httpx2.AsyncClient) -> None:
    await start(client, "greeting", {"name": "r"}, execution_id="resume")
    await wait_status(client, "resume")
    everything = await read_all(client, "/v1/workflows/executions/resume/stream")
    seqs = [f["data"]["broker_sequence"] for f in everything]
    assert len(seqs) >= 3
    query = await read_all(client, "/v1/workflows/executions/resume/stream", params={"last_event_id": seqs[0]})
    assert [f["data"]["broker_sequence"] for f in query] == seqs[1:]
    header = await read_all(client, "/v1/workflows/executions/resume/stream", headers={"Last-Event-ID": str(seqs[1])})
    assert [f["data"]["broker_sequence"] for f in header] == seqs[2:]


async def test_stream_of_terminated_execution_ends(client: httpx2.AsyncClient) -> None:
    await start(client, "approval", {"request": "t"}, execution_id="term")
    await client.post("/v1/workflows/executions/term/terminate")
    frames = await read_all(client, "/v1/workflows/executions/term/stream")
    assert [f["data"]["data"]["event_type"] for f in frames] == ["WORKFLOW_EXECUTION_STARTED"]


async def test_unknown_execution_stream_is_404(client: httpx2.AsyncClient) -> None:
    response = await client.get("/v1/workflows/executions/ghost/stream")
    assert response.status_code == 404
    assert response.json()["code"] == "WF_1100"


async def test_events_stream_filters_and_start_seq(client: httpx2.AsyncClient) -> None:
    await start(client, "greeting", {"name": "a"}, execution_id="ev-a")
    await start(client, "always-fails", {}, execution_id="ev-b")
    await wait_status(client, "ev-a")
    await wait_status(client, "ev-b")
    only_b = await read_some(client, "/v1/workflows/events/stream", 2, params={"workflow_exec_id": "ev-b"})
    assert {f["data"]["workflow_context"]["workflow_exec_id"] for f in only_b} == {"ev-b"}
    failed = await read_some(
        client, "/v1/workflows/events/stream", 1, params={"workflow_event_types": ["WORKFLOW_EXECUTION_FAILED"]}
    )
    assert failed[0]["data"]["data"]["workflow_exec_id"] == "ev-b"
    activities = await read_some(client, "/v1/workflows/events/stream", 1, params={"scope": "activity"})
    assert activities[0]["data"]["data"]["event_type"].startswith("ACTIVITY_")
    from_three = await read_some(client, "/v1/workflows/events/stream", 2, params={"start_seq": 3})
    assert [f["data"]["broker_sequence"] for f in from_three] == [3, 4]
    after_three = await read_some(client, "/v1/workflows/events/stream", 1, headers={"last-event-id": "3"})
    assert after_three[0]["data"]["broker_sequence"] == 4
    meta = await read_some(
        client,
        "/v1/workflows/events/stream",
        1,
        params={"metadata_filters": json.dumps({"deployment_name": "sandbox-deployment"})},
    )
    assert meta[0]["data"]["metadata"] == {"deployment_name": "sandbox-deployment"}
    bad = await client.get("/v1/workflows/events/stream", params={"metadata_filters": "[1]"})
    assert bad.status_code == 422


async def test_events_stream_delivers_live_events(client: httpx2.AsyncClient) -> None:
    async with client.stream("GET", "/v1/workflows/events/stream", params={"workflow_exec_id": "later"}) as response:
        await start(client, "greeting", {"name": "l"}, execution_id="later")
        text = ""
        async for chunk in response.aiter_text():
            text += chunk
            if "WORKFLOW_EXECUTION_COMPLETED" in text:
                break
    assert "WORKFLOW_EXECUTION_STARTED" in text


async def test_execution_logs_stream_and_resume(client: httpx2.AsyncClient) -> None:
    await start(client, "slow-report", {"seconds": 2}, execution_id="logs")
    frames = await read_all(client, "/v1/workflows/executions/logs/logs/stream")
    assert {f["event"] for f in frames} == {"log"}
    bodies = [f["data"]["body"] for f in frames]
    assert any("Report progress 100%" in b for b in bodies)
    resumed = await read_all(
        client, "/v1/workflows/executions/logs/logs/stream", headers={"Last-Event-ID": frames[1]["id"]}
    )
    assert [f["data"]["body"] for f in resumed] == bodies[2:]
    page = (await client.get("/v1/workflows/executions/logs/logs", params={"order": "desc", "limit": 2})).json()
    assert [r["body"] for r in page["results"]] == bodies[::-1][:2]


async def test_deployment_logs_stream_tails_new_lines(client: httpx2.AsyncClient) -> None:
    async with client.stream("GET", "/v1/workflows/deployments/sandbox-deployment/logs/stream") as response:
        await start(client, "greeting", {"name": "dep"}, execution_id="dep-log")
        text = ""
        async for chunk in response.aiter_text():
            text += chunk
            if "Greeted dep" in text:
                break
    assert "event: log" in text


async def test_open_streams_end_when_the_sandbox_resets(client: httpx2.AsyncClient) -> None:
    await start(client, "greeting", {"name": "x"}, execution_id="before")
    await wait_status(client, "before")
    async with client.stream("GET", "/v1/workflows/events/stream") as response:
        text = ""
        async for chunk in response.aiter_text():
            text += chunk
            if "WORKFLOW_EXECUTION_COMPLETED" in text:
                assert (await client.post("/_sandbox/reset")).status_code == 200
    assert response.status_code == 200
    assert text.endswith("\n\n")

"""What the sandbox does where the live API (the official SDK) differs from the reference spec.

docs/live-contract.md has the decision table; `tests/contract/test_sdk_oracle.py` checks the shapes with the SDK.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from typing import Any

import httpx2
import pytest

from .conftest import start, wait_status

pytestmark = pytest.mark.anyio

P = "/v1/workflows"
DEPLOYMENTS = f"{P}/deployments"


async def test_deployments_and_workers_carry_last_heartbeat(client: httpx2.AsyncClient) -> None:
    detail = (await client.get(f"{DEPLOYMENTS}/sandbox-deployment")).json()
    assert detail["last_heartbeat"] > detail["created_at"]
    assert detail["last_heartbeat"] == max(w["last_heartbeat"] for w in detail["workers"])
    again = (await client.get(f"{DEPLOYMENTS}/sandbox-deployment")).json()
    assert again["last_heartbeat"] == detail["last_heartbeat"], "reads agree"
    legacy = (await client.get(f"{DEPLOYMENTS}/legacy-deployment")).json()
    assert legacy["last_heartbeat"] == legacy["workers"][0]["updated_at"], "a stopped worker's last beat"


async def test_managed_spec_has_a_backend_and_the_fields_older_clients_need(client: httpx2.AsyncClient) -> None:
    body = {
        "name": "built",
        "spec": {
            "github_url": "https://github.com/example/w",
            "backend_spec": {
                "dockerfile_path": "docker/Dockerfile",
                "secrets": [{"env_var_name": "K", "reference": "r"}],
            },
            "requested_roles": ["reader"],
            "entrypoint": "ignored:main",
        },
        "resources": {"replicas": 2, "cpu_request": "500m"},
    }
    created = (await client.post(DEPLOYMENTS, json=body)).json()
    spec = created["spec"]
    assert spec["backend_spec"]["type"] == "mistral_cloud"
    assert spec["backend_spec"]["dockerfile_path"] == "docker/Dockerfile"
    assert spec["requested_roles"] == ["reader"]
    assert spec["archive_id"] is None
    assert (spec["entrypoint"], spec["working_dir"]) == (None, None), "2.x fields are not part of the live API"
    assert spec["commit_sha"] == spec["commit"]["sha"]
    assert created["resources"] == {"replicas": 2}
    listed = await client.get(DEPLOYMENTS, params={"dockerfile_path": "docker/Dockerfile", "location_types": "managed"})
    assert [d["name"] for d in listed.json()["deployments"]] == ["built"]


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"github_url": "https://github.com/example/w", "archive_id": "a"},
        {"archive_id": "a", "backend_spec": {"type": "kubernetes"}},
    ],
)
async def test_a_managed_deployment_needs_exactly_one_code_source(
    client: httpx2.AsyncClient, spec: dict[str, str]
) -> None:
    response = await client.post(DEPLOYMENTS, json={"name": "bad", "spec": spec})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:2] == ["body", "spec"]


async def test_archive_of_a_deployment_built_from_an_upload(client: httpx2.AsyncClient) -> None:
    await client.post(DEPLOYMENTS, json={"name": "uploaded", "spec": {"archive_id": "arc-1"}})
    archive = (await client.get(f"{DEPLOYMENTS}/uploaded/archive")).json()
    assert archive["archive_id"] == "arc-1"
    download = await client.get(archive["download_url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(download.content))) as tar:
        assert sorted(tar.getnames()) == ["requirements.txt", "worker.py"]
        worker = tar.extractfile("worker.py")
        assert worker is not None
        assert b"arc-1" in worker.read()
    tampered = await client.get(archive["download_url"].replace("signature=", "signature=0"))
    assert tampered.status_code == 403
    from_repo = await client.get(f"{DEPLOYMENTS}/managed-demo/archive")
    assert from_repo.status_code == 404
    assert "archive" in from_repo.json()["detail"]


async def test_switching_code_source_on_update(client: httpx2.AsyncClient) -> None:
    await client.post(DEPLOYMENTS, json={"name": "moving", "spec": {"archive_id": "arc-1"}})
    moved = (
        await client.patch(f"{DEPLOYMENTS}/moving", json={"spec": {"github_url": "https://github.com/x/y"}})
    ).json()
    assert (moved["spec"]["github_url"], moved["spec"]["archive_id"]) == ("https://github.com/x/y", None)
    assert (await client.get(f"{DEPLOYMENTS}/moving/archive")).status_code == 404


async def test_unharden_by_deployment_id(client: httpx2.AsyncClient) -> None:
    body = {"name": "locked", "spec": {"github_url": "https://github.com/x/y"}, "hardened": True}
    created = (await client.post(DEPLOYMENTS, json=body)).json()
    assert created["is_hardened"] is True
    deployment = (await client.get(f"{DEPLOYMENTS}/locked")).json()
    assert (await client.post(f"{DEPLOYMENTS}/locked/unharden")).status_code == 404, "the path key is the id"
    other = await client.post(
        f"{DEPLOYMENTS}/{deployment['id']}/unharden", params={"workspace_id": "00000000-0000-4000-8000-000000000000"}
    )
    assert other.status_code == 404
    assert (await client.post(f"{DEPLOYMENTS}/{deployment['id']}/unharden")).status_code == 204
    after = (await client.get(f"{DEPLOYMENTS}/locked")).json()
    assert after["is_hardened"] is False
    assert after["managed"]["is_hardened"] is False
    assert (await client.post(f"{DEPLOYMENTS}/{deployment['id']}/unharden")).status_code == 204, "idempotent"


async def test_events_carry_chain_ids_across_continue_as_new(client: httpx2.AsyncClient) -> None:
    started = await start(client, "chunked-import", {"total": 5, "batch_size": 2}, execution_id="chain")
    done = await wait_status(client, "chain")
    assert done["status"] == "COMPLETED"
    assert done["result"] == {"imported": 5, "runs": 3}
    events = (await client.get(f"{P}/events/list", params={"workflow_exec_id": "chain"})).json()["events"]
    assert {e["chain_run_id"] for e in events} == {events[0]["chain_run_id"]}, "one value for the whole chain"
    assert {e["first_execution_run_id"] for e in events} == {started["run_id"]}
    hops = [e for e in events if e["event_type"] == "WORKFLOW_EXECUTION_CONTINUED_AS_NEW"]
    assert len(hops) == 2
    starts = [e for e in events if e["event_type"] == "WORKFLOW_EXECUTION_STARTED"]
    assert [e["continued_run_id"] for e in starts] == [None, hops[0]["workflow_run_id"], hops[1]["workflow_run_id"]]
    assert [h["attributes"]["new_execution_run_id"] for h in hops] == [s["workflow_run_id"] for s in starts[1:]]
    assert hops[0]["attributes"]["input"]["value"]["offset"] == 2
    runs = (await client.get(f"{P}/runs", params={"root_execution_id": "chain", "order": "asc"})).json()["executions"]
    assert [r["status"] for r in runs] == ["CONTINUED_AS_NEW", "CONTINUED_AS_NEW", "COMPLETED"]
    other = await start(client, "greeting", {"name": "x"})
    await wait_status(client, other["execution_id"])
    theirs = (await client.get(f"{P}/events/list", params={"workflow_exec_id": other["execution_id"]})).json()
    assert theirs["events"][0]["chain_run_id"] not in {None, events[0]["chain_run_id"]}


def apply_patch(document: Any, ops: list[dict[str, Any]]) -> Any:
    """RFC 6902 add/replace/remove on object keys and list indexes, plus the live API's string `append`."""
    for op in ops:
        *parents, last = op["path"].split("/")[1:]
        target = document
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        if op["op"] in ("add", "replace"):
            target[key] = op["value"]
        elif op["op"] == "remove":
            del target[key]
        elif op["op"] == "append":
            target[key] += op["value"]
        else:
            raise AssertionError(f"unexpected op {op}")
    return document


async def test_progress_streams_json_patches_that_rebuild_the_final_snapshot(client: httpx2.AsyncClient) -> None:
    await start(client, "draft-writer", {"topic": "patches", "paragraphs": 3}, execution_id="draft")
    assert (await wait_status(client, "draft"))["status"] == "COMPLETED"
    events = (await client.get(f"{P}/events/list", params={"workflow_exec_id": "draft"})).json()["events"]
    custom = [e for e in events if e["event_type"].startswith("CUSTOM_TASK_")]
    assert custom[0]["event_type"] == "CUSTOM_TASK_STARTED"
    assert custom[-1]["event_type"] == "CUSTOM_TASK_COMPLETED"
    document = custom[0]["attributes"]["payload"]["value"]
    kinds = set()
    for event in custom[1:-1]:
        payload = event["attributes"]["payload"]
        assert payload["type"] == "json_patch"
        kinds |= {op["op"] for op in payload["value"]}
        document = apply_patch(document, payload["value"])
    assert kinds == {"add", "replace", "remove", "append"}
    assert document == custom[-1]["attributes"]["payload"]["value"]
    assert document["text"].startswith("patches matters")


async def test_add_tags_keeps_the_existing_ones(client: httpx2.AsyncClient) -> None:
    response = await client.post(f"{P}/invoice-digest/tags", json={"tags": [" audit ", "finance", "audit"]})
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"{P}/invoice-digest")).json()["workflow"]["tags"] == ["finance", "reporting", "audit"]
    bad = await client.post(f"{P}/invoice-digest/tags", json={"tags": [" "]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][:2] == ["body", "tags"]
    assert (await client.post(f"{P}/no-such-workflow/tags", json={"tags": ["x"]})).status_code == 404


async def test_active_is_on_a_single_registration_not_on_list_rows(client: httpx2.AsyncClient) -> None:
    rows = (await client.get(f"{P}/registrations", params={"with_workflow": "true"})).json()["workflow_registrations"]
    assert all("active" not in row for row in rows)
    active = (await client.get(f"{P}/registrations", params={"active_only": "true"})).json()["workflow_registrations"]
    legacy = next(r for r in rows if r["workflow"]["name"] == "legacy-import")
    assert legacy["id"] not in {r["id"] for r in active}
    single = (await client.get(f"{P}/registrations/{legacy['id']}")).json()["workflow_registration"]
    assert single["active"] is False
    named = await client.get(f"{P}/registrations", params={"workflow_name": "greeting"})
    assert [r["workflow_id"] for r in named.json()["workflow_registrations"]] == [
        r["workflow_id"] for r in rows if r["workflow"]["name"] == "greeting"
    ]


async def test_search_keys_on_request(client: httpx2.AsyncClient) -> None:
    await start(client, "greeting", {"name": "k"}, execution_id="keys")
    await wait_status(client, "keys")
    plain = (await client.get(f"{P}/executions/keys")).json()
    assert "search_keys" not in plain
    keyed = (await client.get(f"{P}/executions/keys", params={"include_search_keys": "true"})).json()
    assert keyed["search_keys"]["workflow_name"] == "greeting"
    assert keyed["search_keys"]["status"] == "COMPLETED"


async def test_span_tree_events_are_plain_trace_events(client: httpx2.AsyncClient) -> None:
    await start(client, "slow-report", {"seconds": 1}, execution_id="tree")
    await wait_status(client, "tree")
    tree = (await client.get(f"{P}/executions/tree/trace/summary")).json()["span_tree"]
    assert any(e["type"] == "EVENT_PROGRESS" for e in tree["events"])
    assert {key for e in tree["events"] for key in e} == {
        "type",
        "name",
        "id",
        "timestamp_unix_nano",
        "attributes",
        "internal",
    }
    flat = (await client.get(f"{P}/executions/tree/trace/events")).json()["events"]
    assert any("start_time_unix_ms" in e for e in flat), "the flat view keeps the progress fields"


async def read_frames(client: httpx2.AsyncClient, params: list[tuple[str, str]], count: int) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    async with client.stream("GET", f"{P}/events/stream", params=params) as response:
        assert response.status_code == 200, await response.aread()
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                frames.append(json.loads(line[6:]))
                if len(frames) == count:
                    break
    return frames


@pytest.mark.parametrize(
    "metadata",
    [
        [("deployment_name", "legacy-deployment")],
        [("metadata_filters", '{"deployment_name": "legacy-deployment"}')],
    ],
    ids=["form-exploded (the SDK)", "json (the docs)"],
)
async def test_metadata_filters_in_both_forms(client: httpx2.AsyncClient, metadata: list[tuple[str, str]]) -> None:
    await start(client, "greeting", {"name": "a"}, execution_id="on-sandbox")
    await start(client, "legacy-import", {}, execution_id="on-legacy")
    await wait_status(client, "on-legacy")
    frames = await read_frames(client, [("start_seq", "1"), *metadata], 2)
    assert {f["data"]["workflow_exec_id"] for f in frames} == {"on-legacy"}
    assert {f["metadata"]["deployment_name"] for f in frames} == {"legacy-deployment"}

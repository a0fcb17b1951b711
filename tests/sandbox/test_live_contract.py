"""What the sandbox does where the live API (the official SDK) differs from the reference spec.

docs/live-contract.md has the decision table; `tests/contract/test_sdk_oracle.py` checks the shapes with the SDK.
"""

from __future__ import annotations

import gzip
import io
import tarfile

import httpx2
import pytest

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

"""Workflows and registrations: lookup by name or id, filters, pagination, edits, archive."""

from __future__ import annotations

import uuid

import httpx2
import pytest

pytestmark = pytest.mark.anyio

GREETING_ID = str(
    uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "https://sandbox.mcp-workflows.local/"), "workflow:greeting")
)


async def test_demo_ids_are_stable(client: httpx2.AsyncClient) -> None:
    response = await client.get("/v1/workflows/greeting")
    assert response.status_code == 200
    workflow = response.json()["workflow"]
    assert workflow["id"] == GREETING_ID
    assert workflow["display_name"] == "Greeting"
    assert workflow["active"] is True


async def test_get_by_id_equals_get_by_name(client: httpx2.AsyncClient) -> None:
    by_name = (await client.get("/v1/workflows/greeting")).json()
    by_id = (await client.get(f"/v1/workflows/{GREETING_ID}")).json()
    assert by_name == by_id


async def test_unknown_workflow_is_404_with_code(client: httpx2.AsyncClient) -> None:
    response = await client.get("/v1/workflows/no-such-workflow")
    assert response.status_code == 404
    assert response.json() == {"detail": "Workflow 'no-such-workflow' not found", "code": "WF_1100"}


async def test_filters(client: httpx2.AsyncClient) -> None:
    async def names(**params: object) -> set[str]:
        response = await client.get("/v1/workflows", params=params)
        assert response.status_code == 200, response.text
        return {w["name"] for w in response.json()["workflows"]}

    everything = await names()
    assert {"greeting", "slow-report", "always-fails", "approval", "counter", "legacy-import"} <= everything
    assert await names(archived="true") == {"legacy-import"}
    assert "legacy-import" not in await names(archived="false")
    assert await names(tags=["finance", "reporting"]) == {"invoice-digest"}
    assert await names(available_in_chat_assistant="true") == {"greeting", "slow-report", "expense-approval"}
    assert "shared-echo" in everything
    assert "shared-echo" not in await names(include_shared="false")
    assert await names(search="GREET") == {"greeting"}
    assert await names(deployment_status="inactive") == {"legacy-import"}


async def test_cursor_pagination_walks_every_workflow_once(client: httpx2.AsyncClient) -> None:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(20):
        params: dict[str, object] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/v1/workflows", params=params)).json()
        assert len(body["workflows"]) <= 3
        seen += [w["name"] for w in body["workflows"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    full = [w["name"] for w in (await client.get("/v1/workflows", params={"limit": 1000})).json()["workflows"]]
    assert seen == full
    assert len(set(seen)) == len(seen)


async def test_bad_query_params_are_422(client: httpx2.AsyncClient) -> None:
    response = await client.get("/v1/workflows", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]
    response = await client.get("/v1/workflows", params={"cursor": "garbage!"})
    assert response.status_code == 422


async def test_update_replaces_tags_and_keeps_other_fields(client: httpx2.AsyncClient) -> None:
    response = await client.put("/v1/workflows/greeting", json={"tags": [" a ", "b", "a"]})
    assert response.status_code == 200
    workflow = response.json()["workflow"]
    assert workflow["tags"] == ["a", "b"]
    assert workflow["display_name"] == "Greeting"
    response = await client.put(f"/v1/workflows/{GREETING_ID}", json={"display_name": "Hello"})
    assert response.json()["workflow"]["tags"] == ["a", "b"]
    assert (await client.get("/v1/workflows/greeting")).json()["workflow"]["display_name"] == "Hello"
    response = await client.put("/v1/workflows/greeting", json={"tags": [""]})
    assert response.status_code == 422


async def test_archive_and_unarchive(client: httpx2.AsyncClient) -> None:
    response = await client.put("/v1/workflows/counter/archive")
    assert response.status_code == 200
    assert response.json()["workflow"]["archived"] is True
    archived = (await client.get("/v1/workflows", params={"archived": "true"})).json()["workflows"]
    assert "counter" in {w["name"] for w in archived}
    response = await client.put("/v1/workflows/counter/unarchive")
    assert response.json()["workflow"]["archived"] is False


async def test_bulk_archive_reports_unknown_ids(client: httpx2.AsyncClient) -> None:
    missing = str(uuid.uuid4())
    response = await client.put("/v1/workflows/archive", json={"workflow_ids": [GREETING_ID, missing]})
    assert response.status_code == 200
    body = response.json()
    assert [w["name"] for w in body["archived"]] == ["greeting"]
    assert body["errored"][0]["workflow_id"] == missing
    response = await client.put("/v1/workflows/unarchive", json={"workflow_ids": [GREETING_ID]})
    assert response.json()["unarchived"][0]["archived"] is False


async def test_registrations_filters_and_definition(client: httpx2.AsyncClient) -> None:
    response = await client.get(
        "/v1/workflows/registrations", params={"workflow_id": GREETING_ID, "with_workflow": "true"}
    )
    assert response.status_code == 200
    regs = response.json()["workflow_registrations"]
    assert len(regs) == 1
    reg = regs[0]
    assert reg["deployment_name"] == "sandbox-deployment"
    assert reg["workflow"]["name"] == "greeting"
    assert reg["definition"]["input_schema"]["required"] == ["name"]
    active = (await client.get("/v1/workflows/registrations", params={"active_only": "true", "limit": 100})).json()
    all_regs = (await client.get("/v1/workflows/registrations", params={"limit": 100})).json()
    assert len(active["workflow_registrations"]) == len(all_regs["workflow_registrations"]) - 1
    found = await client.get("/v1/workflows/registrations", params={"workflow_search": "count"})
    assert [r["workflow_id"] for r in found.json()["workflow_registrations"]] == [
        (await client.get("/v1/workflows/counter")).json()["workflow"]["id"]
    ]
    one = await client.get(f"/v1/workflows/registrations/{reg['id']}")
    assert one.status_code == 200
    assert one.json()["workflow_registration"]["active"] is True
    assert one.json()["workflow_registration"]["workflow"] is None


async def test_registration_errors(client: httpx2.AsyncClient) -> None:
    assert (await client.get("/v1/workflows/registrations/not-a-uuid")).status_code == 422
    missing = await client.get(f"/v1/workflows/registrations/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "WF_1100"

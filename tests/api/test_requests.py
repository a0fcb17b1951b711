"""What the api/ layer sends: method, path, query and a body valid against the spec's request schema.

Every request goes to an httpx2 mock transport that records it and answers with a minimal body;
bodies are validated against the derived upstream contract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.models.deployments import DeploymentResources, DeploymentSpec
from mcp_workflows.api.models.executions import ExecutionRequest, HandlerCall, ResetRequest
from mcp_workflows.api.models.schedules import ScheduleCreate, ScheduleInterval, SchedulePolicy, ScheduleSpec
from mcp_workflows.api.models.workflows import WorkflowUpdate

pytestmark = pytest.mark.anyio

CONTRACT = json.loads((Path(__file__).parents[1] / "contract" / "upstream_contract.json").read_text())
REGISTRY: Registry[Any] = Registry().with_resource("urn:contract", DRAFT202012.create_resource(CONTRACT))
ROUTES = [
    (index, op["method"], re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", op["path"]) + "$"))
    for index, op in enumerate(CONTRACT["operations"])
]

MINIMAL_REPLY: dict[str, Any] = {
    "workflow": {"id": "w", "name": "n", "display_name": "d"},
    "workflow_registration": {"id": "r", "workflow_id": "w", "definition": {"input_schema": {}}},
    "workflow_name": "n",
    "execution_id": "e",
    "status": "RUNNING",
    "schedule_id": "s",
    "name": "dep",
    "id": "i",
    "is_active": True,
    "query_name": "q",
    "update_name": "u",
    "results": [],
    "executions": [],
    "schedules": [],
    "events": [],
    "deployments": [],
    "workers": [],
    "workflows": [],
    "workflow_registrations": [],
    "archived": [],
}


def spec_route(method: str, raw_path: str) -> tuple[int, dict[str, Any]]:
    """The spec operation for a concrete request; fixed segments win over path parameters."""
    matches = [(index, op) for index, op_method, op in ROUTES if op_method == method and op.match(raw_path)]
    assert matches, f"no spec operation for {method} {raw_path}"
    index, _ = min(matches, key=lambda m: CONTRACT["operations"][m[0]]["path"].count("{"))
    return index, CONTRACT["operations"][index]


def validate_body(index: int, body: Any) -> None:
    op = CONTRACT["operations"][index]
    if op["request_body"] is None:
        assert body is None, f"{op['operationId']} takes no body"
        return
    if body is None:
        assert not op["request_body"]["required"], f"{op['operationId']} needs a body"
        return
    pointer = {"$ref": f"urn:contract#/operations/{index}/request_body/schema"}
    errors = list(Draft202012Validator(pointer, registry=REGISTRY).iter_errors(body))
    assert not errors, f"{op['operationId']}: {errors[0].message}"


@pytest.fixture
def recorded() -> tuple[WorkflowsClient, list[httpx2.Request]]:
    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        path = request.url.path
        if path in ("/v1/workflows/executions/cancel", "/v1/workflows/executions/terminate"):
            return httpx2.Response(200, json={"results": {}})
        if path.startswith("/v1/workflows/deployments") and request.method != "GET":
            return httpx2.Response(202, json={"name": "dep", "service_id": "s", "status": {}})
        return httpx2.Response(200, json=MINIMAL_REPLY)

    return WorkflowsClient(base_url="http://api.test", api_key="k", transport=httpx2.MockTransport(handle)), seen


CALLS: list[tuple[str, Callable[[WorkflowsClient], Awaitable[Any]]]] = [
    ("update workflow", lambda c: c.workflows.update("greeting", WorkflowUpdate(tags=["a"], display_name="x"))),
    ("execute", lambda c: c.workflows.execute("greeting", ExecutionRequest(execution_id="e1", input={"a": 1}))),
    ("bulk archive", lambda c: c.workflows.bulk_set_archived(["00000000-0000-4000-8000-000000000000"], archived=True)),
    ("signal", lambda c: c.executions.signal("e1", HandlerCall(name="approve", input={"approved": True}))),
    ("query", lambda c: c.executions.query("e1", HandlerCall(name="status"))),
    ("update", lambda c: c.executions.update("e1", HandlerCall(name="set_value", input={"value": 2}))),
    ("batch cancel", lambda c: c.executions.stop_many(["e1", "e2"], "cancel")),
    ("batch terminate", lambda c: c.executions.stop_many(["e1"], "terminate")),
    ("reset", lambda c: c.executions.reset("e1", ResetRequest(event_id=3, reason="retry"))),
    (
        "create schedule",
        lambda c: c.schedules.create(
            ScheduleCreate(
                schedule=ScheduleSpec(
                    input={"name": "x"}, intervals=[ScheduleInterval(every="PT1H")], policy=SchedulePolicy(overlap=1)
                ),
                workflow_identifier="greeting",
                schedule_id="s1",
            )
        ),
    ),
    ("patch schedule", lambda c: c.schedules.update("s1", ScheduleSpec(cron_expressions=["0 9 * * *"]))),
    ("pause schedule", lambda c: c.schedules.pause("s1", "holidays")),
    ("trigger schedule", lambda c: c.schedules.trigger("s1", 6)),
    (
        "create deployment",
        lambda c: c.deployments.create(
            "dep", DeploymentSpec(github_url="https://example.invalid/r.git"), DeploymentResources(replicas=1)
        ),
    ),
    ("patch deployment", lambda c: c.deployments.update("dep", resources=DeploymentResources(replicas=2))),
]


@pytest.mark.parametrize(("label", "call"), CALLS, ids=[label for label, _ in CALLS])
async def test_request_bodies_match_the_spec(
    recorded: tuple[WorkflowsClient, list[httpx2.Request]],
    label: str,
    call: Callable[[WorkflowsClient], Awaitable[Any]],
) -> None:
    client, seen = recorded
    await call(client)
    assert len(seen) == 1, label
    request = seen[0]
    index, _ = spec_route(request.method, request.url.path)
    validate_body(index, json.loads(request.content) if request.content else None)


async def test_list_runs_sends_repeated_array_filters(recorded: tuple[WorkflowsClient, list[httpx2.Request]]) -> None:
    client, seen = recorded
    await client.runs.list(status=["RUNNING", "FAILED"], workflow_tags=["a"], page_size=10)
    params = seen[0].url.params
    assert params.get_list("status") == ["RUNNING", "FAILED"]
    assert params["page_size"] == "10"
    known = {p["name"] for p in spec_route("GET", "/v1/workflows/runs")[1]["parameters"]}
    assert set(params.keys()) <= known


async def test_list_schedules_always_paginates(recorded: tuple[WorkflowsClient, list[httpx2.Request]]) -> None:
    client, seen = recorded
    await client.schedules.list()
    assert seen[0].url.params["page_size"] == "50", "leaving page_size out returns everything (deprecated)"

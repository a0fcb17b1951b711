"""Which workflow a call is about, for every kind of target, with the fewest upstream requests.

The upstream is an httpx2 mock that answers like the API (payloads shared with tests/api); each
test checks the names found and the requests it took to find them.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from tests.api.examples import ENDED, EXECUTION, REGISTRATION, SCHEDULE, UUID_A, UUID_B, WORKFLOW

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.server.guard.targets import audit_targets, workflow_names

pytestmark = pytest.mark.anyio

UNKNOWN = "00000000-0000-4000-8000-00000000dead"


def upstream(registration_inline: bool = True) -> tuple[WorkflowsClient, list[str]]:
    seen: list[str] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        path, params = request.url.path, request.url.params
        seen.append(f"{path}?{params}" if params else path)
        if UNKNOWN in path:
            return httpx2.Response(404, json={"detail": "not found"})
        if path == f"/v1/workflows/{UUID_A}":
            return httpx2.Response(200, json={"workflow": {**WORKFLOW, "name": "by-id"}})
        if path == f"/v1/workflows/registrations/{UUID_B}":
            inline = registration_inline and params.get("with_workflow") == "true"
            found = {**REGISTRATION, "workflow": {**WORKFLOW, "name": "inline"}} if inline else REGISTRATION
            return httpx2.Response(200, json={"workflow_registration": found, "workflow_version": found})
        if path == "/v1/workflows/executions/e1":
            return httpx2.Response(200, json={**EXECUTION, "workflow_name": "of-execution"})
        if path == "/v1/workflows/schedules/s1":
            return httpx2.Response(200, json={**SCHEDULE, "workflow_name": "of-schedule"})
        if path == f"/v1/workflows/runs/{UUID_B}":
            return httpx2.Response(200, json={**ENDED, "workflow_name": "of-run"})
        return httpx2.Response(500, json={"detail": f"unexpected {path}"})

    client = WorkflowsClient(base_url="http://upstream.test", api_key="k", transport=httpx2.MockTransport(handle))
    return client, seen


@pytest.mark.parametrize(
    ("kind", "value", "names", "requests"),
    [
        ("workflow", "greeting", ["greeting"], []),  # a name is its own answer
        ("workflow", UUID_A, ["by-id"], [f"/v1/workflows/{UUID_A}"]),
        ("registration", UUID_B, ["inline"], [f"/v1/workflows/registrations/{UUID_B}?with_workflow=true"]),
        ("execution", "e1", ["of-execution"], ["/v1/workflows/executions/e1"]),
        ("schedule", "s1", ["of-schedule"], ["/v1/workflows/schedules/s1"]),
        ("run", UUID_B, ["of-run"], [f"/v1/workflows/runs/{UUID_B}"]),
        (
            "workflow",
            ["greeting", UNKNOWN, UUID_A],
            ["greeting", "by-id"],
            [f"/v1/workflows/{UNKNOWN}", f"/v1/workflows/{UUID_A}"],
        ),
        (
            "execution",
            [UNKNOWN, "e1"],
            ["of-execution"],
            [f"/v1/workflows/executions/{UNKNOWN}", "/v1/workflows/executions/e1"],
        ),
    ],
)
async def test_each_kind_of_target_names_its_workflow_in_one_request(
    kind: str, value: Any, names: list[str], requests: list[str]
) -> None:
    """Unknown ids name nothing (the tool reports them) and do not hide the ids after them."""
    client, seen = upstream()
    async with client:
        assert await workflow_names(client, kind, value) == names
    assert seen == requests


async def test_a_registration_without_its_workflow_is_followed_to_it() -> None:
    client, seen = upstream(registration_inline=False)
    async with client:
        assert await workflow_names(client, "registration", UUID_B) == ["by-id"]
    assert seen[-1] == f"/v1/workflows/{REGISTRATION['workflow_id']}"


async def test_an_unknown_kind_is_a_programming_error_that_names_it() -> None:
    client, _ = upstream()
    async with client:
        with pytest.raises(ValueError, match="unknown target kind 'deployment'"):
            await workflow_names(client, "deployment", "x")


def test_audit_targets_are_ids_and_names_never_payloads() -> None:
    arguments = {
        "workflow": "greeting",
        "workflows": ["a"],
        "execution_id": "e1",
        "execution_ids": ["e1"],
        "deployment": "d",
        "handler": "approve",
        "input": {"secret": 1},
        "display_name": "x",
        "confirmation_token": "c2.1.n.s",
    }
    assert audit_targets(arguments) == {
        "workflow": "greeting",
        "workflows": ["a"],
        "execution_id": "e1",
        "execution_ids": ["e1"],
        "deployment": "d",
        "handler": "approve",
    }

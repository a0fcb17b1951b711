"""Workflows waiting for a person (`wait_for_input`) behave on the sandbox as on Mistral's worker SDK."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx2
import pytest
from jsonschema import Draft202012Validator

from mcp_workflows.sandbox import SandboxConfig, running_sandbox

from .conftest import AUTH, start, wait_status
from .test_streams import read_all, read_some

pytestmark = pytest.mark.anyio

P = "/v1/workflows"
WAITING = "internal.execution.state:waiting_for_input"
EXPENSE = {"employee": "Ada", "amount": 120, "reason": "team lunch"}
DETAILS = {
    "badge_id": "EMP-1234",
    "weekly_hours": 40,
    "start_date": "2026-03-02",
    "team": "platform",
    "equipment": ["laptop", "monitor"],
}


async def pending(client: httpx2.AsyncClient, execution_id: str) -> list[dict[str, Any]]:
    response = await client.post(f"{P}/executions/{execution_id}/queries", json={"name": "__get_pending_inputs"})
    assert response.status_code == 200, response.text
    assert response.json()["query_name"] == "__get_pending_inputs"
    return list(response.json()["result"]["pending_inputs"])


async def next_input(client: httpx2.AsyncClient, execution_id: str, seen: set[str] | None = None) -> dict[str, Any]:
    """Poll the pending inputs until one not in `seen` is open."""
    for _ in range(500):
        fresh = [p for p in await pending(client, execution_id) if p["task_id"] not in (seen or set())]
        if fresh:
            assert len(fresh) == 1, fresh
            return fresh[0]
        await asyncio.sleep(0.01)
    raise AssertionError(f"{execution_id} never asked for input")


async def submit(client: httpx2.AsyncClient, execution_id: str, task_id: str, answer: Any) -> httpx2.Response:
    return await client.post(
        f"{P}/executions/{execution_id}/updates",
        json={"name": "__submit_input", "input": {"task_id": task_id, "input": answer}},
    )


async def events(client: httpx2.AsyncClient, execution_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"{P}/events/list", params={"workflow_exec_id": execution_id, "limit": 1000})
    assert response.status_code == 200
    return list(response.json()["events"])


def custom(items: list[dict[str, Any]], task_type: str) -> list[tuple[str, dict[str, Any]]]:
    """(event_type, attributes) of the custom-task events of one type, in order."""
    return [
        (e["event_type"], e["attributes"])
        for e in items
        if e["event_type"].startswith("CUSTOM_TASK_") and e["attributes"]["custom_task_type"] == task_type
    ]


async def waiting_ids(client: httpx2.AsyncClient, **params: Any) -> set[str]:
    response = await client.get(f"{P}/runs", params={"search_key": WAITING, **params})
    assert response.status_code == 200, response.text
    return {row["execution_id"] for row in response.json()["executions"]}


async def registration(client: httpx2.AsyncClient, workflow: str) -> dict[str, Any]:
    wf_id = (await client.get(f"{P}/{workflow}")).json()["workflow"]["id"]
    regs = (await client.get(f"{P}/registrations", params={"workflow_id": wf_id})).json()["workflow_registrations"]
    return dict(regs[0])


@pytest.mark.parametrize("workflow", ["expense-approval", "onboarding", "claim-intake"])
async def test_registration_lists_the_reserved_handlers(client: httpx2.AsyncClient, workflow: str) -> None:
    definition = (await registration(client, workflow))["definition"]
    assert definition["signals"] == []
    [update] = definition["updates"]
    assert update["name"] == "__submit_input"
    assert update["input_schema"] == {
        "properties": {"task_id": {"type": "string"}, "input": {}},
        "required": ["task_id", "input"],
        "title": "_SubmitInputParams",
        "type": "object",
    }
    assert update["output_schema"] == {"properties": {}, "title": "_SubmitInputResult", "type": "object"}
    [query] = definition["queries"]
    assert query["name"] == "__get_pending_inputs"
    assert query["input_schema"] == {"additionalProperties": False, "properties": {}, "type": "object"}
    assert query["output_schema"]["title"] == "_PendingInputsResult"


async def test_chat_assistant_workflow_is_detectable(client: httpx2.AsyncClient) -> None:
    reg = await registration(client, "expense-approval")
    output = reg["definition"]["output_schema"]
    assert output["title"] == "ChatAssistantWorkflowOutput"
    assert set(output["$defs"]) == {
        "CanvasPayload",
        "CanvasResource",
        "ResourceOutput",
        "TextOutput",
        "UIComponent",
        "UIComponentResource",
    }
    assert reg["compatible_with_chat_assistant"] is True
    assert (await registration(client, "onboarding"))["definition"]["output_schema"]["title"] == "OnboardingOutput"


async def test_expense_approval_waits_for_the_approver_then_returns_chat_output(client: httpx2.AsyncClient) -> None:
    started = await start(client, "expense-approval", EXPENSE, execution_id="exp")
    form = await next_input(client, "exp")
    assert form["label"] == "Approver decision: Ada's expense"
    schema = form["input_schema"]
    assert schema["title"] == "FormInput"
    assert schema["required"] == ["approved"]
    assert schema["properties"]["approved"]["oneOf"] == [
        {"const": "accept", "description": "Approve", "type": "string"},
        {"const": "decline", "description": "Reject", "type": "string"},
    ]
    assert "type" not in schema["properties"]["approved"]
    assert schema["properties"]["comment"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert (await client.get(f"{P}/executions/exp")).json()["status"] == "RUNNING"

    before = await events(client, "exp")
    [(kind, message)] = custom(before, "assistant_message")[:1]
    assert kind == "CUSTOM_TASK_STARTED"
    assert message["payload"]["value"] == {
        "contentChunks": [
            {"type": "text", "text": "Ada asks to be reimbursed 120.00 EUR for team lunch. Do you approve?"}
        ]
    }
    [(kind, asked)] = custom(before, "wait_for_input")
    assert kind == "CUSTOM_TASK_STARTED"
    assert asked["custom_task_id"] == form["task_id"]
    assert asked["payload"] == {
        "type": "json",
        "value": {"input_schema": schema, "label": form["label"]},
        "encoding_options": [],
    }

    response = await submit(client, "exp", form["task_id"], {"approved": "accept", "comment": "Enjoy", "extra": 1})
    assert response.status_code == 200
    assert response.json() == {"update_name": "__submit_input", "result": {}}
    done = await wait_status(client, started["execution_id"])
    assert done["status"] == "COMPLETED"
    result = done["result"]
    Draft202012Validator((await registration(client, "expense-approval"))["definition"]["output_schema"]).validate(
        result
    )
    assert result["isError"] is False
    assert result["structuredContent"] == {
        "employee": "Ada",
        "amount": 120.0,
        "reason": "team lunch",
        "approved": True,
        "comment": "Enjoy",
    }
    text, canvas = result["content"]
    assert text == {"type": "text", "text": "Approved: Ada's expense of 120.00 EUR (team lunch)."}
    assert canvas["type"] == "resource"
    assert canvas["resource"]["mimeType"] == "application/vnd.mistral.canvas"
    assert canvas["resource"]["uri"].startswith("file://canvas/")
    assert canvas["resource"]["canvas"]["type"] == "text/markdown"
    assert "| Ada | 120.00 EUR | team lunch | Approved |" in canvas["resource"]["canvas"]["content"]

    completed = [
        a for kind, a in custom(await events(client, "exp"), "wait_for_input") if kind == "CUSTOM_TASK_COMPLETED"
    ]
    assert [a["payload"]["value"] for a in completed] == [
        {"input_schema": schema, "label": form["label"], "input": {"approved": "accept", "comment": "Enjoy"}}
    ]


async def test_declined_expense_fills_the_optional_comment(client: httpx2.AsyncClient) -> None:
    await start(client, "expense-approval", EXPENSE, execution_id="no")
    form = await next_input(client, "no")
    assert (await submit(client, "no", form["task_id"], {"approved": "decline"})).status_code == 200
    result = (await wait_status(client, "no"))["result"]
    assert result["structuredContent"]["approved"] is False
    assert result["structuredContent"]["comment"] is None
    assert result["content"][0]["text"].startswith("Rejected:")
    [answer] = [
        a["payload"]["value"]["input"]
        for kind, a in custom(await events(client, "no"), "wait_for_input")
        if kind == "CUSTOM_TASK_COMPLETED"
    ]
    assert answer == {"approved": "decline", "comment": None}


async def test_rejected_answer_is_a_500_and_leaves_the_input_pending(client: httpx2.AsyncClient) -> None:
    await start(client, "expense-approval", EXPENSE, execution_id="bad")
    form = await next_input(client, "bad")
    task = form["task_id"]
    response = await submit(client, "bad", task, {"approved": "maybe"})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "post_executions_updates_error"
    assert body["detail"].startswith(f"Invalid input for task {task}: 1 validation error for FormInput\napproved\n")
    assert "Invalid choice 'maybe'. Must be one of: ['accept', 'decline']" in body["detail"]
    response = await submit(client, "bad", task, {"comment": 3})
    assert response.status_code == 500
    assert "2 validation errors" in response.json()["detail"]
    assert "approved\n  Field required" in response.json()["detail"]
    assert "comment\n  " in response.json()["detail"]
    assert await pending(client, "bad") == [form]
    assert (await client.get(f"{P}/executions/bad")).json()["status"] == "RUNNING"
    assert not [
        kind for kind, _ in custom(await events(client, "bad"), "wait_for_input") if kind != "CUSTOM_TASK_STARTED"
    ]
    assert (await submit(client, "bad", task, {"approved": "accept"})).status_code == 200
    assert (await wait_status(client, "bad"))["status"] == "COMPLETED"


async def test_unknown_and_answered_task_ids_fail(client: httpx2.AsyncClient) -> None:
    await start(client, "onboarding", {"employee": "Lin"}, execution_id="stale")
    first = await next_input(client, "stale")
    unknown = str(uuid.uuid4())
    response = await submit(client, "stale", unknown, DETAILS)
    assert response.status_code == 500
    assert response.json()["detail"] == f"No pending input request found for task {unknown}"
    assert (await submit(client, "stale", first["task_id"], DETAILS)).status_code == 200
    await next_input(client, "stale", {first["task_id"]})
    again = await submit(client, "stale", first["task_id"], DETAILS)
    assert again.status_code == 500
    assert again.json()["detail"] == f"No pending input request found for task {first['task_id']}"
    missing = await client.post(
        f"{P}/executions/stale/updates", json={"name": "__submit_input", "input": {"input": DETAILS}}
    )
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "input"]
    await client.post(f"{P}/executions/stale/terminate")
    finished = await submit(client, "stale", first["task_id"], DETAILS)
    assert finished.status_code == 409
    assert finished.json()["code"] == "WF_1102"


async def test_onboarding_asks_twice_with_the_sdk_field_kinds(client: httpx2.AsyncClient) -> None:
    await start(client, "onboarding", {"employee": "Lin"}, execution_id="onb")
    details = await next_input(client, "onb")
    assert details["label"] == "Onboarding details"
    schema = details["input_schema"]
    fields = schema["properties"]
    assert schema["title"] == "FormInput"
    assert set(schema["required"]) == {"badge_id", "weekly_hours", "start_date", "team", "equipment"}
    assert fields["badge_id"] == {
        "title": "Badge Id",
        "description": "Badge number",
        "type": "string",
        "pattern": "^EMP-[0-9]{4}$",
        "errorMessage": "Use EMP- followed by four digits",
    }
    assert fields["weekly_hours"] == {
        "title": "Weekly Hours",
        "description": "Contracted hours per week",
        "type": "number",
        "minimum": 1,
        "maximum": 60,
        "default": 40,
    }
    assert fields["start_date"]["format"] == "date"
    assert "type" not in fields["team"]
    assert fields["team"]["oneOf"][0] == {"const": "platform", "description": "Platform", "type": "string"}
    assert fields["equipment"]["items"]["anyOf"][:2] == [
        {"const": "laptop", "type": "string"},
        {"const": "monitor", "description": "External monitor", "type": "string"},
    ]
    assert (fields["equipment"]["minItems"], fields["equipment"]["uniqueItems"]) == (1, True)
    assert fields["notes"]["anyOf"] == [{"type": "string"}, {"type": "null"}]

    problems = {
        "weekly_hours": (2.5, "Input should be a valid integer, got a number with a fractional part"),
        "badge_id": ("emp-1", "String should match pattern '^EMP-[0-9]{4}$'"),
        "start_date": ("next monday", "Input should be a valid date"),
        "equipment": ([], "List should have at least 1 item after validation, not 0"),
    }
    for name, (value, message) in problems.items():
        response = await submit(client, "onb", details["task_id"], {**DETAILS, name: value})
        assert response.status_code == 500, name
        detail = response.json()["detail"]
        assert f"\n{name}\n  {message}" in detail, detail
    lax = {**DETAILS, "weekly_hours": "40", "unknown": "dropped"}
    assert (await submit(client, "onb", details["task_id"], lax)).status_code == 200

    confirm = await next_input(client, "onb", {details["task_id"]})
    assert confirm["task_id"] != details["task_id"]
    assert confirm["label"] == "Confirm onboarding"
    assert confirm["input_schema"] == {
        "title": "Confirmation",
        "type": "object",
        "additionalProperties": False,
        "required": ["choice"],
        "properties": {
            "choice": {
                "title": "Choice",
                "description": "Are these details right?",
                "oneOf": [
                    {"const": "decline", "description": "No, discard", "type": "string"},
                    {"const": "accept", "description": "Yes, submit", "type": "string"},
                ],
            }
        },
    }
    assert (await submit(client, "onb", confirm["task_id"], {"choice": "accept", "why": 1})).status_code == 500
    assert (await submit(client, "onb", confirm["task_id"], {"choice": "accept"})).status_code == 200
    done = await wait_status(client, "onb")
    assert done["status"] == "COMPLETED"
    assert done["result"] == {
        "employee": "Lin",
        "details": {**DETAILS, "weekly_hours": 40, "notes": None},
        "confirmed": True,
    }
    asked = [
        a["custom_task_id"]
        for kind, a in custom(await events(client, "onb"), "wait_for_input")
        if kind.endswith("STARTED")
    ]
    assert asked == [details["task_id"], confirm["task_id"]]
    messages = custom(await events(client, "onb"), "assistant_message")
    assert "Badge EMP-1234, team platform" in messages[-1][1]["payload"]["value"]["contentChunks"][0]["text"]


async def test_claim_intake_asks_for_what_mcp_forms_cannot_carry(client: httpx2.AsyncClient) -> None:
    await start(client, "claim-intake", {"policy_number": "P-1"}, execution_id="claim")
    story = await next_input(client, "claim")
    assert story["input_schema"]["title"] == "ChatInput"
    assert story["input_schema"]["properties"]["message"]["items"] == {"$ref": "#/$defs/TextChunk"}
    response = await submit(client, "claim", story["task_id"], {"message": "a pipe burst"})
    assert "Input should be a valid list" in response.json()["detail"]
    message = {"message": [{"type": "text", "text": "A pipe burst"}]}
    assert (await submit(client, "claim", story["task_id"], message)).status_code == 200
    evidence = await next_input(client, "claim", {story["task_id"]})
    fields = evidence["input_schema"]["properties"]
    assert fields["photos"]["items"] == {"type": "string", "format": "uri", "title": "File"}
    assert fields["contact"]["$ref"] == "#/$defs/Contact"
    response = await submit(
        client, "claim", evidence["task_id"], {"photos": ["https://x.invalid/1.jpg"], "contact": {}}
    )
    assert response.status_code == 500
    assert "contact.name\n  Field required" in response.json()["detail"]
    answer = {"photos": ["https://x.invalid/1.jpg"], "contact": {"name": "Lin", "phone": "+33 1"}}
    assert (await submit(client, "claim", evidence["task_id"], answer)).status_code == 200
    result = (await wait_status(client, "claim"))["result"]
    assert result == {"policy_number": "P-1", "description": "A pipe burst", **answer}


async def test_unanswered_input_times_out_and_fails_the_execution(client: httpx2.AsyncClient) -> None:
    await start(client, "expense-approval", {**EXPENSE, "timeout_seconds": 0.05}, execution_id="late")
    done = await wait_status(client, "late")
    assert done["status"] == "FAILED"
    items = await events(client, "late")
    task_events = custom(items, "wait_for_input")
    assert [kind for kind, _ in task_events] == ["CUSTOM_TASK_STARTED", "CUSTOM_TASK_FAILED"]
    failed = task_events[1][1]
    assert failed == {
        "custom_task_id": task_events[0][1]["custom_task_id"],
        "custom_task_type": "wait_for_input",
        "failure": {"message": ""},
    }
    assert items[-1]["event_type"] == "WORKFLOW_EXECUTION_FAILED"
    assert items[-1]["attributes"]["failure"] == {"message": ""}
    assert await waiting_ids(client) == set()


async def test_sandbox_input_timeout_caps_every_wait() -> None:
    config = SandboxConfig(time_scale=0.01, input_timeout_s=0.05)
    async with running_sandbox(config) as url, httpx2.AsyncClient(base_url=url, headers=AUTH) as client:
        await start(client, "onboarding", {"employee": "Lin"}, execution_id="capped")
        assert (await wait_status(client, "capped"))["status"] == "FAILED"
        kinds = [kind for kind, _ in custom(await events(client, "capped"), "wait_for_input")]
        assert kinds == ["CUSTOM_TASK_STARTED", "CUSTOM_TASK_FAILED"]


async def test_search_key_lists_exactly_the_executions_waiting_for_input(client: httpx2.AsyncClient) -> None:
    await start(client, "expense-approval", EXPENSE, execution_id="wait-a")
    await start(client, "onboarding", {"employee": "Lin"}, execution_id="wait-b")
    await start(client, "counter", {}, execution_id="busy")
    await start(client, "greeting", {"name": "x"}, execution_id="done")
    form = await next_input(client, "wait-a")
    await next_input(client, "wait-b")
    assert await waiting_ids(client) == {"wait-a", "wait-b"}
    assert await waiting_ids(client, workflow_identifier="onboarding") == {"wait-b"}
    assert (await submit(client, "wait-a", form["task_id"], {"approved": "accept"})).status_code == 200
    await wait_status(client, "wait-a")
    assert await waiting_ids(client) == {"wait-b"}
    history = (await client.get(f"{P}/executions/wait-a/history")).json()["events"]
    upserts = [e["attributes"] for e in history if e["eventType"] == "UpsertWorkflowSearchAttributes"]
    assert upserts == [
        {"searchAttributes": {"internal.execution.state": "waiting_for_input"}},
        {"searchAttributes": {"internal.execution.state": None}},
    ]


async def test_cancel_fails_the_wait_but_terminate_leaves_the_key_like_temporal(client: httpx2.AsyncClient) -> None:
    await start(client, "expense-approval", EXPENSE, execution_id="cxl")
    await start(client, "expense-approval", EXPENSE, execution_id="kill")
    await next_input(client, "cxl")
    await next_input(client, "kill")
    assert (await client.post(f"{P}/executions/cxl/cancel")).status_code == 204
    assert (await client.post(f"{P}/executions/kill/terminate")).status_code == 204
    cancelled = await events(client, "cxl")
    assert [kind for kind, _ in custom(cancelled, "wait_for_input")] == ["CUSTOM_TASK_STARTED", "CUSTOM_TASK_FAILED"]
    assert cancelled[-1]["event_type"] == "WORKFLOW_EXECUTION_CANCELED"
    assert [kind for kind, _ in custom(await events(client, "kill"), "wait_for_input")] == ["CUSTOM_TASK_STARTED"]
    # Temporal keeps the last search attributes on a closed run: filter on status too.
    assert await waiting_ids(client) == {"kill"}
    assert await waiting_ids(client, status="RUNNING") == set()


async def test_reset_asks_again_with_a_new_task_id(client: httpx2.AsyncClient) -> None:
    await start(client, "onboarding", {"employee": "Lin"}, execution_id="again")
    first = await next_input(client, "again")
    assert (await submit(client, "again", first["task_id"], DETAILS)).status_code == 200
    await next_input(client, "again", {first["task_id"]})
    trace = (await client.get(f"{P}/executions/again/trace/events", params={"include_internal_events": "true"})).json()
    point = min(int(e["id"]) for e in trace["events"] if e["internal"])
    assert (await client.post(f"{P}/executions/again/reset", json={"event_id": point})).status_code == 204
    asked = await next_input(client, "again", {first["task_id"]})
    assert asked["label"] == "Onboarding details"
    assert (await submit(client, "again", first["task_id"], DETAILS)).status_code == 500


async def test_wait_events_reach_every_stream(client: httpx2.AsyncClient) -> None:
    await start(client, "expense-approval", EXPENSE, execution_id="sse")
    form = await next_input(client, "sse")
    started = await read_some(
        client,
        f"{P}/events/stream",
        2,
        params={"workflow_exec_id": "sse", "workflow_event_types": ["CUSTOM_TASK_STARTED"]},
    )
    assert [f["data"]["data"]["attributes"]["custom_task_type"] for f in started] == [
        "assistant_message",
        "wait_for_input",
    ]
    assert started[1]["data"]["data"]["attributes"]["custom_task_id"] == form["task_id"]
    assert (await submit(client, "sse", form["task_id"], {"approved": "accept"})).status_code == 200
    frames = await read_all(client, f"{P}/executions/sse/stream")
    kinds = [f["event"] for f in frames if f["data"]["data"]["attributes"].get("custom_task_type") == "wait_for_input"]
    assert kinds == ["CUSTOM_TASK_STARTED", "CUSTOM_TASK_COMPLETED"]
    assert frames[-1]["event"] == "WORKFLOW_EXECUTION_COMPLETED"

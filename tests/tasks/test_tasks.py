"""execute_workflow as an MCP task (SEP-2663), in process with the `mcp` client, against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, ElicitRequestParams, ElicitResult

from mcp_workflows.server.app import WorkflowsServer
from mcp_workflows.server.tasks.ids import TaskIds, TaskRef
from tests.tasks.client import (
    TASKS,
    TaskHandle,
    Tasks,
    cancel_task,
    get_task,
    poll,
    update_task,
    wire,
)
from tests.tasks.conftest import API_KEY

pytestmark = pytest.mark.anyio

EXPENSE = {"employee": "Ada", "amount": 120, "reason": "team lunch"}
NOT_FOUND = "Failed to retrieve task: Task not found"
MakeServer = Callable[..., WorkflowsServer]


async def start(client: Client, workflow: str, input: dict[str, Any] | None = None, **extra: Any) -> TaskHandle:
    handle = await client.session.call_tool(
        "execute_workflow", {"workflow": workflow, "input": input or {}, **extra}, allow_claimed=True
    )
    assert isinstance(handle, TaskHandle), f"expected a task handle, got {handle}"
    return handle


def execution_of(handle: TaskHandle) -> str:
    return execution_of_id(handle.task_id)


def execution_of_id(task_id: str) -> str:
    ref = TaskIds(API_KEY.encode()).verify(task_id, None)
    assert ref is not None
    return ref.execution_id


def ended(task: dict[str, Any]) -> bool:
    return task["status"] in ("completed", "cancelled", "failed")


async def sandbox_pending(sandbox: httpx2.AsyncClient, execution_id: str) -> list[dict[str, Any]]:
    reply = await sandbox.post(
        f"/v1/workflows/executions/{execution_id}/queries", json={"name": "__get_pending_inputs"}
    )
    assert reply.status_code == 200, reply.text
    return list(reply.json()["result"]["pending_inputs"])


async def test_a_declaring_client_gets_a_task_whose_result_is_the_inline_result(make_server: MakeServer) -> None:
    server = make_server()
    async with Client(server, extensions=[Tasks()]) as client:
        handle = await start(client, "greeting", {"name": "Ada"}, execution_id="task-greeting-1")
        fields = wire(handle)
        assert fields["resultType"] == "task"
        assert fields["status"] == "working"
        assert set(fields) >= {"taskId", "createdAt", "lastUpdatedAt", "pollIntervalMs"}
        assert fields["pollIntervalMs"] == 20
        assert fields["statusMessage"].startswith("Running")
        assert "result" not in fields
        assert "inputRequests" not in fields
        task = await poll(client.session, handle.task_id, ended)
    assert task["status"] == "completed"
    assert task["resultType"] == "complete"
    assert task["createdAt"] == fields["createdAt"], "createdAt never changes"
    result = task["result"]
    assert result["resultType"] == "complete", "ext-tasks decodes a task's result as a complete tools/call result"
    assert result["isError"] is False
    assert result["structuredContent"]["result"] == {"greeting": "Hello, Ada!"}
    # The same execution inline (a retry with the same execution_id never runs it twice): the same result.
    async with Client(server) as plain:
        inline = await plain.call_tool(
            "execute_workflow", {"workflow": "greeting", "input": {"name": "Ada"}, "execution_id": "task-greeting-1"}
        )
    assert result == {key: value for key, value in wire(inline).items() if key != "_meta"}, "the envelope's stamp aside"


async def test_the_sdk_client_resolves_the_task_and_validates_the_output_schema(make_server: MakeServer) -> None:
    tasks = Tasks()
    async with Client(make_server(), extensions=[tasks]) as client:
        result = await client.call_tool("execute_workflow", {"workflow": "slow-report", "input": {"seconds": 2}})
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["status"] == "COMPLETED"
    assert tasks.statuses[0] == "working"
    assert tasks.statuses[-1] == "completed"
    assert "working" in tasks.statuses[1:], "polled while it ran"


async def test_clients_that_do_not_declare_tasks_get_the_inline_result(make_server: MakeServer) -> None:
    server = make_server()
    for client in (Client(server), Client(server, mode="legacy", extensions=[Tasks()])):
        async with client:
            result = await client.session.call_tool(
                "execute_workflow", {"workflow": "greeting", "input": {"name": "Bo"}}, allow_claimed=True
            )
        assert isinstance(result, CallToolResult), f"no task handle without a declaration on the request: {result}"
        assert result.structured_content is not None
        assert result.structured_content["status"] == "COMPLETED"


async def test_a_preview_or_a_refusal_stays_an_ordinary_result(make_server: MakeServer) -> None:
    async with Client(make_server(confirm="execute=token"), extensions=[Tasks()]) as client:
        preview = await client.session.call_tool(
            "execute_workflow", {"workflow": "greeting", "input": {"name": "Ed"}}, allow_claimed=True
        )
        refused = await client.session.call_tool("execute_workflow", {"workflow": "nope-404"}, allow_claimed=True)
    assert isinstance(preview, CallToolResult)
    assert preview.structured_content is not None
    assert preview.structured_content["outcome"] == "confirmation_required", "nothing started: no task"
    assert isinstance(refused, CallToolResult)
    assert refused.is_error


async def test_tasks_methods_need_the_declaration_a_signed_id_and_the_2026_wire(make_server: MakeServer) -> None:
    server = make_server()
    async with Client(server, extensions=[Tasks()]) as client:
        handle = await start(client, "greeting", {"name": "Cy"})
    async with Client(server) as undeclared:
        with pytest.raises(MCPError) as missing:
            await get_task(undeclared.session, handle.task_id)
    assert missing.value.code == -32021
    assert missing.value.data == {"requiredCapabilities": {"extensions": {TASKS: {}}}}

    ref = TaskIds(API_KEY.encode()).verify(handle.task_id, None)
    assert ref is not None
    forged = [
        "not-a-task",
        handle.task_id[:-2] + ("AA" if not handle.task_id.endswith("AA") else "BB"),  # signature changed
        TaskIds(b"another server's secret").issue(ref, None),  # signed with another secret
        handle.task_id.replace(".o.", ".e."),  # confirmation letter changed
    ]
    async with Client(server, extensions=[Tasks()]) as client:
        for task_id in forged:
            for send in (get_task, cancel_task):
                with pytest.raises(MCPError) as bad:
                    await send(client.session, task_id)
                assert (bad.value.code, bad.value.message) == (-32602, NOT_FOUND), task_id
        with pytest.raises(MCPError) as gone:  # signed, but no such execution upstream
            await get_task(client.session, TaskIds(API_KEY.encode()).issue(TaskRef("never-started-1"), None))
        assert (gone.value.code, gone.value.message) == (-32602, NOT_FOUND)
    async with Client(server, mode="legacy", extensions=[Tasks()]) as legacy:
        with pytest.raises(MCPError) as old:
            await get_task(legacy.session, handle.task_id)
    assert old.value.code == -32601, "tasks/* on a handshake-era wire is another (older) Tasks protocol"


async def test_the_task_id_verifies_on_a_fresh_server_instance(make_server: MakeServer) -> None:
    async with Client(make_server(), extensions=[Tasks()]) as first:
        handle = await start(first, "greeting", {"name": "Di"})
    async with Client(make_server(), extensions=[Tasks()]) as replica:  # a restart, or another replica
        task = await poll(replica.session, handle.task_id, ended)
    assert task["status"] == "completed"
    assert task["result"]["structuredContent"]["result"] == {"greeting": "Hello, Di!"}
    async with Client(make_server(api_key="sk-another-key-0123456789"), extensions=[Tasks()]) as other:
        with pytest.raises(MCPError) as foreign:
            await get_task(other.session, handle.task_id)
    assert foreign.value.code == -32602


async def test_a_failed_workflow_is_a_completed_task_with_an_error_result(make_server: MakeServer) -> None:
    async with Client(make_server(), extensions=[Tasks()]) as client:
        handle = await start(client, "always-fails", {"reason": "disk full"})
        task = await poll(client.session, handle.task_id, ended)
    assert task["status"] == "completed", "`failed` is only for JSON-RPC errors"
    result = task["result"]
    assert result["isError"] is True
    assert result["structuredContent"]["status"] == "FAILED"
    assert "disk full" in result["structuredContent"]["failure"]
    assert "error" not in task


async def test_tasks_cancel_cancels_the_execution(make_server: MakeServer, sandbox: httpx2.AsyncClient) -> None:
    async with Client(make_server(), extensions=[Tasks()]) as client:
        handle = await start(client, "slow-report", {"seconds": 600})
        ack = await cancel_task(client.session, handle.task_id)
        assert ack["resultType"] == "complete"
        assert set(ack) <= {"resultType", "_meta"}, "an empty acknowledgement"
        task = await poll(client.session, handle.task_id, ended)
        assert task["status"] == "cancelled"
        assert "result" not in task
        assert await cancel_task(client.session, handle.task_id) == ack, "cancelling an ended task is a no-op"
    upstream = await sandbox.get(f"/v1/workflows/executions/{execution_of(handle)}")
    assert upstream.json()["status"] == "CANCELED", "graceful cancel, not terminate"


@pytest.mark.parametrize(
    ("overrides", "why"),
    [
        ({"task_cancel": "refuse"}, "cancel_execution(execution_ids=["),
        ({"deny_workflows": "slow-*"}, "slow-*"),
        ({"read_only": True}, "read-only"),
    ],
)
async def test_tasks_cancel_follows_the_operators_rules(
    make_server: MakeServer, overrides: dict[str, Any], why: str
) -> None:
    async with Client(make_server(), extensions=[Tasks()]) as client:
        handle = await start(client, "slow-report", {"seconds": 600})
    async with Client(make_server(**overrides), extensions=[Tasks()]) as client:
        with pytest.raises(MCPError) as refused:
            await cancel_task(client.session, handle.task_id)
        assert refused.value.code == -32600
        assert why in refused.value.message
    async with Client(make_server(), extensions=[Tasks()]) as client:
        assert (await get_task(client.session, handle.task_id))["status"] == "working", "still running"
        await cancel_task(client.session, handle.task_id)


async def test_tasks_cancel_counts_against_the_destructive_cap(make_server: MakeServer) -> None:
    async with Client(make_server(max_destructive=1), extensions=[Tasks()]) as client:
        first, second = [await start(client, "slow-report", {"seconds": 600}) for _ in range(2)]
        await cancel_task(client.session, first.task_id)
        with pytest.raises(MCPError) as capped:
            await cancel_task(client.session, second.task_id)
        assert capped.value.code == -32600
        assert "cap of 1 destructive calls" in capped.value.message
    async with Client(make_server(), extensions=[Tasks()]) as client:
        await cancel_task(client.session, second.task_id)


async def test_a_form_becomes_input_required_and_an_accepted_answer_completes_it(
    make_server: MakeServer, sandbox: httpx2.AsyncClient
) -> None:
    server = make_server()
    async with Client(server, extensions=[Tasks()]) as client:
        handle = await start(client, "expense-approval", EXPENSE, execution_id="task-expense-1")
        task = await poll(client.session, handle.task_id, lambda t: t["status"] == "input_required")
        [pending] = await sandbox_pending(sandbox, execution_of(handle))
        [(key, request)] = task["inputRequests"].items()
        assert key == pending["task_id"], "keyed by the pending input's own id: unique over the task's life"
        assert request["method"] == "elicitation/create"
        params = request["params"]
        assert params["mode"] == "form"
        assert "Approver decision: Ada's expense" in params["message"]
        assert "120.00 EUR for team lunch" in params["message"], "what the workflow said before asking"
        schema = params["requestedSchema"]
        assert schema["properties"]["approved"]["oneOf"][0] == {"const": "accept", "title": "Approve"}
        assert schema["required"] == ["approved"]
        again = await get_task(client.session, handle.task_id)
        assert again["inputRequests"] == task["inputRequests"], "the same key, the same request, every poll"

        ack = await update_task(
            client.session, handle.task_id, {key: {"action": "accept", "content": {"approved": "accept"}}}
        )
        assert ack["resultType"] == "complete"
        done = await poll(client.session, handle.task_id, ended)
    assert done["status"] == "completed"
    outcome = done["result"]["structuredContent"]
    assert outcome["status"] == "COMPLETED"
    assert outcome["result"]["approved"] is True
    assert [block["type"] for block in done["result"]["content"]] == ["text", "resource", "text"], "chat output"
    async with Client(server) as plain:
        inline = await plain.call_tool(
            "execute_workflow", {"workflow": "expense-approval", "input": EXPENSE, "execution_id": "task-expense-1"}
        )
    assert done["result"] == {key: value for key, value in wire(inline).items() if key != "_meta"}


async def test_a_confirmation_form_comes_first_then_the_task_asks_the_workflows_form(
    make_server: MakeServer,
) -> None:
    confirmations: list[str] = []

    async def confirm(_: Any, params: ElicitRequestParams) -> ElicitResult:
        confirmations.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    async def approve(key: str, request: dict[str, Any]) -> dict[str, Any]:
        return {"action": "accept", "content": {"approved": "accept"}}

    tasks = Tasks(approve)
    server = make_server(confirm="execute=elicit")
    async with Client(server, extensions=[tasks], elicitation_callback=confirm) as client:
        result = await client.call_tool("execute_workflow", {"workflow": "expense-approval", "input": EXPENSE})
    assert len(confirmations) == 1, "the start is confirmed in the tools/call round trip; the form is the task's"
    assert "input_required" in tasks.statuses
    assert result.structured_content is not None
    assert result.structured_content["confirmed_by"] == "elicitation", "the task id carries how the start was confirmed"
    assert result.structured_content["result"]["approved"] is True


async def test_the_sdk_client_answers_a_form_through_tasks_update(make_server: MakeServer) -> None:
    asked: list[str] = []

    async def answer(key: str, request: dict[str, Any]) -> dict[str, Any]:
        asked.append(request["params"]["message"])
        return {"action": "accept", "content": {"approved": "decline", "comment": "over budget"}}

    tasks = Tasks(answer)
    async with Client(make_server(), extensions=[tasks]) as client:
        result = await client.call_tool("execute_workflow", {"workflow": "expense-approval", "input": EXPENSE})
    assert len(asked) == 1
    assert "input_required" in tasks.statuses
    assert result.structured_content is not None
    decision = result.structured_content["result"]
    assert decision == {**decision, "approved": False, "comment": "over budget"}


async def test_a_wrong_answer_is_refused_and_the_form_stays(make_server: MakeServer) -> None:
    async with Client(make_server(), extensions=[Tasks()]) as client:
        handle = await start(client, "expense-approval", EXPENSE)
        task = await poll(client.session, handle.task_id, lambda t: t["status"] == "input_required")
        [key] = task["inputRequests"]
        with pytest.raises(MCPError) as wrong:
            await update_task(
                client.session, handle.task_id, {key: {"action": "accept", "content": {"approved": "maybe"}}}
            )
        assert wrong.value.code == -32602
        assert "approved" in wrong.value.message
        with pytest.raises(MCPError) as odd:
            await update_task(client.session, handle.task_id, {key: {"action": "later"}})
        assert odd.value.code == -32602
        ignored = await update_task(client.session, handle.task_id, {"not-a-pending-input": {"action": "accept"}})
        assert ignored["resultType"] == "complete", "keys that are not outstanding are ignored"
        assert (await get_task(client.session, handle.task_id))["inputRequests"] == task["inputRequests"]
        await cancel_task(client.session, handle.task_id)


async def test_a_declined_form_is_never_asked_again_and_says_how_to_answer(make_server: MakeServer) -> None:
    async with Client(make_server(), extensions=[Tasks()]) as client:
        handle = await start(client, "expense-approval", EXPENSE)
        task = await poll(client.session, handle.task_id, lambda t: t["status"] == "input_required")
        [key] = task["inputRequests"]
        await update_task(client.session, handle.task_id, {key: {"action": "decline"}})
        after = await get_task(client.session, handle.task_id)
        assert after["status"] == "working", "the key was answered: it may not be asked again"
        assert "inputRequests" not in after
        assert "declined" in after["statusMessage"]
        assert "submit_input(" in after["statusMessage"]
        assert key in after["statusMessage"]
        # The model can still answer it with the tool the status message names.
        answered = await client.call_tool(
            "submit_input", {"execution_id": execution_of(handle), "task_id": key, "input": {"approved": "accept"}}
        )
        assert not answered.is_error, answered
        done = await poll(client.session, handle.task_id, ended)
    assert done["result"]["structuredContent"]["result"]["approved"] is True


async def test_forms_mcp_cannot_carry_leave_the_task_working_with_submit_input(make_server: MakeServer) -> None:
    async with Client(make_server(), extensions=[Tasks()]) as client:
        handle = await start(client, "claim-intake", {"policy_number": "P-1"})
        chat = await poll(client.session, handle.task_id, lambda t: t["status"] == "input_required")
        [key] = chat["inputRequests"]  # the chat message is one text: a form MCP carries
        await update_task(
            client.session, handle.task_id, {key: {"action": "accept", "content": {"message": "A pipe burst"}}}
        )
        evidence = await poll(client.session, handle.task_id, lambda t: "submit_input(" in t.get("statusMessage", ""))
        assert evidence["status"] == "working"
        assert "inputRequests" not in evidence
        assert "cannot be shown as an MCP form" in evidence["statusMessage"]
        assert execution_of(handle) in evidence["statusMessage"]
        await cancel_task(client.session, handle.task_id)


async def test_a_poll_reads_the_execution_and_only_what_its_state_needs(
    make_server: MakeServer, sandbox: httpx2.AsyncClient
) -> None:
    async def upstream_reads(client: Client, task_id: str) -> dict[str, int]:
        before = (await sandbox.get("/_sandbox/stats")).json()["requests"]
        await get_task(client.session, task_id)
        after = (await sandbox.get("/_sandbox/stats")).json()["requests"]
        execution = f"/v1/workflows/executions/{execution_of_id(task_id)}"
        return {
            key.replace(execution, "/execution"): count - before.get(key, 0)
            for key, count in after.items()
            if count != before.get(key, 0)
        }

    async with Client(make_server(), extensions=[Tasks()]) as client:
        running = await start(client, "slow-report", {"seconds": 600})
        asking = await start(client, "expense-approval", EXPENSE)
        done = await start(client, "greeting", {"name": "Fe"})
        await poll(client.session, asking.task_id, lambda t: t["status"] == "input_required")
        await poll(client.session, done.task_id, ended)
        assert await upstream_reads(client, done.task_id) == {"GET /execution": 1}
        events = "GET /v1/workflows/events/list"
        assert await upstream_reads(client, running.task_id) == {"GET /execution": 1, events: 1}  # the latest event
        assert await upstream_reads(client, asking.task_id) == {
            "GET /execution": 1,
            "POST /execution/queries": 1,  # the pending forms
            events: 1,  # the workflow's last message
        }
        for handle in (running, asking):
            await cancel_task(client.session, handle.task_id)


async def test_what_a_task_shows_is_redacted(make_server: MakeServer) -> None:
    leaky = {**EXPENSE, "employee": API_KEY}  # a workflow that echoes the operator's key in its message and result
    async with Client(make_server(), extensions=[Tasks()]) as client:
        handle = await start(client, "expense-approval", leaky)
        asking = await poll(client.session, handle.task_id, lambda t: t["status"] == "input_required")
        [(key, request)] = asking["inputRequests"].items()
        await update_task(
            client.session, handle.task_id, {key: {"action": "accept", "content": {"approved": "accept"}}}
        )
        done = await poll(client.session, handle.task_id, ended)
    for shown in (wire(handle), asking, done):
        text = json.dumps(shown)
        assert API_KEY not in text
    assert "[redacted] asks to be reimbursed" in request["params"]["message"]
    assert done["result"]["structuredContent"]["result"]["employee"] == "[redacted]"

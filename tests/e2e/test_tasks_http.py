"""MCP Tasks on the wire: raw 2026-07-28 JSON-RPC over HTTP against `serve --sandbox --transport http`.

No MCP client library: the requests are built by hand, as the spec writes them (per-request `_meta`
envelope, `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`), so the test sees the exact JSON.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx2
import pytest

from tests.e2e.harness import BEARER_TOKENS, HttpServer, HttpServers

VERSION = "2026-07-28"
TASKS = "io.modelcontextprotocol/tasks"
DECLARED = {"extensions": {TASKS: {}}}
EXPENSE = {"employee": "Ada", "amount": 120, "reason": "team lunch"}
_ids = itertools.count(1)


def rpc(
    server: HttpServer, method: str, params: dict[str, Any], capabilities: dict[str, Any], token: str | None = None
) -> httpx2.Response:
    body = {
        "jsonrpc": "2.0",
        "id": next(_ids),
        "method": method,
        "params": {
            **params,
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": VERSION,
                "io.modelcontextprotocol/clientCapabilities": capabilities,
                "io.modelcontextprotocol/clientInfo": {"name": "raw-tasks-probe", "version": "0"},
            },
        },
    }
    name = params.get("name") if method == "tools/call" else params.get("taskId")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": VERSION,
        "Mcp-Method": method,
        **({"Mcp-Name": name} if name else {}),
        **({"Authorization": f"Bearer {token}"} if token else {}),
    }
    return httpx2.post(server.url, content=json.dumps(body), headers=headers, timeout=30)


def message(response: httpx2.Response) -> dict[str, Any]:
    """The JSON-RPC message of a JSON or an SSE answer."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        data = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
        parsed: dict[str, Any] = json.loads(data[-1])
        return parsed
    parsed = response.json()
    return parsed


def result_of(response: httpx2.Response) -> dict[str, Any]:
    answer = message(response)
    assert "result" in answer, answer
    result: dict[str, Any] = answer["result"]
    return result


def poll(server: HttpServer, task_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        task = result_of(rpc(server, "tasks/get", {"taskId": task_id}, DECLARED))
        if task["status"] == status:
            return task
        assert time.monotonic() < deadline, f"task stayed {task['status']}: {task}"
        time.sleep(0.05)


def test_create_poll_answer_complete_over_raw_json_rpc(http_server: HttpServer) -> None:
    arguments = {"workflow": "expense-approval", "input": EXPENSE, "execution_id": "raw-task-expense-1"}
    created = rpc(http_server, "tools/call", {"name": "execute_workflow", "arguments": arguments}, DECLARED)
    assert created.status_code == 200
    handle = result_of(created)
    assert handle["resultType"] == "task"
    assert handle["status"] in ("working", "input_required")
    assert "ttlMs" in handle, "the key is required even when null"
    assert handle["ttlMs"] is None
    assert handle["pollIntervalMs"] == 2000, "the default poll interval"
    task_id = handle["taskId"]
    assert task_id.isascii(), "header-safe for Mcp-Name"
    assert task_id.isprintable()
    assert "/" not in task_id

    refused = rpc(http_server, "tasks/get", {"taskId": task_id}, {})
    assert refused.status_code == 400
    error = message(refused)["error"]
    assert error["code"] == -32021
    assert error["data"] == {"requiredCapabilities": {"extensions": {TASKS: {}}}}
    unknown = rpc(http_server, "tasks/get", {"taskId": "wf1.o.bm9wZQ.AAAAAAAAAAAAAAAAAAAAAA"}, DECLARED)
    assert unknown.status_code == 400
    assert message(unknown)["error"] == {"code": -32602, "message": "Failed to retrieve task: Task not found"}

    asking = poll(http_server, task_id, "input_required")
    assert asking["resultType"] == "complete"
    [(key, request)] = asking["inputRequests"].items()
    assert request["method"] == "elicitation/create"
    assert request["params"]["requestedSchema"]["properties"]["approved"]["type"] == "string"
    answer = {key: {"action": "accept", "content": {"approved": "accept", "comment": "enjoy"}}}
    ack = result_of(rpc(http_server, "tasks/update", {"taskId": task_id, "inputResponses": answer}, DECLARED))
    assert {k: v for k, v in ack.items() if k != "_meta"} == {"resultType": "complete"}

    done = poll(http_server, task_id, "completed")
    assert done["result"]["isError"] is False
    assert done["result"]["structuredContent"]["result"]["comment"] == "enjoy"
    inline = rpc(http_server, "tools/call", {"name": "execute_workflow", "arguments": arguments}, {})
    same = {key: value for key, value in result_of(inline).items() if key != "_meta"}
    assert done["result"] == same, "the task's result is the inline tools/call result for the same execution"


@pytest.mark.parametrize("method", ["tasks/get", "tasks/update", "tasks/cancel"])
def test_methods_need_their_parameters(http_server: HttpServer, method: str) -> None:
    answer = rpc(http_server, method, {}, DECLARED)
    assert answer.status_code == 400
    assert message(answer)["error"]["code"] == -32602


def test_a_task_belongs_to_the_caller_who_started_it(http_servers: HttpServers) -> None:
    server = http_servers.with_tokens.wait_ready()
    first, second = BEARER_TOKENS
    arguments = {"workflow": "expense-approval", "input": EXPENSE, "execution_id": "raw-task-owned-1"}
    handle = result_of(
        rpc(server, "tools/call", {"name": "execute_workflow", "arguments": arguments}, DECLARED, token=first)
    )
    task_id = handle["taskId"]
    assert result_of(rpc(server, "tasks/get", {"taskId": task_id}, DECLARED, token=first))["taskId"] == task_id
    for method, params in [
        ("tasks/get", {"taskId": task_id}),
        ("tasks/update", {"taskId": task_id, "inputResponses": {}}),
        ("tasks/cancel", {"taskId": task_id}),
    ]:
        refused = rpc(server, method, params, DECLARED, token=second)
        assert message(refused)["error"] == {"code": -32602, "message": "Failed to retrieve task: Task not found"}
    still = result_of(rpc(server, "tasks/get", {"taskId": task_id}, DECLARED, token=first))
    assert still["status"] in ("working", "input_required"), "the other caller's cancel did nothing"
    result_of(rpc(server, "tasks/cancel", {"taskId": task_id}, DECLARED, token=first))

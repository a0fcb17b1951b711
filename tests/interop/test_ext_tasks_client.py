"""The reference MCP Tasks requester (`@modelcontextprotocol/ext-tasks` 0.2.2, from npm) against
`serve --sandbox --transport http`: the strict client validates every shape we send (the `{}`
capability, handles, `resultType` inside a task's result, input requests, acks).

Slow tier: needs Node 20+ and `npm ci --prefix tools/node` (package-lock.json pins the client).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import HttpServer, server_env

pytestmark = pytest.mark.slow

NODE_TOOLS = Path(__file__).parents[2] / "tools" / "node"
SCRIPT = NODE_TOOLS / "tasks-client.mjs"


@pytest.fixture(scope="module")
def server() -> Iterator[HttpServer]:
    node = shutil.which("node")
    assert node is not None, "Node.js 20+ is needed for the ext-tasks interop test"
    assert (NODE_TOOLS / "node_modules" / "@modelcontextprotocol" / "ext-tasks").is_dir(), (
        "run `npm ci --prefix tools/node`"
    )
    started = HttpServer(["--sandbox"], server_env({"MCP_WORKFLOWS_TASK_POLL_S": "0.1"})).wait_ready()
    yield started
    started.stop()


def run(server: HttpServer, workflow: str, workflow_input: dict[str, Any], *flags: str) -> dict[str, Any]:
    arguments = json.dumps({"workflow": workflow, "input": workflow_input})
    done = subprocess.run(
        ["node", str(SCRIPT), server.url, "execute_workflow", arguments, *flags],
        cwd=NODE_TOOLS,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert "thrown" not in report, report
    assert "backgroundError" not in report, report
    assert report["kind"] == "task", report
    return report


def test_a_form_answered_through_tasks_update(server: HttpServer) -> None:
    report = run(
        server,
        "expense-approval",
        {"employee": "Ada", "amount": 120, "reason": "team lunch"},
        "--content",
        json.dumps({"approved": "accept", "comment": "enjoy"}),
    )
    assert "input_required" in report["statuses"]
    [asked] = report["inputs"]
    assert "120.00 EUR for team lunch" in asked["message"]
    assert report["outcome"] == "completed"
    result = report["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["result"]["approved"] is True
    assert result["structuredContent"]["result"]["comment"] == "enjoy"
    assert report["snapshot"] == "completed", "tasks/get by id alone, as after a client restart"


def test_a_declined_form_is_not_asked_again(server: HttpServer) -> None:
    report = run(
        server,
        "expense-approval",
        {"employee": "Bo", "amount": 5, "reason": "taxi", "timeout_seconds": 1},
        "--answer",
        "decline",
    )
    assert len(report["inputs"]) == 1, "asked once: a key answered is never asked again"
    assert report["outcome"] == "completed", "the workflow timed out waiting: a completed task with an error"
    assert report["result"]["isError"] is True
    assert report["result"]["structuredContent"]["status"] == "FAILED"


def test_a_failed_workflow_and_a_cancelled_one(server: HttpServer) -> None:
    failed = run(server, "always-fails", {"reason": "disk full"})
    assert failed["outcome"] == "completed"
    assert failed["result"]["isError"] is True
    assert "disk full" in failed["result"]["structuredContent"]["failure"]
    cancelled = run(server, "slow-report", {"seconds": 600}, "--cancel-after", "300")
    assert cancelled["outcome"] == "cancelled"
    assert "cancelError" not in cancelled
    assert cancelled["snapshot"] == "cancelled"

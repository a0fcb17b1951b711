"""A failed execution's message is found however many events it stored before failing."""

from __future__ import annotations

import httpx2
import pytest

from mcp_workflows.api.client import WorkflowsClient
from mcp_workflows.api.models.executions import Execution
from mcp_workflows.server.waiting import Waited, _finish

pytestmark = pytest.mark.anyio


def page(events: list[dict[str, object]], cursor: str | None) -> dict[str, object]:
    return {"events": events, "next_cursor": cursor}


def activity(n: int) -> dict[str, object]:
    return {"event_type": "ACTIVITY_TASK_COMPLETED", "event_id": str(n), "attributes": {}}


FAILED = {"event_type": "WORKFLOW_EXECUTION_FAILED", "attributes": {"failure": {"message": "the disk is full"}}}


async def test_the_failure_event_on_a_later_page_is_found() -> None:
    pages = {None: page([activity(n) for n in range(1000)], "p2"), "p2": page([activity(1000), FAILED], None)}
    seen: list[str | None] = []

    def reply(request: httpx2.Request) -> httpx2.Response:
        cursor = request.url.params.get("cursor")
        seen.append(cursor)
        return httpx2.Response(200, json=pages[cursor])

    async with WorkflowsClient(base_url="http://api.test", api_key="k", transport=httpx2.MockTransport(reply)) as api:
        execution = Execution(workflow_name="w", execution_id="e1", status="FAILED")
        finished = await _finish(api, Waited(execution=execution))
    assert finished.failure == "the disk is full"
    assert seen == [None, "p2"], "one page after another, to the end"

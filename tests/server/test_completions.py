"""Completions for workflow names, execution ids, deployment names and schedule ids: by prefix,
capped, out-of-scope workflows hidden, one listing call per short-lived cache entry."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, Completion, PromptReference, ResourceTemplateReference

from mcp_workflows.config import Settings
from tests.server.conftest import Mode, Sandbox, connected, started

pytestmark = pytest.mark.anyio

RUN = PromptReference(name="run_workflow")
EXECUTION = ResourceTemplateReference(uri="workflows://execution/{execution_id}")


async def complete(
    client: Client,
    ref: PromptReference | ResourceTemplateReference,
    name: str,
    value: str,
    context: dict[str, str] | None = None,
) -> Completion:
    return (await client.complete(ref, {"name": name, "value": value}, context)).completion


async def test_workflow_names_complete_by_prefix_in_prompts_and_templates(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        by_prompt = await complete(client, RUN, "workflow", "A")
        assert by_prompt == Completion(values=["always-fails", "approval"], total=2, has_more=False)
        template = ResourceTemplateReference(uri="workflows://workflow/{workflow}")
        assert (await complete(client, template, "workflow", "appr")).values == ["approval"]
        waiting = PromptReference(name="review_waiting_inputs")
        assert (await complete(client, waiting, "workflow", "zzz")).values == []


async def test_recent_execution_ids_complete_newest_first(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        older = await started(client, "greeting", {"name": "Ada"})
        newer = await started(client)
        assert (await complete(client, EXECUTION, "execution_id", "")).values == [newer, older]
        diagnose = PromptReference(name="diagnose_execution")
        assert (await complete(client, diagnose, "execution_id", older[:12])).values[-1] == older


async def test_values_are_capped_at_twenty(settings: Settings, sandbox: Sandbox) -> None:
    async with connected(settings, "auto") as client:
        async with anyio.create_task_group() as group:
            for _ in range(25):
                group.start_soon(sandbox.call, "POST", "/v1/workflows/approval/execute", {"input": {"request": "x"}})
        completion = await complete(client, EXECUTION, "execution_id", "")
        assert len(completion.values) == 20
        assert completion.total == 25
        assert completion.has_more is True


async def test_deployments_complete_narrowed_to_the_chosen_workflow(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        assert (await complete(client, RUN, "deployment", "")).values == ["sandbox-deployment", "managed-demo"]
        narrowed = await complete(client, RUN, "deployment", "", {"workflow": "greeting"})
        assert narrowed.values == ["sandbox-deployment"]


async def test_schedule_ids_complete(settings: Settings, mode: Mode) -> None:
    async with connected(settings.model_copy(update={"toolsets": "all"}), mode) as client:
        for schedule_id in ("morning-greeting", "evening-greeting"):
            created = await client.call_tool(
                "create_schedule",
                {"workflow": "greeting", "input": {"name": "Ada"}, "cron": ["0 9 * * *"], "schedule_id": schedule_id},
            )
            assert not created.is_error, created.content
        template = ResourceTemplateReference(uri="workflows://schedule/{schedule_id}")
        assert (await complete(client, template, "schedule_id", "MORN")).values == ["morning-greeting"]
        assert sorted((await complete(client, template, "schedule_id", "")).values) == [
            "evening-greeting",
            "morning-greeting",
        ]


async def test_workflows_out_of_scope_never_show(settings: Settings, mode: Mode, sandbox: Sandbox) -> None:
    denied = settings.model_copy(update={"deny_workflows": "greet*"})
    async with connected(denied, mode) as client:
        hidden = await sandbox.call("POST", "/v1/workflows/greeting/execute", {"input": {"name": "Ada"}})
        shown = await started(client)
        assert "greeting" not in (await complete(client, RUN, "workflow", "")).values
        assert (await complete(client, EXECUTION, "execution_id", "")).values == [shown]
        assert hidden["execution_id"] != shown


async def test_completing_as_the_user_types_lists_once(settings: Settings, mode: Mode, sandbox: Sandbox) -> None:
    async with connected(settings, mode) as client:
        for typed in ("", "a", "ap", "app"):
            await complete(client, RUN, "workflow", typed)
        assert (await sandbox.stats())["requests"]["GET /v1/workflows"] == 1


async def test_a_failing_listing_completes_nothing(settings: Settings, mode: Mode, sandbox: Sandbox) -> None:
    async with connected(settings.model_copy(update={"retry_total_s": 0}), mode) as client:
        await sandbox.call("POST", "/_sandbox/faults", [{"path_regex": "^/v1/workflows$", "kind": "status"}])
        assert await complete(client, RUN, "workflow", "") == Completion(values=[])


async def test_only_our_prompts_and_templates_complete(settings: Settings, mode: Mode) -> None:
    async with connected(settings, mode) as client:
        assert (await complete(client, RUN, "request", "gre")).values == [], "free text is not completed"
        for ref in (PromptReference(name="nope"), ResourceTemplateReference(uri="workflows://thing/{id}")):
            with pytest.raises(MCPError) as refused:
                await complete(client, ref, "workflow", "")
            assert refused.value.error.code == INVALID_PARAMS
            assert "shows them" in refused.value.error.message

"""archive_workflow never archives without a human's confirmation, in every client situation."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp_types import ElicitRequestParams, ElicitResult

from mcp_workflows.sandbox import running_sandbox
from tests.e2e.harness import Session, connect, server_env, text_of

pytestmark = pytest.mark.anyio


async def is_archived(session: Session, name: str) -> bool:
    return bool((await session.sandbox("GET", f"/v1/workflows/{name}"))["workflow"]["archived"])


def answering(action: str, content: dict[str, Any] | None = None) -> Any:
    seen: list[str] = []

    async def callback(_: Any, params: ElicitRequestParams) -> ElicitResult:
        seen.append(params.message)
        return ElicitResult(action=action, content=content)

    callback.seen = seen  # type: ignore[attr-defined]
    return callback


async def test_elicitation_accept_archives_and_shows_what_will_happen(open_session: Any) -> None:
    callback = answering("accept", {"confirm": True})
    async with open_session(elicitation_callback=callback) as session:
        await session.sandbox("POST", "/_sandbox/reset")
        workflow = (await session.sandbox("GET", "/v1/workflows/greeting"))["workflow"]
        result = await session.call("archive_workflow", {"workflow_identifier": "greeting"})
        assert not result.is_error, text_of(result)
        assert result.structured_content["outcome"] == "done"
        assert await is_archived(session, "greeting")
    assert len(callback.seen) == 1
    assert workflow["display_name"] in callback.seen[0]
    assert workflow["id"] in callback.seen[0]


@pytest.mark.parametrize(
    ("action", "content", "status"),
    [("decline", None, "declined"), ("cancel", None, "cancelled"), ("accept", {"confirm": False}, "declined")],
)
async def test_elicitation_refusals_change_nothing(
    open_session: Any, action: str, content: dict[str, Any] | None, status: str
) -> None:
    async with open_session(elicitation_callback=answering(action, content)) as session:
        await session.sandbox("POST", "/_sandbox/reset")
        result = await session.call("archive_workflow", {"workflow_identifier": "greeting"})
        assert not result.is_error, text_of(result)
        assert result.structured_content["outcome"] == status
        assert not await is_archived(session, "greeting")


async def test_client_without_elicitation_gets_preview_then_token_archives(session: Session) -> None:
    preview = await session.call("archive_workflow", {"workflow_identifier": "greeting"})
    assert not preview.is_error, text_of(preview)
    content = preview.structured_content
    assert content["outcome"] == "confirmation_required"
    assert content["confirmation_token"]
    assert "valid 300 s" in content["message"]
    assert "Greeting" in content["message"]
    assert not await is_archived(session, "greeting"), "the preview changes nothing"

    done = await session.call(
        "archive_workflow", {"workflow_identifier": "greeting", "confirmation_token": content["confirmation_token"]}
    )
    assert not done.is_error, text_of(done)
    assert done.structured_content["outcome"] == "done"
    assert await is_archived(session, "greeting")


async def test_token_reused_with_other_arguments_is_refused(session: Session) -> None:
    preview = await session.call("archive_workflow", {"workflow_identifier": "greeting"})
    token = preview.structured_content["confirmation_token"]
    refused = await session.call(
        "archive_workflow", {"workflow_identifier": "slow-report", "confirmation_token": token}
    )
    assert refused.is_error
    assert text_of(refused).startswith("Error: ")
    assert "different arguments" in text_of(refused)
    assert not await is_archived(session, "slow-report")
    assert not await is_archived(session, "greeting")


async def test_garbage_token_is_refused(session: Session) -> None:
    refused = await session.call("archive_workflow", {"workflow_identifier": "greeting", "confirmation_token": "x.y.z"})
    assert refused.is_error
    assert "malformed" in text_of(refused)
    assert not await is_archived(session, "greeting")


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_expired_token_is_refused(mode: str) -> None:
    async with connect("stdio", mode, env={"MCP_WORKFLOWS_CONFIRMATION_TTL_S": "1"}) as session:  # type: ignore[arg-type]
        preview = await session.call("archive_workflow", {"workflow_identifier": "greeting"})
        token = preview.structured_content["confirmation_token"]
        await anyio.sleep(2.1)
        refused = await session.call(
            "archive_workflow", {"workflow_identifier": "greeting", "confirmation_token": token}
        )
        assert refused.is_error
        assert "expired" in text_of(refused)
        assert not await is_archived(session, "greeting")


async def test_token_verifies_in_a_fresh_server_process() -> None:
    """Some clients start a new stdio server per call: the second call must still be confirmable."""
    async with running_sandbox() as sandbox_url:
        env = server_env({"MISTRAL_BASE_URL": sandbox_url, "MISTRAL_API_KEY": "sk-fresh-process-test"})
        async with connect("stdio", "legacy", env=env, args=[]) as first:
            preview = await first.call("archive_workflow", {"workflow_identifier": "greeting"})
            token = preview.structured_content["confirmation_token"]
        async with connect("stdio", "auto", env=env, args=[]) as second:
            done = await second.call(
                "archive_workflow", {"workflow_identifier": "greeting", "confirmation_token": token}
            )
            assert not done.is_error, text_of(done)
            assert await is_archived(second, "greeting")


async def test_policy_off_archives_at_once() -> None:
    async with connect("stdio", "auto", env={"MCP_WORKFLOWS_CONFIRM": "destructive=off"}) as session:
        result = await session.call("archive_workflow", {"workflow_identifier": "greeting"})
        assert result.structured_content["outcome"] == "done"
        assert await is_archived(session, "greeting")


async def test_policy_token_ignores_client_elicitation() -> None:
    callback = answering("accept", {"confirm": True})
    async with connect(
        "stdio", "legacy", env={"MCP_WORKFLOWS_CONFIRM": "destructive=token"}, elicitation_callback=callback
    ) as session:
        result = await session.call("archive_workflow", {"workflow_identifier": "greeting"})
        assert result.structured_content["outcome"] == "confirmation_required"
        assert not await is_archived(session, "greeting")
    assert callback.seen == []


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_client_that_never_answers_cannot_hang_the_call(mode: str) -> None:
    """A client may declare elicitation and never render it: the call still ends, nothing changes."""

    async def never(_: Any, __: ElicitRequestParams) -> ElicitResult:
        await anyio.sleep(3600)
        raise AssertionError("unreachable")

    env = {"MCP_WORKFLOWS_ELICITATION_TIMEOUT_S": "1"}
    async with connect("stdio", mode, env=env, elicitation_callback=never) as session:  # type: ignore[arg-type]
        with anyio.fail_after(20):
            if mode == "legacy":
                result = await session.call("archive_workflow", {"workflow_identifier": "greeting"})
                assert result.structured_content["outcome"] == "timed_out"
                assert "no answer" in result.structured_content["message"]
            else:
                # 2026-07-28: the server answers at once with an input request and holds nothing
                # open; a client that never retries simply leaves the call unanswered.
                with anyio.move_on_after(2):
                    await session.call("archive_workflow", {"workflow_identifier": "greeting"})
        assert not await is_archived(session, "greeting")

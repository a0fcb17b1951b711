"""archive_workflow never archives without a human's confirmation, in every client situation.

In-process in both protocol eras (a mid-call form in the handshake era, an input-required round trip
in 2026-07-28), plus real server processes where a fresh process is the point.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp_types import ElicitRequestParams, ElicitResult

from tests.e2e.harness import connect, server_env
from tests.e2e.inprocess import connect_in_process
from tests.e2e.polling import eventually
from tests.e2e.session import Mode, Session, call_until_asked, text_of

pytestmark = pytest.mark.anyio


async def is_archived(session: Session, name: str) -> bool:
    return bool((await session.sandbox("GET", f"/v1/workflows/{name}"))["workflow"]["archived"])


async def wall_clock() -> float:
    return time.time()


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
        workflow = (await session.sandbox("GET", "/v1/workflows/greeting"))["workflow"]
        result = await session.call("archive_workflow", {"workflow": "greeting"})
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
        result = await session.call("archive_workflow", {"workflow": "greeting"})
        assert not result.is_error, text_of(result)
        assert result.structured_content["outcome"] == status
        assert not await is_archived(session, "greeting")


async def test_client_without_elicitation_gets_preview_then_token_archives(session: Session) -> None:
    preview = await session.call("archive_workflow", {"workflow": "greeting"})
    assert not preview.is_error, text_of(preview)
    content = preview.structured_content
    assert content["outcome"] == "confirmation_required"
    assert content["confirmation_token"]
    assert "valid 300 s" in content["message"]
    assert "Greeting" in content["message"]
    assert not await is_archived(session, "greeting"), "the preview changes nothing"

    done = await session.call(
        "archive_workflow", {"workflow": "greeting", "confirmation_token": content["confirmation_token"]}
    )
    assert not done.is_error, text_of(done)
    assert done.structured_content["outcome"] == "done"
    assert await is_archived(session, "greeting")


async def test_an_elicit_policy_tells_a_client_without_forms_what_to_do(sandbox_url: str) -> None:
    """The operator demands a form and this client cannot show one (in either era, the same answer):
    an error that says how to get on."""
    async with connect_in_process(sandbox_url, "auto", {"confirm": "destructive=elicit"}) as session:
        refused = await session.call("archive_workflow", {"workflow": "greeting"})
        assert refused.is_error
        assert text_of(refused) == (
            "Error: archive_workflow needs the user's confirmation through an elicitation form (the operator's "
            "policy), and this client declared no elicitation support. Nothing was changed. Use a client that "
            "supports elicitation, or ask the operator to allow token confirmation (MCP_WORKFLOWS_CONFIRM=...=token)."
        )
        assert not await is_archived(session, "greeting")


async def test_token_reused_with_other_arguments_is_refused(session: Session) -> None:
    preview = await session.call("archive_workflow", {"workflow": "greeting"})
    token = preview.structured_content["confirmation_token"]
    refused = await session.call("archive_workflow", {"workflow": "slow-report", "confirmation_token": token})
    assert refused.is_error
    assert text_of(refused).startswith("Error: ")
    assert "different arguments" in text_of(refused)
    assert not await is_archived(session, "slow-report")
    assert not await is_archived(session, "greeting")


async def test_garbage_token_is_refused(session: Session) -> None:
    refused = await session.call("archive_workflow", {"workflow": "greeting", "confirmation_token": "x.y.z"})
    assert refused.is_error
    assert "malformed" in text_of(refused)
    assert not await is_archived(session, "greeting")


async def test_a_token_that_is_not_a_short_string_is_refused_by_validation(sandbox_url: str) -> None:
    """The token parameter keeps its declared type through the guarded wrapper: a wrong one is bad input."""
    async with connect_in_process(sandbox_url, "auto") as session:
        for token, problem in [
            (12345, "Input should be a valid string"),
            ("c2." + "9" * 200, "String should have at most 200 characters"),
        ]:
            refused = await session.call("archive_workflow", {"workflow": "greeting", "confirmation_token": token})
            assert refused.is_error
            assert text_of(refused) == (
                f"Error: invalid arguments for archive_workflow: `confirmation_token`: {problem}. "
                "Fix them and call again."
            )
        assert not await is_archived(session, "greeting")


async def test_expired_token_is_refused(open_session: Any) -> None:
    ttl_s = 1
    async with open_session({"confirmation_ttl_s": ttl_s}) as session:
        preview = await session.call("archive_workflow", {"workflow": "greeting"})
        token = preview.structured_content["confirmation_token"]
        # Issued at or before now, in whole seconds: past this instant the token has expired.
        expired_after = int(time.time()) + ttl_s
        await eventually(wall_clock, lambda now: now > expired_after, what="the token's expiry")
        refused = await session.call("archive_workflow", {"workflow": "greeting", "confirmation_token": token})
        assert refused.is_error
        assert "expired" in text_of(refused)
        assert not await is_archived(session, "greeting")


async def test_token_verifies_in_a_fresh_server_process(sandbox_url: str) -> None:
    """Some clients start a new server per call: a token from one process confirms in another,
    which never saw it (here: a real stdio process issues it, a fresh in-process server takes it)."""
    key = "sk-fresh-process-test"
    env = server_env({"MISTRAL_BASE_URL": sandbox_url, "MISTRAL_API_KEY": key})
    async with connect("stdio", "legacy", env=env, args=[]) as first:
        preview = await first.call("archive_workflow", {"workflow": "greeting"})
        token = preview.structured_content["confirmation_token"]
        assert not await is_archived(first, "greeting")
    async with connect_in_process(sandbox_url, "auto", {"api_key": key}) as second:
        done = await second.call("archive_workflow", {"workflow": "greeting", "confirmation_token": token})
        assert not done.is_error, text_of(done)
        assert await is_archived(second, "greeting")


async def test_policy_off_archives_at_once(open_session: Any) -> None:
    async with open_session({"confirm": "destructive=off"}) as session:
        result = await session.call("archive_workflow", {"workflow": "greeting"})
        assert result.structured_content["outcome"] == "done"
        assert await is_archived(session, "greeting")


async def test_policy_token_ignores_client_elicitation(open_session: Any) -> None:
    callback = answering("accept", {"confirm": True})
    async with open_session({"confirm": "destructive=token"}, elicitation_callback=callback) as session:
        result = await session.call("archive_workflow", {"workflow": "greeting"})
        assert result.structured_content["outcome"] == "confirmation_required"
        assert not await is_archived(session, "greeting")
    assert callback.seen == []


async def test_client_that_never_answers_cannot_hang_the_call(open_session: Any, era: Mode) -> None:
    """A client may declare elicitation and never render it: the call still ends, nothing changes."""
    asked = anyio.Event()

    async def never(_: Any, __: ElicitRequestParams) -> ElicitResult:
        asked.set()
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async with open_session({"elicitation_timeout_s": 0.2}, elicitation_callback=never) as session:
        if era == "legacy":
            result = await session.call("archive_workflow", {"workflow": "greeting"})
            assert asked.is_set(), "the form was shown mid-call"
            assert result.structured_content["outcome"] == "timed_out"
            assert "no answer" in result.structured_content["message"]
        else:
            # 2026-07-28: the server ends the call at once with an input request and holds nothing
            # open; the client is asked, never answers, and never retries. Once it is asked, the
            # server's part is over: the test stops waiting for the client.
            await call_until_asked(session, asked, "archive_workflow", {"workflow": "greeting"})
        assert not await is_archived(session, "greeting")


async def unarchive(session: Session, name: str) -> None:
    await session.sandbox("PUT", f"/v1/workflows/{name}/unarchive")
    assert not await is_archived(session, name)


async def test_a_spent_token_is_refused_even_by_a_fresh_server(sandbox_url: str, tmp_path: Path) -> None:
    """A confirmation authorises one action: replaying the token after the workflow was restored
    changes nothing, in the server that took it or in a new one on the same machine (same state
    directory, same secret)."""
    replayed = {"workflow": "greeting"}
    machine = {"state_dir": str(tmp_path)}
    async with connect_in_process(sandbox_url, "legacy", machine) as first:
        preview = await first.call("archive_workflow", replayed)
        replayed["confirmation_token"] = preview.structured_content["confirmation_token"]
        done = await first.call("archive_workflow", replayed)
        assert done.structured_content["outcome"] == "done", text_of(done)
        await unarchive(first, "greeting")
        again = await first.call("archive_workflow", replayed)
        assert again.is_error
        assert "already used" in text_of(again)
        assert not await is_archived(first, "greeting")
    async with connect_in_process(sandbox_url, "auto", machine) as second:
        again = await second.call("archive_workflow", replayed)
        assert again.is_error
        assert "already used" in text_of(again)
        assert not await is_archived(second, "greeting")

"""A 2026-07-28 confirmation form answer authorises one action: its replay is refused (the rounds
driven by hand, as a client replaying an answer would)."""

from __future__ import annotations

from typing import Any

import pytest
from mcp_types import CallToolRequest, CallToolRequestParams, ElicitResult, Result
from pydantic import ConfigDict

from tests.e2e.inprocess import connect_in_process
from tests.e2e.session import Session

pytestmark = pytest.mark.anyio

SETTINGS = {"confirm": "destructive=elicit"}
ARCHIVE = {"workflow": "greeting"}


class Wire(Result):
    model_config = ConfigDict(extra="allow")


async def never_called(*_: Any) -> ElicitResult:
    raise AssertionError("the rounds are driven by hand")


async def send(session: Session, **params: Any) -> dict[str, Any]:
    """One raw tools/call round: what the server answered, on the wire."""
    request = CallToolRequest(params=CallToolRequestParams(name="archive_workflow", arguments=ARCHIVE, **params))
    reply = await session.client.session.send_request(request, Wire)
    return reply.model_dump(by_alias=True, mode="json", exclude_none=True)


async def asked(session: Session) -> dict[str, Any]:
    first = await send(session)
    assert first["resultType"] == "input_required", first
    return first


def accepted(question: dict[str, Any]) -> dict[str, Any]:
    (key,) = question["inputRequests"]
    return {key: {"action": "accept", "content": {"confirm": True}}}


async def answer(session: Session, question: dict[str, Any]) -> dict[str, Any]:
    return await send(session, input_responses=accepted(question), request_state=question["requestState"])


async def archived(session: Session) -> bool:
    return bool((await session.sandbox("GET", "/v1/workflows/greeting"))["workflow"]["archived"])


async def test_a_replayed_form_answer_is_refused(sandbox_url: str) -> None:
    async with connect_in_process(sandbox_url, "auto", SETTINGS, elicitation_callback=never_called) as session:
        question = await asked(session)
        done = await answer(session, question)
        assert done.get("isError") is not True, done
        assert done["structuredContent"]["outcome"] == "done"
        assert await archived(session)
        await session.sandbox("PUT", "/v1/workflows/greeting/unarchive")  # a replay would have work to do
        replayed = await answer(session, question)
        assert replayed["isError"] is True
        assert "already used" in replayed["content"][0]["text"]
        assert not await archived(session), "the replayed answer changed nothing"


def question_text(question: dict[str, Any]) -> str:
    (request,) = question["inputRequests"].values()
    return str(request["params"]["message"])


async def test_a_new_question_about_the_same_action_can_be_answered(sandbox_url: str) -> None:
    """Each question names its own reference, so its answer is spent on its own: confirming the same
    action a second time (archived, restored, archived again) is not mistaken for a replay."""
    async with connect_in_process(sandbox_url, "auto", SETTINGS, elicitation_callback=never_called) as session:
        first = await asked(session)
        assert (await answer(session, first))["structuredContent"]["outcome"] == "done"
        await session.sandbox("PUT", "/v1/workflows/greeting/unarchive")
        second = await asked(session)
        assert question_text(second) != question_text(first), "a new question, not the one already answered"
        done = await answer(session, second)
        assert done.get("isError") is not True, done
        assert done["structuredContent"]["outcome"] == "done"
        assert await archived(session)

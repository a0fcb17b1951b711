"""Bad input and upstream failures become `Error:` results a model can act on."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.session import Session, text_of

pytestmark = pytest.mark.anyio


def error_text(result: Any) -> str:
    assert result.is_error
    text = text_of(result)
    assert text.startswith("Error: "), text
    assert "Traceback" not in text
    return text


async def test_unknown_workflow_names_the_id_and_the_listing_tool(session: Session) -> None:
    text = error_text(await session.call("get_workflow", {"workflow": "no-such-flow"}))
    assert "no-such-flow" in text
    assert "list_workflows" in text


async def test_unknown_registration_points_to_listing(open_session: Any) -> None:
    async with open_session(settings={"toolsets": "default,registrations"}) as session:
        text = error_text(
            await session.call("get_workflow_registration", {"registration_id": "00000000-0000-4000-8000-000000000000"})
        )
        malformed = error_text(await session.call("get_workflow_registration", {"registration_id": "not-a-uuid"}))
    assert "list_workflow_registrations" in text
    assert "registration_id" in malformed


async def test_a_tool_of_a_toolset_that_is_off_says_how_to_turn_it_on(session: Session) -> None:
    text = error_text(await session.call("list_events", {}))
    assert "enable_toolsets(['events'])" in text
    unknown = error_text(await session.call("no_such_tool" * 20, {}))
    assert "there is no tool" in unknown
    assert len(unknown) < 200, "a made-up name is not echoed at length"


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("list_workflows", {"limit": 1000}, "limit"),
        ("list_workflows", {"limit": "many"}, "limit"),
        ("get_workflow", {}, "workflow"),
        ("get_workflow", {"workflow": "x" * 5000}, "workflow"),
        ("execute_workflow", {"workflow": "greeting", "execution_id": "bad id/../x"}, "execution_id"),
        ("execute_workflow", {"workflow": "greeting", "input": "not an object"}, "input"),
        ("update_workflow", {"workflow": "greeting"}, "nothing to update"),
    ],
)
async def test_bad_arguments_fail_before_any_request(
    session: Session, tool: str, arguments: dict[str, Any], field: str
) -> None:
    before = await session.sandbox("GET", "/_sandbox/stats")
    text = error_text(await session.call(tool, arguments))
    assert field in text
    assert len(text) < 1500, "errors stay short even for oversize input"
    after = await session.sandbox("GET", "/_sandbox/stats")
    assert after == before, "no upstream request was sent"


async def test_invalid_workflow_input_is_reported_before_starting(session: Session) -> None:
    arguments = {"workflow": "greeting", "input": {"name": 7, "colour": "red"}}
    text = error_text(await session.call("execute_workflow", arguments))
    assert "`input.name`" in text, "every bad field is named"
    assert "colour" in text
    assert "get_workflow" in text, "the model is told where the schema is"
    runs = await session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": "greeting"})
    assert runs["executions"] == [], "nothing was started"

"""Scopes by risk class: a token sees and runs only the tools its scopes allow, and the audit line
names its subject. In-process: the SDK's auth context is set as its middleware sets it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from mcp import Client
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from tests.e2e.session import text_of

from mcp_workflows.api.operations import Risk
from mcp_workflows.config import Settings
from mcp_workflows.sandboxed import build_sandboxed_server
from mcp_workflows.server.guard.audit import AUDIT_LOGGER
from mcp_workflows.server.guard.caller import ALL_SCOPES, RISK_SCOPES, caller_subject, may_use, scope_refusal
from mcp_workflows.server.guard.selection import select_tools

pytestmark = pytest.mark.anyio


@pytest.fixture
def caller(request: pytest.FixtureRequest) -> Iterator[AccessToken]:
    """The access token of the current caller, with the scopes the test is parametrized with."""
    token = AccessToken(token="t", client_id="agent", scopes=list(request.param), subject="alice")
    reset = auth_context_var.set(AuthenticatedUser(token))
    yield token
    auth_context_var.reset(reset)


def test_every_risk_class_has_one_scope() -> None:
    assert set(RISK_SCOPES) == {risk.value for risk in Risk}
    assert len(set(ALL_SCOPES)) == len(Risk)
    assert all(scope.startswith("workflows:") for scope in ALL_SCOPES)


def test_without_a_token_nothing_is_restricted() -> None:
    assert caller_subject() is None
    assert all(may_use(risk) for risk in Risk)
    assert scope_refusal("execute_workflow", Risk.EXECUTE) is None


@pytest.mark.parametrize("caller", [["workflows:read"]], indirect=True)
def test_a_read_token_may_read_only(caller: AccessToken) -> None:
    assert caller_subject() == "alice"
    assert may_use(Risk.READ)
    assert not may_use(Risk.EXECUTE)
    refusal = scope_refusal("execute_workflow", Risk.EXECUTE)
    assert refusal is not None
    assert "execute_workflow" in refusal
    assert "workflows:execute" in refusal
    assert "it has workflows:read" in refusal


@pytest.mark.parametrize(
    ("caller", "held"),
    [
        (["openid", "workflows:write", "workflows:read"], "workflows:read, workflows:write"),
        (["openid"], "none of the workflows scopes"),
    ],
    indirect=["caller"],
)
def test_a_refusal_names_the_workflows_scopes_the_token_holds(caller: AccessToken, held: str) -> None:
    """In catalog order, other scopes left out: what the user compares with what they asked for."""
    assert scope_refusal("archive_workflow", Risk.DESTRUCTIVE) == (
        "archive_workflow refused: it is a destructive tool and needs the OAuth scope workflows:destructive, which "
        f"this access token lacks (it has {held}). Sign in again asking for workflows:destructive, or ask the "
        "operator to grant it."
    )


@pytest.mark.parametrize("caller", [["workflows:read"]], indirect=True)
async def test_a_read_token_lists_read_tools_and_cannot_run_others(caller: AccessToken) -> None:
    settings = Settings(sandbox=True, toolsets="all")
    specs = {spec.name: spec for spec in select_tools(settings)}
    async with Client(build_sandboxed_server(settings)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert names == {name for name, spec in specs.items() if spec.risk is Risk.READ}
        result = await client.call_tool("list_workflows", {})
        assert not result.is_error, text_of(result)
        refused = await client.call_tool("execute_workflow", {"workflow": "greeting", "input": {}})
        assert refused.is_error
        assert "workflows:execute" in text_of(refused)


@pytest.mark.parametrize("caller", [["workflows:read", "workflows:write"]], indirect=True)
async def test_audit_lines_name_the_caller(caller: AccessToken, caplog: pytest.LogCaptureFixture) -> None:
    async with Client(build_sandboxed_server(Settings(sandbox=True))) as client:
        with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
            result = await client.call_tool("update_workflow", {"workflow": "greeting", "tags": ["x"]})
            refused = await client.call_tool("archive_workflow", {"workflow": "greeting"})
    assert not result.is_error, text_of(result)
    assert refused.is_error
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == AUDIT_LOGGER]
    assert [(line["tool"], line["outcome"], line["subject"]) for line in lines] == [
        ("update_workflow", "done", "alice"),
        ("archive_workflow", "refused", "alice"),
    ]
    assert "workflows:destructive" in lines[1]["detail"]

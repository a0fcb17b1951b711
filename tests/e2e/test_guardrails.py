"""Guardrails an operator can trust (issue 4), in-process in both protocol eras.

Every destructive tool runs under every confirmation policy against clients that accept,
decline, cancel, cannot elicit, or claim elicitation and never answer; the sandbox is read back
after each call to prove what changed and what did not. Then read-only mode, allow/deny rules on
each kind of target, caps, and the audit trail.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from mcp_types import CallToolResult, ElicitRequestParams, ElicitResult

from mcp_workflows.server.guard.audit import AUDIT_LOGGER
from tests.e2e.inprocess import connect_in_process
from tests.e2e.polling import eventually
from tests.e2e.session import ERAS, Mode, Session, call_until_asked, text_of

pytestmark = pytest.mark.anyio

GREETING_ID = "625ab077-a575-5b2a-953f-053ade4e3b88"
COUNTER_ID = "10173c1a-e539-5c61-b2b6-88452f43f6d7"
ALL = {"toolsets": "all"}
INPUTS: dict[str, dict[str, Any]] = {"greeting": {"name": "x"}, "approval": {"request": "x"}, "counter": {}}


@dataclass
class Case:
    """A destructive tool: how to set up a target, the call, and how to see that it acted."""

    tool: str
    prepare: Callable[[Session], Awaitable[dict[str, Any]]]
    acted: Callable[[Session, dict[str, Any]], Awaitable[bool]]


async def workflow_archived(session: Session, name: str) -> bool:
    return bool((await session.sandbox("GET", f"/v1/workflows/{name}"))["workflow"]["archived"])


async def start(session: Session, workflow: str, workflow_input: dict[str, Any]) -> str:
    started = await session.sandbox("POST", f"/v1/workflows/{workflow}/execute", json={"input": workflow_input})
    return str(started["execution_id"])


async def prepare_cancel(session: Session) -> dict[str, Any]:
    return {"execution_ids": [await start(session, "slow-report", {"seconds": 600})]}


async def cancel_acted(session: Session, args: dict[str, Any]) -> bool:
    record = await session.sandbox("GET", f"/v1/workflows/executions/{args['execution_ids'][0]}")
    return record["status"] != "RUNNING"


async def prepare_reset(session: Session) -> dict[str, Any]:
    execution_id = await start(session, "counter", {"start": 1})

    async def trace() -> list[dict[str, Any]]:
        path = f"/v1/workflows/executions/{execution_id}/trace/events"
        events: list[dict[str, Any]] = (await session.sandbox("GET", path, params={"include_internal_events": "true"}))[
            "events"
        ]
        return events

    events = await eventually(
        trace, lambda es: any(e["name"] == "WORKFLOW_TASK_COMPLETED" for e in es), what="a reset point"
    )
    event_id = next(int(e["id"]) for e in events if e["name"] == "WORKFLOW_TASK_COMPLETED")
    run_id = (await session.sandbox("GET", f"/v1/workflows/executions/{execution_id}"))["run_id"]
    return {"execution_id": execution_id, "event_id": event_id, "_run_id": run_id}


async def reset_acted(session: Session, args: dict[str, Any]) -> bool:
    return bool(
        (await session.sandbox("GET", f"/v1/workflows/executions/{args['execution_id']}"))["run_id"] != args["_run_id"]
    )


async def prepare_schedule(session: Session) -> dict[str, Any]:
    body = {"workflow_identifier": "greeting", "schedule": {"input": {"name": "x"}, "intervals": [{"every": "PT1H"}]}}
    return {"schedule_id": (await session.sandbox("POST", "/v1/workflows/schedules", json=body))["schedule_id"]}


async def schedule_deleted(session: Session, args: dict[str, Any]) -> bool:
    listed = await session.sandbox("GET", "/v1/workflows/schedules", params={"page_size": 100})
    return args["schedule_id"] not in {s["schedule_id"] for s in listed["schedules"]}


async def deployment_stopped(session: Session, args: dict[str, Any]) -> bool:
    detail = await session.sandbox("GET", "/v1/workflows/deployments/managed-demo")
    return bool((detail.get("managed") or {}).get("stopped"))


async def fixed(args: dict[str, Any]) -> dict[str, Any]:
    return args


CASES = [
    Case(
        "archive_workflow",
        lambda s: fixed({"workflow": "greeting"}),
        lambda s, a: workflow_archived(s, "greeting"),
    ),
    Case(
        "bulk_archive_workflows",
        lambda s: fixed({"workflows": [GREETING_ID, COUNTER_ID]}),
        lambda s, a: workflow_archived(s, "counter"),
    ),
    Case("cancel_execution", prepare_cancel, cancel_acted),
    Case("reset_execution", prepare_reset, reset_acted),
    Case("delete_schedule", prepare_schedule, schedule_deleted),
    Case("manage_deployment", lambda s: fixed({"deployment": "managed-demo", "action": "stop"}), deployment_stopped),
]

POLICIES = ["elicit", "token", "auto", "off"]
BEHAVIOURS = ["accept", "decline", "cancel", "no-elicitation", "never-answers"]


class FormClient:
    """A client's answer to confirmation forms; `asked` is set each time a form reaches it."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.asked = anyio.Event()

    async def answer(self, _: Any, __: ElicitRequestParams) -> ElicitResult:
        self.asked.set()
        if self.behaviour == "never-answers":
            await anyio.sleep_forever()
        if self.behaviour == "accept":
            return ElicitResult(action="accept", content={"confirm": True})
        return ElicitResult(action=self.behaviour)

    def client_kwargs(self) -> dict[str, Any]:
        """A client without elicitation declares no form capability at all."""
        return {} if self.behaviour == "no-elicitation" else {"elicitation_callback": self.answer}


REFUSED = {"decline": "declined", "cancel": "cancelled", "never-answers": "timed_out"}


def expected(policy: str, behaviour: str, case: Case) -> str:
    """What must happen: `acted`, `preview` (token issued, nothing done), `refused` (nothing done)."""
    can_elicit = behaviour != "no-elicitation"
    mode = policy
    if mode == "off" and case.tool == "bulk_archive_workflows":
        mode = "auto"  # bulk calls always preview their blast radius
    if mode == "auto":
        mode = "elicit" if can_elicit else "token"
    if mode == "off":
        return "acted"
    if mode == "token":
        return "preview"
    if not can_elicit:
        return "error"
    return "acted" if behaviour == "accept" else "refused"


async def writes_seen(session: Session) -> Counter[str]:
    """Requests other than reads that reached the sandbox so far."""
    stats = await session.sandbox("GET", "/_sandbox/stats")
    return Counter({k: v for k, v in stats["requests"].items() if not k.startswith("GET ")})


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("era", ERAS)
async def test_every_destructive_tool_under_every_policy(
    sandbox_url: str, era: Mode, policy: str, behaviour: str
) -> None:
    settings: dict[str, Any] = {**ALL, "confirm": f"destructive={policy}"}
    if behaviour == "never-answers":
        settings["elicitation_timeout_s"] = 0.2  # the handshake-era form is given up after this
    form = FormClient(behaviour)
    async with connect_in_process(sandbox_url, era, settings, **form.client_kwargs()) as session:
        for case in CASES:
            args = await case.prepare(session)
            call_args = {k: v for k, v in args.items() if not k.startswith("_")}
            want = expected(policy, behaviour, case)
            label = f"{case.tool} policy={policy} client={behaviour} era={era}"
            writes_before = await writes_seen(session)
            result: CallToolResult | None = None
            if (era, behaviour, want) == ("auto", "never-answers", "refused"):
                form.asked = anyio.Event()
                await call_until_asked(session, form.asked, case.tool, call_args)
            else:
                result = await session.call(case.tool, call_args)
            # The call is over (its result is in, or the 2026-07-28 client was asked): whatever it
            # was going to send upstream has been sent.
            if want == "acted":
                assert result is not None, label
                assert not result.is_error, f"{label}: {text_of(result)}"
                assert result.structured_content["outcome"] == "done", label
                await eventually(functools.partial(case.acted, session, args), what=label)
                continue
            assert await writes_seen(session) == writes_before, f"{label}: nothing may be sent upstream"
            assert not await case.acted(session, args), f"{label}: nothing may change"
            if result is None:
                continue
            if want == "error":
                assert result.is_error, label
                assert "elicitation" in text_of(result), label
            elif want == "preview":
                assert result.structured_content["outcome"] == "confirmation_required", label
                token = result.structured_content["confirmation_token"]
                done = await session.call(case.tool, {**call_args, "confirmation_token": token})
                assert done.structured_content["outcome"] == "done", f"{label}: {text_of(done)}"
                await eventually(functools.partial(case.acted, session, args), what=label)
            else:
                assert result.structured_content["outcome"] == REFUSED[behaviour], label


async def test_read_only_registers_no_tool_that_writes(sandbox_url: str) -> None:
    async with connect_in_process(sandbox_url, "auto", {**ALL, "read_only": True}) as session:
        names = {tool.name for tool in (await session.client.list_tools()).tools}
        assert {"list_workflows", "get_execution", "list_executions", "list_schedules", "list_deployments"} <= names
        assert (
            not {
                "archive_workflow",
                "execute_workflow",
                "update_workflow",
                "cancel_execution",
                "signal_execution",
                "create_schedule",
                "manage_deployment",
            }
            & names
        )
        for tool in (await session.client.list_tools()).tools:
            assert tool.annotations is not None
            assert tool.annotations.read_only_hint is True, tool.name
        refused = await session.call("archive_workflow", {"workflow": "greeting"})
        assert refused.is_error
        assert not await workflow_archived(session, "greeting")


LISTINGS = [
    ("list_workflows", "workflows", "name"),
    ("list_workflow_registrations", "registrations", "workflow_name"),
    ("list_executions", "executions", "workflow_name"),
    ("list_schedules", "schedules", "workflow_name"),
]


@pytest.mark.parametrize(
    ("rules", "allowed", "refused"),
    [
        ({"deny_workflows": "approval,count*"}, "greeting", "counter"),
        ({"allow_workflows": "greet*"}, "greeting", "approval"),
        ({"allow_workflows": "*", "deny_workflows": "approval"}, "counter", "approval"),
    ],
)
async def test_allow_and_deny_apply_to_every_kind_of_target(
    sandbox_url: str, rules: dict[str, str], allowed: str, refused: str
) -> None:
    async with connect_in_process(sandbox_url, "auto", {**ALL, **rules}) as session:
        ids = {}
        for name in (allowed, refused):
            registrations = await session.sandbox(
                "GET", "/v1/workflows/registrations", params={"workflow_search": name, "with_workflow": "true"}
            )
            registration = next(r for r in registrations["workflow_registrations"] if r["workflow"]["name"] == name)
            execution_id = await start(session, name, INPUTS[name])
            schedule = await session.sandbox(
                "POST",
                "/v1/workflows/schedules",
                json={
                    "workflow_identifier": name,
                    "schedule": {"input": INPUTS[name], "intervals": [{"every": "PT1H"}]},
                },
            )
            runs = await session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": name})
            ids[name] = {
                "get_workflow": {"workflow": registration["workflow_id"]},
                "get_workflow_registration": {"registration_id": registration["id"]},
                "get_execution": {"execution_id": execution_id},
                "get_run": {"run_id": runs["executions"][0]["run_id"]},
                "get_schedule": {"schedule_id": schedule["schedule_id"]},
            }
        for tool, args in ids[allowed].items():
            result = await session.call(tool, args)
            assert not result.is_error, f"{tool}: {text_of(result)}"
        for tool, args in ids[refused].items():
            result = await session.call(tool, args)
            assert result.is_error, tool
            text = text_of(result)
            assert refused in text, f"{tool} names the workflow: {text}"
            assert "_workflows='" in text, f"{tool} names the rule: {text}"
        listing = await session.call("execute_workflow", {"workflow": refused, "input": INPUTS[refused]})
        assert listing.is_error
        runs = await session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": refused})
        assert len(runs["executions"]) == 1, "the refused execute started nothing"

        # Listings show only what the agent may touch, though upstream has both.
        for tool, rows, name_field in LISTINGS:
            page = await session.call(tool, {"limit": 100})
            assert not page.is_error, text_of(page)
            assert page.structured_content is not None
            names = {row[name_field] for row in page.structured_content[rows]}
            assert allowed in names, f"{tool} lists {allowed}"
            assert refused not in names, f"{tool} hides {refused}"


async def test_caps_on_executions_and_destructive_calls(sandbox_url: str) -> None:
    caps = {"max_executions": 2, "max_destructive": 1, "confirm": "destructive=off"}
    async with connect_in_process(sandbox_url, "legacy", {**ALL, **caps}) as session:
        for name in ("a", "b"):
            ok = await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": name}})
            assert not ok.is_error, text_of(ok)
        capped = await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "c"}})
        assert capped.is_error
        assert "cap of 2 executions started" in text_of(capped)
        runs = await session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": "greeting"})
        assert len(runs["executions"]) == 2
        first = await session.call("archive_workflow", {"workflow": "greeting"})
        assert first.structured_content["outcome"] == "done"
        second = await session.call("archive_workflow", {"workflow": "counter"})
        assert second.is_error
        assert "cap of 1 destructive calls" in text_of(second)
        assert not await workflow_archived(session, "counter")


FAKE_KEY = "sk-AUDIT-9d8c7b6a5f4e3d2c1b0a"


@pytest.mark.parametrize("payloads", [False, True])
async def test_audit_lines_record_mutations_without_secrets(
    sandbox_url: str, payloads: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """The audit records; that they reach a real process's stderr is checked in test_secrets.py."""
    settings = {"api_key": FAKE_KEY, "toolsets": "all", "audit_payloads": payloads}
    with caplog.at_level(logging.INFO, logger=AUDIT_LOGGER):
        async with connect_in_process(sandbox_url, "legacy", settings) as session:
            await session.call("list_workflows")
            await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "Secret Sam"}})
            await session.call("archive_workflow", {"workflow": "greeting"})
            await session.call("update_workflow", {"workflow": "nope-missing", "display_name": "x"})
            outputs = [r.model_dump_json() for r in session.calls]
    lines = [r.getMessage() for r in caplog.records if r.name == AUDIT_LOGGER]
    audit = [json.loads(line) for line in lines]
    assert [(a["tool"], a["outcome"]) for a in audit] == [
        ("execute_workflow", "done"),
        ("archive_workflow", "confirmation_required"),
        ("update_workflow", "error"),
    ], "one line per write, destructive or execute call; none for reads"
    execute = audit[0]
    assert execute["risk"] == "execute"
    assert execute["targets"] == {"workflow": "greeting"}
    assert execute["confirmation"] == "policy_off"
    assert execute["time"].endswith("Z")
    assert ("Secret Sam" in json.dumps(execute)) is payloads, "inputs only with --audit-payloads"
    assert FAKE_KEY not in caplog.text
    assert all(FAKE_KEY not in output for output in outputs)


async def test_every_id_of_a_multi_id_call_is_checked_against_the_rules(sandbox_url: str) -> None:
    """A denied workflow hidden behind an allowed one refuses the whole call, and nothing is done."""
    async with connect_in_process(sandbox_url, "auto", {**ALL, "deny_workflows": "count*"}) as session:
        unknown = "00000000-0000-4000-8000-000000000000"  # skipped by the rules: the tool reports it
        bulk = await session.call("bulk_archive_workflows", {"workflows": [unknown, GREETING_ID, COUNTER_ID]})
        assert bulk.is_error
        assert "'counter'" in text_of(bulk)
        allowed, denied = await start(session, "greeting", {"name": "x"}), await start(session, "counter", {})
        cancel = await session.call("cancel_execution", {"execution_ids": [allowed, denied]})
        assert cancel.is_error
        assert "'counter'" in text_of(cancel)
        assert not await workflow_archived(session, "greeting")
        assert not await workflow_archived(session, "counter")
        for execution_id in (allowed, denied):
            record = await session.sandbox("GET", f"/v1/workflows/executions/{execution_id}")
            assert record["status"] not in ("CANCELED", "TERMINATED"), record["status"]


async def test_only_calls_that_acted_count_against_the_caps(sandbox_url: str) -> None:
    """Previews, refusals and failures do not use up the operator's cap; the calls that acted do."""
    rules = {"max_destructive": 1, "max_executions": 1, "confirm": "destructive=token", "deny_workflows": "approval"}
    async with connect_in_process(sandbox_url, "auto", {**ALL, **rules}) as session:
        preview = await session.call("archive_workflow", {"workflow": "greeting"})
        assert preview.structured_content["outcome"] == "confirmation_required"
        denied = await session.call("archive_workflow", {"workflow": "approval"})
        assert "deny_workflows" in text_of(denied)
        missing = await session.call("archive_workflow", {"workflow": "no-such-flow"})
        assert missing.is_error
        token = preview.structured_content["confirmation_token"]
        done = await session.call("archive_workflow", {"workflow": "greeting", "confirmation_token": token})
        assert done.structured_content["outcome"] == "done", text_of(done)
        capped = await session.call("archive_workflow", {"workflow": "counter"})
        assert capped.is_error
        assert "cap of 1 destructive calls" in text_of(capped)

        bad_input = await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": 7}})
        assert bad_input.is_error
        first = {"workflow": "greeting", "input": {"name": "a"}, "wait_seconds": 0}
        ran = await session.call("execute_workflow", first)
        assert not ran.is_error, text_of(ran)
        capped = await session.call("execute_workflow", {"workflow": "greeting", "input": {"name": "b"}})
        assert "cap of 1 executions started" in text_of(capped)
        runs = await session.sandbox("GET", "/v1/workflows/runs", params={"workflow_identifier": "greeting"})
        assert len(runs["executions"]) == 1

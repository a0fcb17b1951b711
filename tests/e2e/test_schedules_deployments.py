"""Schedules and deployments end to end on an in-process server (2026-07-28, plus both eras for
the confirmation paths), with every effect checked through independent reads of the sandbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from mcp_types import ElicitRequestParams, ElicitResult

from tests.e2e.inprocess import connect_in_process
from tests.e2e.polling import eventually
from tests.e2e.session import Session, text_of

pytestmark = pytest.mark.anyio

SCHEDULES = "/v1/workflows/schedules"
DEPLOYMENTS = "/v1/workflows/deployments"
ALL = {"toolsets": "all"}


@pytest.fixture
async def session(sandbox_url: str) -> AsyncIterator[Session]:
    async with connect_in_process(sandbox_url, "auto", ALL) as opened:
        yield opened


def ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    assert json.loads(text_of(result)) == result.structured_content
    return dict(result.structured_content)


def error(result: Any) -> str:
    assert result.is_error, f"expected an error, got {text_of(result)}"
    text = text_of(result)
    assert text.startswith("Error: ")
    return text


async def sandbox_schedule(session: Session, schedule_id: str) -> dict[str, Any] | None:
    try:
        return dict(await session.sandbox("GET", f"{SCHEDULES}/{schedule_id}"))
    except httpx2.HTTPStatusError as exc:
        if exc.response.status_code != 404:
            raise
        return None


async def sandbox_deployment(session: Session, name: str) -> dict[str, Any] | None:
    try:
        return dict(await session.sandbox("GET", f"{DEPLOYMENTS}/{name}"))
    except httpx2.HTTPStatusError as exc:
        if exc.response.status_code != 404:
            raise
        return None


def fired(schedule: dict[str, Any] | None) -> set[str]:
    assert schedule is not None
    return {r["execution_id"] for r in schedule["recent_executions"]}


async def confirmed(session: Session, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A client without elicitation: the first call previews, the token call acts."""
    preview = ok(await session.call(tool, args))
    assert preview["outcome"] == "confirmation_required", preview
    assert preview["confirmation_token"]
    done = ok(await session.call(tool, {**args, "confirmation_token": preview["confirmation_token"]}))
    assert done["outcome"] == "done", done
    assert done["confirmed_by"] == "token"
    return preview, done


async def create_every(session: Session, every: str, name: str = "Ada") -> str:
    created = ok(
        await session.call("create_schedule", {"workflow": "greeting", "input": {"name": name}, "every": [every]})
    )
    assert created["outcome"] == "done"
    assert created["confirmed_by"] == "policy_off", "execute-class tools act at once by default"
    schedule_id = str(created["schedule_id"])
    assert schedule_id.startswith("mcp-")
    assert created["next_runs"]
    return schedule_id


# ---------------------------------------------------------------- schedules


async def test_schedule_lifecycle(session: Session) -> None:
    schedule_id = await create_every(session, "PT1S")
    upstream = await sandbox_schedule(session, schedule_id)
    assert upstream is not None
    assert upstream["input"] == {"name": "Ada"}
    assert upstream["workflow_name"] == "greeting"

    listed = ok(await session.call("list_schedules", {"workflow": "greeting"}))
    row = next(r for r in listed["schedules"] if r["schedule_id"] == schedule_id)
    assert row["when"] == "every 1s"
    assert row["paused"] is False

    async def has_fired_twice() -> bool:
        return len(fired(await sandbox_schedule(session, schedule_id))) >= 2

    await eventually(has_fired_twice, what="two firings")
    detail = ok(await session.call("get_schedule", {"schedule_id": schedule_id}))
    assert detail["recent_runs"], detail
    assert {r["execution_id"] for r in detail["recent_runs"]} <= fired(await sandbox_schedule(session, schedule_id))
    assert len(detail["next_runs"]) <= 5
    assert detail["overlap"] == "skip"

    paused = ok(await session.call("pause_schedule", {"schedule_id": schedule_id, "note": "e2e"}))
    assert paused["paused"] is True
    stopped_at = await sandbox_schedule(session, schedule_id)
    assert stopped_at is not None
    assert stopped_at["paused"] is True
    assert stopped_at["note"] == "e2e"
    # A witness on the same interval, created after the pause: once it has fired three times,
    # the paused schedule has missed at least two of its own firings.
    witness = await session.sandbox(
        "POST",
        SCHEDULES,
        json={
            "workflow_identifier": "greeting",
            "schedule": {"input": {"name": "W"}, "intervals": [{"every": "PT1S"}]},
        },
    )

    async def witness_fired_thrice() -> bool:
        return len(fired(await sandbox_schedule(session, witness["schedule_id"]))) >= 3

    await eventually(witness_fired_thrice, what="three firings of the witness schedule")
    await session.sandbox("DELETE", f"{SCHEDULES}/{witness['schedule_id']}")
    assert fired(await sandbox_schedule(session, schedule_id)) == fired(stopped_at), "no firing while paused"
    paused_list = ok(await session.call("list_schedules", {"status": "paused"}))
    assert [r["schedule_id"] for r in paused_list["schedules"]] == [schedule_id]

    triggered = ok(await session.call("trigger_schedule", {"schedule_id": schedule_id, "overlap": "allow_all"}))
    assert triggered["outcome"] == "done"
    assert triggered["execution_id"] in fired(await sandbox_schedule(session, schedule_id))

    resumed = ok(await session.call("pause_schedule", {"schedule_id": schedule_id, "paused": False}))
    assert resumed["paused"] is False
    before = fired(await sandbox_schedule(session, schedule_id))

    async def fires_again() -> bool:
        return bool(fired(await sandbox_schedule(session, schedule_id)) - before)

    await eventually(fires_again, what="a firing after resume")

    updated = ok(
        await session.call(
            "update_schedule",
            {"schedule_id": schedule_id, "input": {"name": "Bob"}, "every": ["PT1H"], "overlap": "allow_all"},
        )
    )
    assert updated["when"] == "every 1h"
    after = await sandbox_schedule(session, schedule_id)
    assert after is not None
    assert after["input"] == {"name": "Bob"}
    assert [i["every"] for i in after["intervals"]] == ["PT1H"]
    assert after["policy"]["overlap"] == 6
    assert "nothing to update" in error(await session.call("update_schedule", {"schedule_id": schedule_id}))

    preview = ok(await session.call("delete_schedule", {"schedule_id": schedule_id}))
    assert preview["outcome"] == "confirmation_required"
    assert f"Delete schedule {schedule_id} of workflow greeting (fires every 1h" in preview["message"]
    assert "runs so far" in preview["message"] or "run(s) so far" in preview["message"]
    assert await sandbox_schedule(session, schedule_id) is not None, "the preview deletes nothing"
    done = ok(
        await session.call(
            "delete_schedule", {"schedule_id": schedule_id, "confirmation_token": preview["confirmation_token"]}
        )
    )
    assert done["outcome"] == "done"
    assert await sandbox_schedule(session, schedule_id) is None
    assert "list_schedules" in error(await session.call("get_schedule", {"schedule_id": schedule_id}))


async def test_trigger_with_skip_while_running_is_reported_as_dropped(session: Session) -> None:
    created = ok(
        await session.call(
            "create_schedule",
            {"workflow": "slow-report", "input": {"seconds": 600}, "cron": ["0 0 1 1 *"]},
        )
    )
    schedule_id = created["schedule_id"]
    first = ok(await session.call("trigger_schedule", {"schedule_id": schedule_id}))
    assert first["execution_id"]
    second = ok(await session.call("trigger_schedule", {"schedule_id": schedule_id}))
    assert "execution_id" not in second
    assert "allow_all" in second["message"]
    assert fired(await sandbox_schedule(session, schedule_id)) == {first["execution_id"]}


async def test_schedule_validation_fails_before_any_request(session: Session) -> None:
    stats = await session.sandbox("GET", "/_sandbox/stats")
    base = {"workflow": "greeting", "input": {"name": "Ada"}}
    assert "cron" in error(await session.call("create_schedule", base))
    assert "ISO-8601" in error(await session.call("create_schedule", {**base, "every": ["1 hour"]}))
    assert "ISO-8601" in error(await session.call("create_schedule", {**base, "every": ["PT"]}))
    assert "cron" in error(await session.call("create_schedule", {**base, "cron": ["0 9 * *"]}))
    assert "time_zone" in error(await session.call("create_schedule", {**base, "every": ["PT1H"], "time_zone": "Mars"}))
    assert "nothing to update" in error(await session.call("update_deployment", {"deployment": "managed-demo"}))
    assert "github" in error(
        await session.call("create_deployment", {"deployment": "x", "github_url": "ftp://example.com/repo"})
    )
    assert await session.sandbox("GET", "/_sandbox/stats") == stats, "no request reached the API"

    bad_input = error(await session.call("create_schedule", {**base, "input": {"name": ""}, "every": ["PT1H"]}))
    assert "input" in bad_input
    assert "get_workflow" in bad_input
    after = await session.sandbox("GET", "/_sandbox/stats")
    assert after["requests"].get(f"POST {SCHEDULES}", 0) == stats["requests"].get(f"POST {SCHEDULES}", 0)
    assert (await session.sandbox("GET", SCHEDULES))["schedules"] == []


async def test_delete_schedule_with_elicitation(open_session: Any) -> None:
    answers = [("decline", None), ("cancel", None), ("accept", {"confirm": False}), ("accept", {"confirm": True})]
    seen: list[str] = []

    async def callback(_: Any, params: ElicitRequestParams) -> ElicitResult:
        seen.append(params.message)
        action, content = answers[len(seen) - 1]
        return ElicitResult(action=action, content=content)

    async with open_session(ALL, elicitation_callback=callback) as session:
        # Hourly, so that it does not fire while the form is out: the form describes the runs so
        # far, and a 2026-07-28 client is asked again when the question changed before its answer.
        schedule_id = await create_every(session, "PT1H")
        for expected in ("declined", "cancelled", "declined"):
            refused = ok(await session.call("delete_schedule", {"schedule_id": schedule_id}))
            assert refused["outcome"] == expected
            assert await sandbox_schedule(session, schedule_id) is not None, "a refusal changes nothing"
        done = ok(await session.call("delete_schedule", {"schedule_id": schedule_id}))
        assert done["outcome"] == "done"
        assert done["confirmed_by"] == "elicitation"
        assert await sandbox_schedule(session, schedule_id) is None
    assert len(seen) == 4
    assert f"Delete schedule {schedule_id} of workflow greeting" in seen[0]


async def test_delete_schedule_without_elicitation(open_session: Any) -> None:
    async with open_session(ALL) as session:
        schedule_id = await create_every(session, "PT1H")
        preview, _ = await confirmed(session, "delete_schedule", {"schedule_id": schedule_id})
        assert "greeting" in preview["message"]
        assert await sandbox_schedule(session, schedule_id) is None


# ---------------------------------------------------------------- deployments


async def test_deployment_reads(session: Session) -> None:
    listed = ok(await session.call("list_deployments", {}))
    rows = {r["name"]: r for r in listed["deployments"]}
    assert {"sandbox-deployment", "managed-demo", "legacy-deployment"} <= rows.keys()
    assert rows["managed-demo"]["managed"] is True
    assert rows["sandbox-deployment"]["managed"] is False
    assert rows["legacy-deployment"]["active"] is False
    upstream = await sandbox_deployment(session, "sandbox-deployment")
    assert upstream is not None
    assert rows["sandbox-deployment"]["workers"] == f"{upstream['active_worker_count']}/{upstream['worker_count']}"
    active = ok(await session.call("list_deployments", {"active_only": True}))
    assert "legacy-deployment" not in {r["name"] for r in active["deployments"]}
    first = ok(await session.call("list_deployments", {"limit": 1}))
    assert len(first["deployments"]) == 1
    assert first["next_cursor"]

    self_hosted = ok(await session.call("get_deployment", {"deployment": "sandbox-deployment"}))
    assert "managed" not in self_hosted
    assert [w["name"] for w in self_hosted["workers"]] == [w["name"] for w in upstream["workers"]]
    managed = ok(await session.call("get_deployment", {"deployment": "managed-demo"}))
    assert managed["managed"]["phase"] == "Running"
    assert "list_deployments" in error(await session.call("get_deployment", {"deployment": "no-such-deployment"}))

    workers = ok(await session.call("list_deployment_workers", {"deployment": "sandbox-deployment"}))
    assert {w["name"] for w in workers["workers"]} == {w["name"] for w in upstream["workers"]}

    upstream_logs = await session.sandbox("GET", f"{DEPLOYMENTS}/sandbox-deployment/logs", params={"limit": 100})
    page = ok(await session.call("get_deployment_logs", {"deployment": "sandbox-deployment", "limit": 100}))
    assert [line["body"] for line in page["logs"]] == [r["body"] for r in upstream_logs["results"]]
    assert page["logs"], "the sandbox logs its worker pools at start"

    ok(await session.call("create_schedule", {"workflow": "greeting", "input": {"name": "Log"}, "every": ["PT1S"]}))

    async def greeted() -> bool:
        logs = await session.sandbox("GET", f"{DEPLOYMENTS}/sandbox-deployment/logs", params={"limit": 100})
        return any("Greeted Log" in r["body"] for r in logs["results"])

    await eventually(greeted, what="the scheduled greeting in the deployment log")
    head = ok(
        await session.call("get_deployment_logs", {"deployment": "sandbox-deployment", "follow_seconds": 1, "limit": 1})
    )
    assert len(head["logs"]) == 1
    assert head["next_cursor"]
    assert "limit" in head["note"]
    rest = ok(
        await session.call(
            "get_deployment_logs",
            {"deployment": "sandbox-deployment", "follow_seconds": 2, "cursor": head["next_cursor"]},
        )
    )
    assert rest["logs"]
    assert rest["logs"][0] != head["logs"][0], "the cursor resumes after what was read"
    assert any("Greeted Log" in line["body"] for line in rest["logs"])
    assert "followed" in rest["note"] or "limit" in rest["note"]


async def test_managed_deployment_lifecycle(session: Session) -> None:
    created = ok(
        await session.call(
            "create_deployment",
            {"deployment": "e2e-managed", "github_url": "https://github.com/acme/workers", "replicas": 1},
        )
    )
    assert created["outcome"] == "done"
    assert "get_deployment" in created["message"]
    upstream = await sandbox_deployment(session, "e2e-managed")
    assert upstream is not None
    assert upstream["managed"]["spec"]["github_url"] == "https://github.com/acme/workers"
    assert upstream["managed"]["resources"] == {"replicas": 1}

    updated = ok(
        await session.call("update_deployment", {"deployment": "e2e-managed", "revision": "v2", "replicas": 2})
    )
    assert "poll get_deployment" in updated["message"]
    upstream = await sandbox_deployment(session, "e2e-managed")
    assert upstream is not None
    assert upstream["managed"]["spec"]["revision"] == "v2"
    assert upstream["managed"]["resources"]["replicas"] == 2

    preview = ok(await session.call("manage_deployment", {"deployment": "e2e-managed", "action": "stop"}))
    assert preview["outcome"] == "confirmation_required"
    assert "Stop deployment e2e-managed (managed, 1 of 1 workers active)" in preview["message"]
    assert "undo with action=start" in preview["message"]
    still = await sandbox_deployment(session, "e2e-managed")
    assert still is not None
    assert still["managed"]["stopped"] is False, "the preview stops nothing"
    done = ok(
        await session.call(
            "manage_deployment",
            {"deployment": "e2e-managed", "action": "stop", "confirmation_token": preview["confirmation_token"]},
        )
    )
    assert done["status"]["phase"] == "Stopped"
    stopped = await sandbox_deployment(session, "e2e-managed")
    assert stopped is not None
    assert stopped["managed"]["stopped"] is True
    assert stopped["active_worker_count"] == 0

    await confirmed(session, "manage_deployment", {"deployment": "e2e-managed", "action": "start"})
    started = await sandbox_deployment(session, "e2e-managed")
    assert started is not None
    assert started["managed"]["stopped"] is False
    assert started["active_worker_count"] == 1

    restart_preview, _ = await confirmed(
        session, "manage_deployment", {"deployment": "e2e-managed", "action": "restart"}
    )
    assert "interrupted" in restart_preview["message"]
    restarted = await sandbox_deployment(session, "e2e-managed")
    assert restarted is not None
    assert restarted["managed"]["spec"].get("restarted_at")

    delete_preview, _ = await confirmed(session, "manage_deployment", {"deployment": "e2e-managed", "action": "delete"})
    assert "removed" in delete_preview["message"]
    assert await sandbox_deployment(session, "e2e-managed") is None


async def test_lifecycle_on_self_hosted_deployment_is_a_clear_error(session: Session) -> None:
    before = await sandbox_deployment(session, "sandbox-deployment")
    preview = ok(await session.call("manage_deployment", {"deployment": "sandbox-deployment", "action": "stop"}))
    assert "self-hosted" in preview["message"]
    refused = error(
        await session.call(
            "manage_deployment",
            {"deployment": "sandbox-deployment", "action": "stop", "confirmation_token": preview["confirmation_token"]},
        )
    )
    assert "409" in refused
    assert "self-hosted" in refused
    assert await sandbox_deployment(session, "sandbox-deployment") == before

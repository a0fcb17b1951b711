"""Task ids carry their execution, signed: any replica with the secret verifies them, nobody forges one."""

from __future__ import annotations

import re

import pytest

from mcp_workflows.server.tasks.ids import TaskIds, TaskRef

IDS = TaskIds(b"the server's signing secret")


@pytest.mark.parametrize("confirmed_by", ["elicitation", "token", "policy_off", None])
@pytest.mark.parametrize("execution_id", ["mcp-0123abcd", "a:b.c_d-é", "x" * 256])
def test_an_issued_id_verifies_to_its_execution(execution_id: str, confirmed_by: str | None) -> None:
    ref = TaskRef(execution_id, confirmed_by)
    task_id = IDS.issue(ref, None)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", task_id), "visible ASCII, no '/': fits an Mcp-Name header as is"
    assert TaskIds(b"the server's signing secret").verify(task_id, None) == ref, "another process, the same secret"


def test_anything_else_is_not_a_task() -> None:
    task_id = IDS.issue(TaskRef("mcp-0123abcd", "policy_off"), None)
    version, letter, execution, signature = task_id.split(".")
    other = IDS.issue(TaskRef("mcp-other", "policy_off"), None).split(".")[2]
    for candidate in [
        "",
        "mcp-0123abcd",
        task_id + ".x",
        f"wf2.{letter}.{execution}.{signature}",
        f"{version}.t.{execution}.{signature}",  # claims another confirmation
        f"{version}.{letter}.{other}.{signature}",  # another execution under this signature
        f"{version}.{letter}.{execution}.{signature[:-1]}",
        TaskIds(b"another secret").issue(TaskRef("mcp-0123abcd", "policy_off"), None),
        "wf1.o.Li4.sig",
    ]:
        assert IDS.verify(candidate, None) is None, candidate


def test_an_id_naming_an_unusable_path_segment_is_refused_even_when_signed() -> None:
    assert IDS.verify(IDS.issue(TaskRef("../executions"), None), None) is None


def test_an_id_is_usable_by_the_caller_it_was_issued_to_only() -> None:
    ref = TaskRef("mcp-0123abcd", "token")
    for caller in ["token-1", "alice@example.com", None]:
        task_id = IDS.issue(ref, caller)
        assert IDS.verify(task_id, caller) == ref
        others = {"token-1", "token-2", "alice@example.com", "", None} - {caller, "" if caller is None else caller}
        for other in others:
            assert IDS.verify(task_id, other) is None, f"issued to {caller!r}, refused to {other!r}"

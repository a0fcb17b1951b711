"""Streamed progress is applied to the previous state: RFC 6902 ops plus the `append` extension."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_workflows.api.models.events import WorkflowEvent
from mcp_workflows.server.progress import ProgressError, TaskProgress, apply_patch

DOCUMENT = {"title": "Draft", "status": "outlining", "text": "", "todo": [{"step": "one", "done": False}]}


def test_standard_ops_apply_in_order_without_touching_the_input() -> None:
    ops = [
        {"op": "replace", "path": "/status", "value": "writing"},
        {"op": "add", "path": "/words", "value": 0},
        {"op": "replace", "path": "/todo/0/done", "value": True},
        {"op": "remove", "path": "/title"},
    ]
    after = apply_patch(DOCUMENT, ops)
    assert after == {"status": "writing", "text": "", "words": 0, "todo": [{"step": "one", "done": True}]}
    assert DOCUMENT["status"] == "outlining", "the previous state is not changed in place"


def test_append_extends_a_string_or_a_list() -> None:
    after = apply_patch(DOCUMENT, [{"op": "append", "path": "/text", "value": "Hello"}])
    after = apply_patch(after, [{"op": "append", "path": "/text", "value": " world"}])
    after = apply_patch(after, [{"op": "append", "path": "/todo", "value": {"step": "two", "done": False}}])
    assert after["text"] == "Hello world"
    assert [item["step"] for item in after["todo"]] == ["one", "two"]
    assert apply_patch(["a"], [{"op": "append", "path": "", "value": ["b", "c"]}]) == ["a", "b", "c"]


@pytest.mark.parametrize(
    "op",
    [
        {"op": "replace", "path": "/missing", "value": 1},
        {"op": "append", "path": "/title/x", "value": "y"},
        {"op": "append", "path": "/todo/0", "value": "y"},
        {"op": "test", "path": "/status", "value": "done"},
    ],
)
def test_a_patch_that_does_not_apply_is_an_error(op: dict[str, Any]) -> None:
    with pytest.raises(ProgressError):
        apply_patch(DOCUMENT, [op])


def event(event_type: str, payload: dict[str, Any], task_type: str = "document") -> WorkflowEvent:
    attributes = {"custom_task_id": "draft", "custom_task_type": task_type, "payload": payload}
    return WorkflowEvent(event_type=event_type, attributes=attributes)


def test_task_progress_follows_whole_values_and_patches() -> None:
    tasks = TaskProgress()
    assert tasks.apply(event("CUSTOM_TASK_STARTED", {"type": "json", "value": DOCUMENT})) == "draft"
    patch = [{"op": "append", "path": "/text", "value": "Hi"}]
    assert tasks.apply(event("CUSTOM_TASK_IN_PROGRESS", {"type": "json_patch", "value": patch})) == "draft"
    assert tasks.states["draft"]["text"] == "Hi"
    broken = [{"op": "replace", "path": "/nope", "value": 1}]
    assert tasks.apply(event("CUSTOM_TASK_IN_PROGRESS", {"type": "json_patch", "value": broken})) is None
    assert tasks.states["draft"]["text"] == "Hi", "a patch that does not apply keeps the last good state"


def test_inputs_encrypted_payloads_and_other_events_are_not_progress() -> None:
    tasks = TaskProgress()
    assert tasks.apply(event("CUSTOM_TASK_STARTED", {"type": "json", "value": {}}, "wait_for_input")) is None
    assert tasks.apply(event("CUSTOM_TASK_STARTED", {"type": "json", "value": "x", "encoding_options": ["e"]})) is None
    assert tasks.apply(WorkflowEvent(event_type="ACTIVITY_TASK_STARTED", attributes={})) is None
    assert tasks.states == {}

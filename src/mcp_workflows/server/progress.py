"""A workflow's streamed progress, applied: the current state of each custom task.

Workflows report progress through custom-task events whose payload is either a whole value
(`{type: "json", value}`) or a patch to the previous one (`{type: "json_patch", value: [ops]}`:
RFC 6902 plus a non-standard `append` op that extends a string or a list, used for todo lists and
text written as it streams). Progress notifications and results show the state after every patch,
not the raw ops. Standard ops go through `jsonpatch` (a maintained RFC 6902 implementation); only
`append` is ours.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import jsonpointer
import pydantic_core

from mcp_workflows.api.models.events import WorkflowEvent

# Custom tasks that are not progress: a person's input is shown as pending input, not as state.
NOT_PROGRESS = frozenset({"wait_for_input"})
MAX_TASKS = 20


class ProgressError(ValueError):
    """A patch that does not apply to the state it follows (a missed event, a bad op)."""


def apply_patch(document: Any, operations: list[dict[str, Any]]) -> Any:
    """`document` after `operations`, without changing `document`."""
    result = copy.deepcopy(document)
    for operation in operations:
        try:
            if operation.get("op") == "append":
                result = _append(result, operation)
            else:
                result = jsonpatch.apply_patch(result, [operation], in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, KeyError, TypeError) as exc:
            raise ProgressError(f"{operation.get('op')} {operation.get('path')}: {exc}") from exc
    return result


def _append(document: Any, operation: dict[str, Any]) -> Any:
    path, value = operation["path"], operation["value"]
    target = jsonpointer.resolve_pointer(document, path)
    if isinstance(target, str) and isinstance(value, str):
        extended: Any = target + value
    elif isinstance(target, list):
        extended = [*target, *value] if isinstance(value, list) else [*target, value]
    else:
        raise TypeError(f"append needs a string or a list at {path}, found {type(target).__name__}")
    if path in ("", "/"):
        return extended
    return jsonpointer.set_pointer(document, path, extended, inplace=True)


class TaskProgress:
    """The latest state of every progress-reporting custom task of one execution."""

    def __init__(self) -> None:
        self.states: dict[str, Any] = {}

    def apply(self, event: WorkflowEvent) -> str | None:
        """Fold one event in; the id of the task whose state changed, or None."""
        attributes = event.attributes
        task_id = attributes.get("custom_task_id")
        payload = attributes.get("payload")
        if not event.event_type.startswith("CUSTOM_TASK_") or not isinstance(task_id, str):
            return None
        if attributes.get("custom_task_type") in NOT_PROGRESS or not isinstance(payload, dict):
            return None
        if payload.get("encoding_options"):
            return None  # encrypted or offloaded by the worker: nothing we can read
        if payload.get("type") == "json":
            self._set(task_id, payload.get("value"))
        elif payload.get("type") == "json_patch" and isinstance(payload.get("value"), list):
            try:
                self._set(task_id, apply_patch(self.states.get(task_id), payload["value"]))
            except ProgressError:
                return None  # keep the last good state; the next whole value resynchronises it
        else:
            return None
        return task_id

    def _set(self, task_id: str, value: Any) -> None:
        self.states.pop(task_id, None)
        self.states[task_id] = value
        while len(self.states) > MAX_TASKS:
            self.states.pop(next(iter(self.states)))


def event_summary(tasks: TaskProgress, event: WorkflowEvent) -> str:
    """One line for an event, folded into `tasks`: a custom task's state after it, else its type and
    activity. Progress notifications and task status messages say the same thing."""
    changed = tasks.apply(event)
    if changed is not None:
        return f"{changed}: {pydantic_core.to_json(tasks.states[changed]).decode()}"
    detail = event.attributes.get("activity_name") or event.attributes.get("name") or ""
    return f"{event.event_type} {detail}".strip()

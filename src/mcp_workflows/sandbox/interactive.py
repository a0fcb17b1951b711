"""`InteractiveWorkflow` on the sandbox: pending inputs, their reserved query and update, answer checks.

A run waiting for a person keeps its open forms in its state; the reserved query
`__get_pending_inputs` lists them and the reserved update `__submit_input {task_id, input}` answers
one, as Mistral's worker SDK does (/work/shared/docs/interactive-workflows.md §1, §4).
"""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass
from typing import Any

from .errors import ApiError
from .forms import InputForm
from .program import HandlerDef, RunContext, State

# Loaded by name: jsonschema ships no type stubs, and this keeps mypy --strict clean either way.
_jsonschema: Any = importlib.import_module("jsonschema")

WAIT_FOR_INPUT = "wait_for_input"
ASSISTANT_MESSAGE = "assistant_message"
WAITING_KEY = "internal.execution.state"
WAITING_VALUE = "waiting_for_input"
SUBMIT_INPUT = "__submit_input"
GET_PENDING_INPUTS = "__get_pending_inputs"
_PENDING = "__pending_inputs"

# The HTTP answer to an update the workflow rejects is decided by the API server, not the SDK (doc §4):
# the handler raises a Temporal ApplicationError, and the service's generic mapping turns an
# unrecognised Temporal error into a 500 with a route-specific error code. The sandbox answers that
# 500, with the SDK's own message in `detail` so a client can show what was wrong; a client must not
# rely on that text (a real 5xx may only say "An error occurred") and should re-query the pending
# inputs after any failure.
UPDATE_FAILED_STATUS = 500
UPDATE_FAILED_CODE = "post_executions_updates_error"


@dataclass
class PendingInput:
    """One open form of a run; `answer` is set once a valid answer arrived."""

    form: InputForm
    answer: dict[str, Any] | None = None


def pending_inputs(state: State) -> dict[str, PendingInput]:
    """The run's forms by task id, answered ones included until the workflow picks their answer up."""
    forms: dict[str, PendingInput] = state.setdefault(_PENDING, {})
    return forms


def send_assistant_message(ctx: RunContext, text: str) -> None:
    """What the plugin's `send_assistant_message` publishes: an `assistant_message` custom task."""
    task_id = str(uuid.uuid4())
    payload = {"contentChunks": [{"type": "text", "text": text}]}
    ctx.custom_task(task_id, ASSISTANT_MESSAGE, "started", payload)
    ctx.custom_task(task_id, ASSISTANT_MESSAGE, "completed", payload)


def update_failed(detail: str) -> ApiError:
    return ApiError(UPDATE_FAILED_STATUS, {"detail": detail, "code": UPDATE_FAILED_CODE})


# answer checks -----------------------------------------------------------------------------------


def _takes_number(field: dict[str, Any]) -> bool:
    return field.get("type") == "number" or any(b.get("type") == "number" for b in field.get("anyOf", []))


def _lax(form: InputForm, raw: Any) -> tuple[Any, list[tuple[str, str]]]:
    """Coerce like pydantic's lax mode: numeric strings become numbers, whole floats of int fields ints."""
    if not isinstance(raw, dict):
        return raw, []
    answer = dict(raw)
    problems: list[tuple[str, str]] = []
    for name, field in form.schema.get("properties", {}).items():
        value = answer.get(name)
        if isinstance(value, str) and _takes_number(field):
            try:
                answer[name] = value = float(value)
            except ValueError:
                continue
        if name in form.whole_numbers and isinstance(value, float):
            if value.is_integer():
                answer[name] = int(value)
            else:
                problems.append((name, "Input should be a valid integer, got a number with a fractional part"))
    return answer, problems


_TYPE_MESSAGES = {
    "string": "Input should be a valid string",
    "number": "Input should be a valid number",
    "array": "Input should be a valid list",
    "object": "Input should be a valid dictionary",
}
_BOUND_MESSAGES = {
    "minimum": "greater than or equal to",
    "maximum": "less than or equal to",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}


def _problem(error: Any) -> tuple[str, str]:
    """(field path, message) worded like pydantic's, for one jsonschema error."""
    path = [str(p) for p in error.absolute_path]
    kind = error.validator
    if kind == "required":
        return ".".join([*path, error.message.split("'")[1]]), "Field required"
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = [k for k in error.instance if k not in known]
        return ".".join([*path, *extra[:1]]), "Extra inputs are not permitted"
    consts = [b.get("const") for b in error.validator_value] if kind in ("oneOf", "anyOf") else []
    if consts and None not in consts:
        return ".".join(path), f"Value error, Invalid choice {error.instance!r}. Must be one of: {consts!r}"
    if kind == "pattern":
        return ".".join(path), f"String should match pattern '{error.validator_value}'"
    if kind in _BOUND_MESSAGES:
        return ".".join(path), f"Input should be {_BOUND_MESSAGES[kind]} {error.validator_value}"
    if kind == "type" and error.validator_value in _TYPE_MESSAGES:
        return ".".join(path), _TYPE_MESSAGES[error.validator_value]
    if kind == "minItems":
        return ".".join(
            path
        ), f"List should have at least {error.validator_value} item after validation, not {len(error.instance)}"
    if kind == "format" and error.validator_value == "date":
        return ".".join(path), "Input should be a valid date in the format YYYY-MM-DD"
    return ".".join(path), str(error.message)


def check_answer(task_id: str, form: InputForm, raw: Any) -> dict[str, Any]:
    """The answer as the SDK stores it (pydantic JSON mode: every field, defaults filled in, unknown keys
    dropped), or the update failure the SDK raises, naming the task and each problem."""
    answer, problems = _lax(form, raw)
    validator = _jsonschema.Draft202012Validator(
        form.schema, format_checker=_jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(answer), key=lambda e: [str(p) for p in e.absolute_path])
    problems += [_problem(e) for e in errors]
    if problems:
        count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} for {form.title}"
        lines = "".join(f"\n{loc or '(input)'}\n  {message}" for loc, message in problems)
        raise update_failed(f"Invalid input for task {task_id}: {count}{lines}")
    assert isinstance(answer, dict)
    fields: dict[str, Any] = form.schema.get("properties", {})
    return {name: answer[name] if name in answer else field.get("default") for name, field in fields.items()}


# the reserved handlers ----------------------------------------------------------------------------


def _get_pending_inputs(state: State, _data: dict[str, Any]) -> Any:
    return {
        "pending_inputs": [
            {"task_id": task_id, "input_schema": p.form.schema, "label": p.form.label}
            for task_id, p in pending_inputs(state).items()
            if p.answer is None
        ]
    }


def _submit_input(state: State, data: dict[str, Any]) -> Any:
    """Answer one form; an unknown or already answered task fails (non-retryable), a bad answer
    fails and leaves the form pending."""
    task_id = str(data["task_id"])
    pending = pending_inputs(state).get(task_id)
    if pending is None or pending.answer is not None:
        raise update_failed(f"No pending input request found for task {task_id}")
    pending.answer = check_answer(task_id, pending.form, data["input"])
    return {}


# As the SDK registers them: names reserved, no description, the schemas its generator writes
# (no per-field titles). The item model's name inside `_PendingInputsResult` is a reconstruction.
SUBMIT_INPUT_HANDLER = HandlerDef(
    name=SUBMIT_INPUT,
    description=None,
    input_schema={
        "properties": {"task_id": {"type": "string"}, "input": {}},
        "required": ["task_id", "input"],
        "title": "_SubmitInputParams",
        "type": "object",
    },
    output_schema={"properties": {}, "title": "_SubmitInputResult", "type": "object"},
    fn=_submit_input,
)

GET_PENDING_INPUTS_HANDLER = HandlerDef(
    name=GET_PENDING_INPUTS,
    description=None,
    input_schema={"additionalProperties": False, "properties": {}, "type": "object"},
    output_schema={
        "$defs": {
            "_PendingInput": {
                "properties": {
                    "task_id": {"type": "string"},
                    "input_schema": {"additionalProperties": True, "type": "object"},
                    "label": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
                },
                "required": ["task_id", "input_schema"],
                "title": "_PendingInput",
                "type": "object",
            }
        },
        "properties": {"pending_inputs": {"items": {"$ref": "#/$defs/_PendingInput"}, "type": "array"}},
        "required": ["pending_inputs"],
        "title": "_PendingInputsResult",
        "type": "object",
    },
    fn=_get_pending_inputs,
)

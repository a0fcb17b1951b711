"""What a demo workflow is made of: metadata, schemas, handlers and the coroutine that runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .forms import InputForm

State = dict[str, Any]


class WorkflowFailure(Exception):
    """Raised by a workflow body to end its run as FAILED with this message."""


class ContinueAsNew(Exception):
    """Raised by a workflow body to end its run as CONTINUED_AS_NEW and go on in a new run given `input`."""

    def __init__(self, input: dict[str, Any]) -> None:
        super().__init__("continue as new")
        self.input = input


class RunContext(Protocol):
    """What a workflow body may do; the engine implements it and records every step."""

    @property
    def input(self) -> dict[str, Any]: ...

    @property
    def state(self) -> State: ...

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds * time_scale`."""

    async def activity(self, name: str, input: dict[str, Any], result: Callable[[], Any]) -> Any:
        """Run `result` as an activity, emitting ACTIVITY_TASK_STARTED/COMPLETED."""

    def custom_task(self, task_id: str, task_type: str, phase: str, payload: Any) -> None:
        """Emit CUSTOM_TASK_STARTED / _IN_PROGRESS / _COMPLETED with a JSON snapshot payload."""

    def custom_task_patch(self, task_id: str, task_type: str, ops: list[dict[str, Any]]) -> None:
        """Emit CUSTOM_TASK_IN_PROGRESS whose payload patches the last snapshot (RFC 6902 plus `append`)."""

    def log(self, message: str, level: str = "INFO") -> None:
        """Write a log line of this run."""

    async def wait_until(self, predicate: Callable[[State], bool]) -> None:
        """Block until a signal or update makes `predicate(state)` true."""

    async def wait_for_input(self, form: InputForm, limit_s: float | None = None) -> dict[str, Any]:
        """Ask a person: publish `form` as a pending input and return the validated answer.

        TimeoutError after `limit_s` seconds (wall clock, not scaled), which fails the run."""


Handler = Callable[[State, dict[str, Any]], Any]


@dataclass(frozen=True)
class HandlerDef:
    """A signal, query or update handler with its JSON schemas."""

    name: str
    description: str | None
    input_schema: dict[str, Any]
    fn: Handler
    output_schema: dict[str, Any] | None = None

    def definition(self, with_output: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
        }
        if with_output:
            body["output_schema"] = self.output_schema
        return body


@dataclass(frozen=True)
class DemoWorkflow:
    """A built-in sandbox workflow and how it behaves."""

    name: str
    display_name: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    init: Callable[[dict[str, Any]], State]
    body: Callable[[RunContext], Awaitable[Any]]
    tags: tuple[str, ...] = ()
    archived: bool = False
    available_in_chat_assistant: bool = False
    shared_namespace: str | None = None
    deployment_name: str = "sandbox-deployment"
    signals: tuple[HandlerDef, ...] = field(default=())
    queries: tuple[HandlerDef, ...] = field(default=())
    updates: tuple[HandlerDef, ...] = field(default=())
    execution_timeout: float = 3600.0

    def definition(self) -> dict[str, Any]:
        """The registration's `WorkflowCodeDefinition`."""
        return {
            "input_schema": self.input_schema,
            "output_schema": self.output_schema,
            "signals": [h.definition(False) for h in self.signals],
            "queries": [h.definition(True) for h in self.queries],
            "updates": [h.definition(True) for h in self.updates],
            "enforce_determinism": False,
            "on_behalf_of": False,
            "execution_timeout": self.execution_timeout,
            "plugin_metadata": None,
        }

    def _group(self, kind: str) -> tuple[HandlerDef, ...]:
        return {"signal": self.signals, "query": self.queries, "update": self.updates}[kind]

    def handler(self, kind: str, name: str) -> HandlerDef | None:
        """The signal/query/update handler called `name`, if any."""
        return next((h for h in self._group(kind) if h.name == name), None)

    def handler_names(self, kind: str) -> list[str]:
        """Names of the workflow's `kind` handlers."""
        return [h.name for h in self._group(kind)]

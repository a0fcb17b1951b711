"""Runs executions as asyncio tasks and records what they do: status, events, history, logs."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from .config import SandboxConfig
from .errors import ApiError, conflict, not_running
from .forms import InputForm
from .ids import nanos, new_id, now
from .interactive import WAIT_FOR_INPUT, WAITING_KEY, WAITING_VALUE, PendingInput, pending_inputs
from .models import ExecutionRecord, HandledMessage, RegistrationRecord, RunRecord, StreamEvent, WorkflowRecord
from .program import ContinueAsNew, DemoWorkflow, HandlerDef, State, WorkflowFailure
from .store import Store
from .validation import check_input


class Context:
    """The engine side of `RunContext`: every step becomes events, history entries and logs."""

    def __init__(self, engine: Engine, execution: ExecutionRecord, run: RunRecord) -> None:
        self._engine = engine
        self._execution = execution
        self._run = run
        self._activity_seq = 0

    @property
    def input(self) -> dict[str, Any]:
        return self._run.input

    @property
    def state(self) -> State:
        return self._run.state

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) * self._engine.config.time_scale)

    async def activity(self, name: str, input: dict[str, Any], result: Callable[[], Any]) -> Any:
        self._activity_seq += 1
        activity_id = str(self._activity_seq)
        task_id = f"{self._run.run_id}:activity:{activity_id}"
        history = self._engine.history
        history(self._run, "ActivityTaskScheduled", {"activityId": activity_id, "activityType": name})
        history(self._run, "ActivityTaskStarted", {"activityId": activity_id})
        self._engine.emit(
            self._execution,
            self._run,
            "ACTIVITY_TASK_STARTED",
            {"task_id": task_id, "activity_name": name, "input": _json(input)},
            activity=(name, activity_id),
        )
        self._engine.store.add_log(
            f"Activity {name} started",
            deployment=self._execution.deployment_name,
            execution=self._execution,
            run=self._run,
            activity_id=activity_id,
        )
        await self.sleep(0.02)
        value = result()
        history(self._run, "ActivityTaskCompleted", {"activityId": activity_id, "result": value})
        self._engine.emit(
            self._execution,
            self._run,
            "ACTIVITY_TASK_COMPLETED",
            {"task_id": task_id, "activity_name": name, "result": _json(value)},
            activity=(name, activity_id),
        )
        self._engine.workflow_task(self._run)
        return value

    def custom_task(self, task_id: str, task_type: str, phase: str, payload: Any) -> None:
        event_type = {
            "started": "CUSTOM_TASK_STARTED",
            "in_progress": "CUSTOM_TASK_IN_PROGRESS",
            "completed": "CUSTOM_TASK_COMPLETED",
        }[phase]
        self._engine.emit(
            self._execution,
            self._run,
            event_type,
            {"custom_task_id": task_id, "custom_task_type": task_type, "payload": _json(payload)},
            stream=task_type,
        )

    def custom_task_patch(self, task_id: str, task_type: str, ops: list[dict[str, Any]]) -> None:
        self._engine.emit(
            self._execution,
            self._run,
            "CUSTOM_TASK_IN_PROGRESS",
            {
                "custom_task_id": task_id,
                "custom_task_type": task_type,
                "payload": {"type": "json_patch", "value": ops, "encoding_options": []},
            },
            stream=task_type,
        )

    def log(self, message: str, level: str = "INFO") -> None:
        self._engine.store.add_log(
            message,
            deployment=self._execution.deployment_name,
            severity=level,
            execution=self._execution,
            run=self._run,
        )

    async def wait_until(self, predicate: Callable[[State], bool]) -> None:
        while not predicate(self._run.state):
            self._run.changed.clear()
            await self._run.changed.wait()

    async def wait_for_input(self, form: InputForm, limit_s: float | None = None) -> dict[str, Any]:
        """The SDK's sequence: register the form, CUSTOM_TASK_STARTED, set the search key, wait, drop the
        form and the key, CUSTOM_TASK_COMPLETED; on a timeout or a cancel, CUSTOM_TASK_FAILED instead."""
        task_id = str(uuid.uuid4())
        forms = pending_inputs(self.state)
        pending = forms[task_id] = PendingInput(form)
        shown = {"input_schema": form.schema, "label": form.label}
        self.custom_task(task_id, WAIT_FOR_INPUT, "started", shown)
        self._search_attribute(WAITING_VALUE)
        cap = self._engine.config.input_timeout_s
        limit = min((t for t in (limit_s, cap) if t is not None), default=None)
        try:
            async with asyncio.timeout(limit):
                await self.wait_until(lambda _state: pending.answer is not None)
        except (TimeoutError, asyncio.CancelledError):
            # Terminate and reset kill the run without running its code: no event, and the search key
            # stays on the closed run as Temporal keeps it. A timeout or a cancel runs the SDK's handler.
            if self._run.stop_reason in (None, "cancel"):
                self._custom_task_failed(task_id, "")
                self._close_form(forms, task_id)
            if self._run.stop_reason is None:
                self.log(f"No answer to input {task_id} within {limit} s", "WARNING")
            raise
        answer = pending.answer
        assert answer is not None
        self._close_form(forms, task_id)
        self.custom_task(task_id, WAIT_FOR_INPUT, "completed", {**shown, "input": answer})
        return answer

    def _close_form(self, forms: dict[str, PendingInput], task_id: str) -> None:
        del forms[task_id]
        self._search_attribute(WAITING_VALUE if forms else None)

    def _search_attribute(self, value: str | None) -> None:
        """Upsert (or with None, delete) the reserved search key of a run waiting for input."""
        if value is None:
            self._run.search_attributes.pop(WAITING_KEY, None)
        else:
            self._run.search_attributes[WAITING_KEY] = value
        self._engine.history(self._run, "UpsertWorkflowSearchAttributes", {"searchAttributes": {WAITING_KEY: value}})

    def _custom_task_failed(self, task_id: str, message: str) -> None:
        self._engine.emit(
            self._execution,
            self._run,
            "CUSTOM_TASK_FAILED",
            {"custom_task_id": task_id, "custom_task_type": WAIT_FOR_INPUT, "failure": {"message": message}},
            stream=WAIT_FOR_INPUT,
        )


def _json(value: Any) -> dict[str, Any]:
    """A `JSONPayloadResponse` snapshot."""
    return {"type": "json", "value": value, "encoding_options": []}


class Engine:
    """Starts, drives and stops executions over one Store."""

    def __init__(self, store: Store, config: SandboxConfig) -> None:
        self.store = store
        self.config = config
        self._tasks: set[asyncio.Task[None]] = set()

    # starting -----------------------------------------------------------------------------------

    def start(
        self,
        workflow: WorkflowRecord,
        registration: RegistrationRecord,
        raw_input: Any,
        execution_id: str | None,
        *,
        schedule_id: str | None = None,
        input_loc: list[str | int] | None = None,
    ) -> ExecutionRecord:
        """Validate the input, create the execution and start its first run (409 WF_1101 on a reused id)."""
        program = self.store.programs[workflow.name]
        data = check_input(program.input_schema, raw_input, input_loc or ["body", "input"])
        if execution_id is not None and execution_id in self.store.executions:
            existing = self.store.executions[execution_id]
            raise conflict(
                f"Execution '{execution_id}' already exists",
                "WF_1101",
                execution_id=execution_id,
                status=existing.current.status,
            )
        execution = ExecutionRecord(
            execution_id=execution_id or new_id(),
            workflow_id=workflow.id,
            workflow_name=workflow.name,
            deployment_name=registration.deployment_name,
            registration_id=registration.id,
            runs=[],
            schedule_id=schedule_id,
        )
        self.store.executions[execution.execution_id] = execution
        self._start_run(execution, data, replay=[], reset_from=None)
        return execution

    def _start_run(
        self,
        execution: ExecutionRecord,
        data: dict[str, Any],
        replay: list[HandledMessage],
        reset_from: dict[str, Any] | None,
        continued_from: str | None = None,
    ) -> RunRecord:
        program = self.store.programs[execution.workflow_name]
        run = RunRecord(
            run_id=new_id(),
            execution_id=execution.execution_id,
            input=data,
            start_time=now(),
            state=program.init(data),
            trace_id=secrets.token_hex(16),
            continued_run_id=continued_from,
        )
        execution.runs.append(run)
        self.store.runs[run.run_id] = (execution, run)
        self.store.restarted(execution)
        started: dict[str, Any] = {"input": data, "workflowType": execution.workflow_name}
        if reset_from is not None:
            started["reset"] = reset_from
        if continued_from is not None:
            started["continuedExecutionRunId"] = continued_from
        self.history(run, "WorkflowExecutionStarted", started)
        self.workflow_task(run)
        for message in replay:
            handler = program.handler(message.kind, message.name)
            # An answer to a form of the old run finds no pending input in the new one: skipped.
            if handler is not None:
                with contextlib.suppress(ApiError):
                    self._apply(execution, run, message.kind, message.name, handler.fn, message.input)
        task = asyncio.get_running_loop().create_task(self._drive(execution, run, program))
        run.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self.store.notify()
        return run

    async def _drive(self, execution: ExecutionRecord, run: RunRecord, program: DemoWorkflow) -> None:
        ctx = Context(self, execution, run)
        self.emit(
            execution,
            run,
            "WORKFLOW_EXECUTION_STARTED",
            {
                "task_id": f"{run.run_id}:workflow",
                "workflow_name": execution.workflow_name,
                "display_name": program.display_name,
                "input": _json(run.input),
                "attempt": 1,
            },
        )
        ctx.log(f"Workflow {execution.workflow_name} started")
        try:
            result = await program.body(ctx)
        except (WorkflowFailure, TimeoutError) as failure:
            # temporalio fails the workflow on an asyncio.TimeoutError; its message is str(error), "" here.
            self._fail(execution, run, str(failure))
        except ContinueAsNew as chained:
            self._continue_as_new(execution, run, chained.input)
        except asyncio.CancelledError:
            if run.stop_reason == "shutdown":
                raise
            self._stopped(execution, run)
        except Exception as exc:  # a bug in a demo body still ends the run like a worker would
            self._fail(execution, run, f"{type(exc).__name__}: {exc}")
        else:
            run.result = result
            self.history(run, "WorkflowExecutionCompleted", {"result": result})
            self._finish(run, "COMPLETED")
            self.emit(
                execution,
                run,
                "WORKFLOW_EXECUTION_COMPLETED",
                {"task_id": f"{run.run_id}:workflow", "result": _json(result), "attempt": 1},
            )
            ctx.log(f"Workflow {execution.workflow_name} completed")
        if not execution.resetting:
            self.store.ended(execution)

    def _fail(self, execution: ExecutionRecord, run: RunRecord, message: str) -> None:
        run.failure_message = message
        self.history(run, "WorkflowExecutionFailed", {"failure": {"message": message}})
        self._finish(run, "FAILED")
        self.emit(
            execution,
            run,
            "WORKFLOW_EXECUTION_FAILED",
            {"task_id": f"{run.run_id}:workflow", "failure": {"message": message}, "attempt": 1},
        )
        self.store.add_log(
            f"Workflow failed: {message}",
            deployment=execution.deployment_name,
            severity="ERROR",
            execution=execution,
            run=run,
        )

    def _continue_as_new(self, execution: ExecutionRecord, run: RunRecord, data: dict[str, Any]) -> None:
        """End `run` as CONTINUED_AS_NEW and start the chain's next run under the same execution id."""
        self.history(run, "WorkflowExecutionContinuedAsNew", {"input": data})
        self._finish(run, "CONTINUED_AS_NEW")
        following = self._start_run(execution, data, replay=[], reset_from=None, continued_from=run.run_id)
        self.emit(
            execution,
            run,
            "WORKFLOW_EXECUTION_CONTINUED_AS_NEW",
            {
                "task_id": f"{run.run_id}:workflow",
                "new_execution_run_id": following.run_id,
                "workflow_name": execution.workflow_name,
                "input": _json(data),
            },
        )

    def _stopped(self, execution: ExecutionRecord, run: RunRecord) -> None:
        reason = run.stop_reason or "cancel"
        if reason == "cancel":
            self.history(run, "WorkflowExecutionCanceled", {})
            self._finish(run, "CANCELED")
            self.emit(
                execution,
                run,
                "WORKFLOW_EXECUTION_CANCELED",
                {"task_id": f"{run.run_id}:workflow", "reason": "Canceled by request", "attempt": 1},
            )
        else:
            self.history(run, "WorkflowExecutionTerminated", {"reason": reason})
            self._finish(run, "TERMINATED")
        self.store.add_log(
            f"Workflow {run.status.lower()} ({reason})",
            deployment=execution.deployment_name,
            execution=execution,
            run=run,
        )

    def _finish(self, run: RunRecord, status: str) -> None:
        run.status = status
        run.end_time = now()
        self.store.notify()

    # recording ----------------------------------------------------------------------------------

    def history(self, run: RunRecord, event_type: str, attributes: dict[str, Any]) -> int:
        """Append a Temporal-style history entry and return its integer event id."""
        event_id = len(run.history) + 1
        run.history.append(
            {
                "eventId": event_id,
                "eventTime": now().isoformat().replace("+00:00", "Z"),
                "eventType": event_type,
                "attributes": attributes,
            }
        )
        return event_id

    def workflow_task(self, run: RunRecord) -> int:
        """A scheduled/started/completed workflow task; its completed id is a valid reset point."""
        self.history(run, "WorkflowTaskScheduled", {})
        self.history(run, "WorkflowTaskStarted", {})
        return self.history(run, "WorkflowTaskCompleted", {})

    def emit(
        self,
        execution: ExecutionRecord,
        run: RunRecord,
        event_type: str,
        attributes: dict[str, Any],
        *,
        stream: str | None = None,
        activity: tuple[str, str] | None = None,
    ) -> StreamEvent:
        """Publish one typed workflow event with the next broker_sequence."""
        seq = self.store.next_seq()
        stamp = now()
        first = execution.runs[0].run_id
        data = {
            "event_id": f"{run.run_id}:{seq}",
            "event_timestamp": nanos(stamp),
            "root_workflow_exec_id": execution.root_execution_id,
            "parent_workflow_exec_id": execution.parent_execution_id,
            "continued_run_id": run.continued_run_id,
            "first_execution_run_id": first,
            "chain_run_id": execution.chain_run_id,
            "schedule_id": execution.schedule_id,
            "workflow_exec_id": execution.execution_id,
            "workflow_run_id": run.run_id,
            "workflow_name": execution.workflow_name,
            "event_type": event_type,
            "attributes": attributes,
        }
        if stream is None:
            stream = "activity" if activity is not None else "workflow"
        event = StreamEvent(
            seq=seq,
            stream=stream,
            timestamp=stamp,
            execution_id=execution.execution_id,
            run_id=run.run_id,
            workflow_name=execution.workflow_name,
            data=data,
            metadata={"deployment_name": execution.deployment_name},
            activity_name=activity[0] if activity else None,
            activity_id=activity[1] if activity else None,
            parent_execution_id=execution.parent_execution_id,
        )
        self.store.publish(event)
        return event

    # interacting --------------------------------------------------------------------------------

    def _handler_for(self, execution: ExecutionRecord, kind: str, name: str) -> HandlerDef:
        """The workflow's handler; 422 naming the handlers that exist when there is none called `name`."""
        program = self.store.programs[execution.workflow_name]
        handler = program.handler(kind, name)
        if handler is None:
            known = program.handler_names(kind)
            raise ApiError(
                422,
                {
                    "detail": [
                        {
                            "loc": ["body", "name"],
                            "msg": f"Workflow '{execution.workflow_name}' has no {kind} handler '{name}'"
                            f" (known: {', '.join(known) or 'none'})",
                            "type": "value_error",
                            "input": name,
                        }
                    ]
                },
            )
        return handler

    def _running_run(self, execution: ExecutionRecord) -> RunRecord:
        run = execution.current
        if not run.running:
            raise not_running(execution.execution_id, run.status)
        return run

    def _apply(
        self,
        execution: ExecutionRecord,
        run: RunRecord,
        kind: str,
        name: str,
        fn: Callable[[State, dict[str, Any]], Any],
        data: dict[str, Any],
    ) -> Any:
        entry = "WorkflowExecutionSignaled" if kind == "signal" else "WorkflowExecutionUpdateCompleted"
        result = fn(run.state, data)
        event_id = self.history(run, entry, {"name": name, "input": data})
        run.messages.append(HandledMessage(event_id, kind, name, data))
        self.workflow_task(run)
        run.changed.set()
        return result

    def signal(self, execution: ExecutionRecord, name: str, raw_input: Any) -> None:
        """Deliver a signal to the latest run (409 WF_1102 when not running, 422 for bad input)."""
        run = self._running_run(execution)
        handler = self._handler_for(execution, "signal", name)
        data = check_input(handler.input_schema, raw_input, ["body", "input"])
        self._apply(execution, run, "signal", name, handler.fn, data)
        self.store.add_log(
            f"Signal {name} received", deployment=execution.deployment_name, execution=execution, run=run
        )

    def query(self, execution: ExecutionRecord, name: str, raw_input: Any) -> Any:
        """Answer a query from the latest run's state."""
        run = self._running_run(execution)
        handler = self._handler_for(execution, "query", name)
        data = check_input(handler.input_schema, raw_input, ["body", "input"])
        return handler.fn(run.state, data)

    def update(self, execution: ExecutionRecord, name: str, raw_input: Any) -> Any:
        """Apply an update to the latest run and return the handler's value."""
        run = self._running_run(execution)
        handler = self._handler_for(execution, "update", name)
        data = check_input(handler.input_schema, raw_input, ["body", "input"])
        result = self._apply(execution, run, "update", name, handler.fn, data)
        self.store.add_log(f"Update {name} applied", deployment=execution.deployment_name, execution=execution, run=run)
        return result

    async def stop(self, execution: ExecutionRecord, reason: str) -> None:
        """Cancel (`cancel`) or terminate (`terminate`, `reset`) the latest run and wait until it is down."""
        run = self._running_run(execution)
        await self._stop_run(run, reason)

    async def _stop_run(self, run: RunRecord, reason: str) -> None:
        run.stop_reason = reason
        task = run.task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task})

    def reset_points(self, run: RunRecord) -> list[int]:
        """History ids a reset may target: every completed workflow task."""
        return [e["eventId"] for e in run.history if e["eventType"] == "WorkflowTaskCompleted"]

    async def reset(
        self,
        execution: ExecutionRecord,
        event_id: int,
        reason: str | None,
        exclude_signals: bool,
        exclude_updates: bool,
    ) -> RunRecord:
        """End the latest run and start a new one under the same execution id (422 WF_1001 on a bad id)."""
        run = execution.current
        valid = self.reset_points(run)
        if event_id not in valid:
            raise ApiError(
                422,
                {
                    "detail": f"Event {event_id} is not a valid reset point of execution '{execution.execution_id}'",
                    "code": "WF_1001",
                    "valid_reset_events": valid,
                },
            )
        execution.resetting = True
        try:
            if run.running:
                await self._stop_run(run, "reset")
        finally:
            execution.resetting = False
        replay = [
            m
            for m in run.messages
            if not (m.history_event_id > event_id and exclude_signals and m.kind == "signal")
            and not (m.history_event_id > event_id and exclude_updates and m.kind == "update")
        ]
        return self._start_run(
            execution,
            run.input,
            replay,
            {"from_run_id": run.run_id, "event_id": event_id, "reason": reason},
        )

    async def wait(self, execution: ExecutionRecord, budget_s: float) -> bool:
        """Wait until the execution is no longer running; False when `budget_s` ran out first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget_s
        while execution.current.running:
            left = deadline - loop.time()
            if left <= 0:
                return False
            await self.store.wait_change(left)
        return True

    async def shutdown(self) -> None:
        """Cancel every running execution task (server exit or sandbox reset) and wait for them."""
        tasks = [t for t in self._tasks if not t.done()]
        for execution in self.store.executions.values():
            for run in execution.runs:
                if run.running:
                    run.stop_reason = "shutdown"
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

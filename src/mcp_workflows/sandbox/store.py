"""The one in-memory state every route reads and writes, plus a change signal for streams."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from .demo import DEMO_WORKFLOWS
from .errors import not_found
from .ids import deployment_id, now, registration_id, stable_id, workflow_id
from .models import (
    DeploymentRecord,
    ExecutionRecord,
    LogRecord,
    ManagedState,
    RegistrationRecord,
    RunRecord,
    ScheduleRecord,
    StreamEvent,
    WorkerRecord,
    WorkflowRecord,
)
from .program import DemoWorkflow
from .seqlog import SeqLog

SANDBOX_DEPLOYMENT = "sandbox-deployment"


class Store:
    """Workflows, registrations, deployments, executions, events, logs and schedules.

    Only the `keep_executions` most recently ended executions are kept (with their runs, events and
    logs); running executions are never dropped, so the sandbox's memory stays bounded.
    """

    def __init__(self, keep_executions: int) -> None:
        self.keep_executions = keep_executions
        self.programs: dict[str, DemoWorkflow] = {}
        self.workflows: dict[str, WorkflowRecord] = {}
        self.registrations: dict[str, RegistrationRecord] = {}
        self.deployments: dict[str, DeploymentRecord] = {}
        self.executions: dict[str, ExecutionRecord] = {}
        self.runs: dict[str, tuple[ExecutionRecord, RunRecord]] = {}
        self.events: SeqLog[StreamEvent] = SeqLog(lambda event: event.execution_id)
        self.logs: SeqLog[LogRecord] = SeqLog(lambda record: record.execution_id)
        self._ended: OrderedDict[str, None] = OrderedDict()
        self.schedules: dict[str, ScheduleRecord] = {}
        self._changed = asyncio.Event()
        self.load_demo()

    # demo data ----------------------------------------------------------------------------------

    def load_demo(self) -> None:
        """Reset to the deterministic demo state."""
        self.__init_collections()
        started = now() - timedelta(days=3)
        self._add_deployment(SANDBOX_DEPLOYMENT, started, ["sandbox-worker-1", "sandbox-worker-2"], active=True)
        self._add_deployment("legacy-deployment", started - timedelta(days=30), ["legacy-worker-1"], active=False)
        managed = self._add_deployment("managed-demo", started, ["managed-demo-worker-1"], active=True)
        managed.managed = ManagedState(
            service_id=stable_id("service", "managed-demo"),
            spec=managed_spec("https://github.com/example/workflows-demo", "main"),
            resources=resources(None),
            created_at=started,
            updated_at=started,
        )
        for program in DEMO_WORKFLOWS:
            self.register(program)
        for deployment in self.deployments.values():
            self.add_log(f"Worker pool of {deployment.name} started", deployment=deployment.name)

    def register(self, program: DemoWorkflow) -> WorkflowRecord:
        """Add a workflow and its registration by the program's deployment (active when that deployment is)."""
        self.programs[program.name] = program
        wf = WorkflowRecord(
            id=workflow_id(program.name),
            name=program.name,
            display_name=program.display_name,
            description=program.description,
            tags=list(program.tags),
            archived=program.archived,
            available_in_chat_assistant=program.available_in_chat_assistant,
            shared_namespace=program.shared_namespace,
        )
        self.workflows[wf.id] = wf
        reg = RegistrationRecord(
            id=registration_id(program.name),
            workflow_id=wf.id,
            deployment_name=program.deployment_name,
            deployment_id=deployment_id(program.deployment_name),
            definition=program.definition(),
            compatible_with_chat_assistant=program.available_in_chat_assistant,
        )
        self.registrations[reg.id] = reg
        return wf

    def __init_collections(self) -> None:
        self.programs.clear()
        self.workflows.clear()
        self.registrations.clear()
        self.deployments.clear()
        self.executions.clear()
        self.runs.clear()
        self.events.clear()
        self.logs.clear()
        self._ended.clear()
        self.schedules.clear()

    def _add_deployment(self, name: str, created: Any, workers: list[str], active: bool) -> DeploymentRecord:
        record = DeploymentRecord(
            id=deployment_id(name),
            name=name,
            created_at=created,
            updated_at=created,
            workers=[WorkerRecord(w, created, now() if active else created, active) for w in workers],
        )
        self.deployments[name] = record
        return record

    # lookups ------------------------------------------------------------------------------------

    def workflow(self, identifier: str) -> WorkflowRecord:
        """A workflow by id or by name; 404 otherwise."""
        found = self.workflows.get(identifier)
        if found is None:
            found = next((w for w in self.workflows.values() if w.name == identifier), None)
        if found is None:
            raise not_found("Workflow", identifier)
        return found

    def execution(self, execution_id: str) -> ExecutionRecord:
        """An execution by id; 404 WF_1100 otherwise."""
        found = self.executions.get(execution_id)
        if found is None:
            raise not_found("Execution", execution_id)
        return found

    def deployment(self, name: str) -> DeploymentRecord:
        """A deployment by name; 404 otherwise."""
        found = self.deployments.get(name)
        if found is None:
            raise not_found("Deployment", name)
        return found

    def registrations_of(self, wf_id: str) -> list[RegistrationRecord]:
        return [r for r in self.registrations.values() if r.workflow_id == wf_id]

    def registration_active(self, reg: RegistrationRecord) -> bool:
        deployment = self.deployments.get(reg.deployment_name)
        return deployment is not None and deployment.is_active

    def workflow_active(self, wf: WorkflowRecord) -> bool:
        return any(self.registration_active(r) for r in self.registrations_of(wf.id))

    # events and logs ----------------------------------------------------------------------------

    def publish(self, event: StreamEvent) -> None:
        """Append an event (its seq must come from next_seq) and wake the streams."""
        self.events.append(event)
        self.notify()

    def next_seq(self) -> int:
        return self.events.next_seq()

    def add_log(
        self,
        body: str,
        *,
        deployment: str,
        severity: str = "INFO",
        execution: ExecutionRecord | None = None,
        run: RunRecord | None = None,
        activity_id: str | None = None,
    ) -> LogRecord:
        """Append a log line of a deployment (and of an execution when given)."""
        dep = self.deployments.get(deployment)
        worker = dep.workers[0].name if dep is not None and dep.workers else "sandbox-worker-1"
        record = LogRecord(
            seq=self.logs.next_seq(),
            timestamp=now(),
            severity=severity,
            body=body,
            execution_id=execution.execution_id if execution else None,
            run_id=run.run_id if run else None,
            deployment_name=deployment,
            worker_name=worker,
            workflow_name=execution.workflow_name if execution else None,
            trace_id=run.trace_id if run else secrets.token_hex(16),
            span_id=secrets.token_hex(8),
            activity_id=activity_id,
        )
        self.logs.append(record)
        self.notify()
        return record

    # retention ----------------------------------------------------------------------------------

    def ended(self, execution: ExecutionRecord) -> None:
        """Record that an execution's run ended; evict the oldest ended executions beyond the limit."""
        self._ended[execution.execution_id] = None
        self._ended.move_to_end(execution.execution_id)
        while len(self._ended) > self.keep_executions:
            oldest, _ = self._ended.popitem(last=False)
            self._evict(oldest)

    def restarted(self, execution: ExecutionRecord) -> None:
        """A reset started a new run: the execution is running again and no longer evictable."""
        self._ended.pop(execution.execution_id, None)

    def _evict(self, execution_id: str) -> None:
        execution = self.executions.pop(execution_id, None)
        if execution is None:
            return
        for run in execution.runs:
            self.runs.pop(run.run_id, None)
        self.events.drop_owner(execution_id)
        self.logs.drop_owner(execution_id)
        schedule = self.schedules.get(execution.schedule_id or "")
        if schedule is not None and execution_id in schedule.executions:
            schedule.executions.remove(execution_id)

    # change notification ------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake every stream waiting for a change."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_change(self, seconds: float) -> None:
        """Return on the next change, or after `seconds`."""
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), seconds)


def managed_spec(
    github_url: str | None,
    revision: str | None,
    archive_id: str | None = None,
    backend_spec: dict[str, Any] | None = None,
    requested_roles: list[str] | None = None,
) -> dict[str, Any]:
    """A managed deployment's `DeploymentWorkerSpecResponse`, built from a repository or an uploaded archive."""
    return {
        "github_url": github_url or "",
        "type": "workflows_worker",
        "revision": revision,
        "archive_id": archive_id,
        "backend_spec": {
            "type": "mistral_cloud",
            "build_directory": None,
            "dockerfile_path": None,
            "secrets": None,
            **(backend_spec or {}),
        },
        "requested_roles": requested_roles,
        "restarted_at": None,
        "commit": None
        if github_url is None
        else {"sha": "0" * 40, "message": "sandbox build", "author": None, "html_url": None},
    }


def resources(replicas: int | None) -> dict[str, Any]:
    """`DeploymentResourceConfig`: the live API sizes workers by `replicas` only."""
    return {"replicas": 1 if replicas is None else replicas}

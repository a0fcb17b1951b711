"""In-memory records of the sandbox and their upstream JSON shapes (component schemas of the spec)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .ids import CUSTOMER_ID, WORKSPACE_ID, iso, iso_req, new_id
from .schedule_spec import ScheduleDefinition

TERMINAL_EVENT_TYPES = frozenset(
    {"WORKFLOW_EXECUTION_COMPLETED", "WORKFLOW_EXECUTION_FAILED", "WORKFLOW_EXECUTION_CANCELED"}
)


@dataclass
class WorkflowRecord:
    """A workflow type (`Workflow`, `WorkflowBasicDefinition`, `WorkflowWithWorkerStatus`)."""

    id: str
    name: str
    display_name: str
    description: str | None
    tags: list[str]
    archived: bool = False
    available_in_chat_assistant: bool = False
    is_technical: bool = False
    shared_namespace: str | None = None

    def to_workflow(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "type": "code",
            "description": self.description,
            "customer_id": CUSTOMER_ID,
            "workspace_id": WORKSPACE_ID,
            "shared_namespace": self.shared_namespace,
            "available_in_chat_assistant": self.available_in_chat_assistant,
            "is_technical": self.is_technical,
            "archived": self.archived,
            "tags": list(self.tags),
        }

    def to_basic(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "description": self.description,
            "metadata": {"shared_namespace": self.shared_namespace},
            "archived": self.archived,
            "tags": list(self.tags),
        }


@dataclass
class RegistrationRecord:
    """One registration of a workflow's code by a deployment (`WorkflowRegistration`)."""

    id: str
    workflow_id: str
    deployment_name: str
    deployment_id: str
    definition: dict[str, Any]
    compatible_with_chat_assistant: bool = False

    def to_json(self, workflow: WorkflowRecord | None, active: bool | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "deployment_id": self.deployment_id,
            "task_queue": self.deployment_name,
            "definition": self.definition,
            "workflow_id": self.workflow_id,
            "workflow": workflow.to_workflow() if workflow is not None else None,
            "deployment_name": self.deployment_name,
            "compatible_with_chat_assistant": self.compatible_with_chat_assistant,
        }
        if active is not None:
            body["active"] = active
        return body


@dataclass
class WorkerRecord:
    """One worker process of a deployment (`DeploymentWorkerResponse`)."""

    name: str
    created_at: datetime
    updated_at: datetime
    is_active: bool

    @property
    def last_heartbeat(self) -> datetime:
        """Sandbox workers do not beat: this is when the worker last started or stopped, so repeated reads
        agree. Liveness is `is_active`, which the live API derives from the heartbeats."""
        return self.updated_at

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": iso_req(self.created_at),
            "last_heartbeat": iso_req(self.last_heartbeat),
            "updated_at": iso_req(self.updated_at),
            "is_active": self.is_active,
            "location": {"location_type": "local", "k8s_cluster": None, "k8s_namespace": None},
        }


@dataclass
class ManagedState:
    """The managed part of a deployment (`ManagedDeploymentResponse`)."""

    service_id: str
    spec: dict[str, Any]
    resources: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    hardened: bool = False
    stopped: bool = False
    generation: int = 1
    phase: str = "Running"
    rollout_status: str = "complete"


def _spec_keys_of_older_clients(spec: dict[str, Any]) -> dict[str, Any]:
    """`commit_sha`, `entrypoint`, `working_dir`: gone from the live spec (now in `commit` and `backend_spec`),
    but mistralai 2.10.1, which workflow authors' tooling pins, fails to parse a deployment without them."""
    backend = spec.get("backend_spec") or {}
    return {
        "commit_sha": (spec.get("commit") or {}).get("sha"),
        "entrypoint": backend.get("entrypoint"),
        "working_dir": backend.get("working_dir"),
    }


@dataclass
class DeploymentRecord:
    """A deployment, self-hosted or managed (`DeploymentResponse`, `DeploymentDetailResponse`)."""

    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    workers: list[WorkerRecord]
    is_hardened: bool = False
    managed: ManagedState | None = None

    @property
    def is_active(self) -> bool:
        return any(w.is_active for w in self.workers)

    @property
    def last_heartbeat(self) -> datetime:
        """The latest heartbeat of any of its workers (its creation when it never had one)."""
        return max((w.last_heartbeat for w in self.workers), default=self.created_at)

    def managed_json(self) -> dict[str, Any] | None:
        m = self.managed
        if m is None:
            return None
        replicas = 0 if m.stopped else int(m.resources.get("replicas") or 1)
        return {
            "service_id": m.service_id,
            "name": self.name,
            "spec": {**m.spec, **_spec_keys_of_older_clients(m.spec)},
            "resources": m.resources,
            "status": {
                "phase": m.phase,
                "available_replicas": replicas,
                "ready_replicas": replicas,
                "endpoint": None,
                "message": None,
                "last_seen": iso(m.updated_at),
                "deployed_revision": m.spec.get("revision"),
                "generation": m.generation,
                "build_state": {
                    "phase": "Succeeded",
                    "commit_sha": (m.spec.get("commit") or {}).get("sha"),
                    "image": f"sandbox.local/{self.name}:{m.generation}",
                    "message": None,
                    "started_at": iso(m.updated_at),
                    "finished_at": iso(m.updated_at),
                },
            },
            "created_at": iso_req(m.created_at),
            "updated_at": iso_req(m.updated_at),
            "stopped": m.stopped,
            "rollout_status": m.rollout_status,
            "created_by": "sandbox-user",
            "updated_by": "sandbox-user",
            "deployed_by": "sandbox-user",
            "deployed_at": iso(m.updated_at),
            "is_hardened": m.hardened,
        }

    def to_json(self, with_workers: bool = False) -> dict[str, Any]:
        location_type = "managed" if self.managed is not None else "local"
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "is_active": self.is_active,
            "is_hardened": self.is_hardened,
            "created_at": iso_req(self.created_at),
            "last_heartbeat": iso_req(self.last_heartbeat),
            "updated_at": iso_req(self.updated_at),
            "location": {"location_type": location_type, "k8s_cluster": None, "k8s_namespace": None},
            "worker_count": len(self.workers),
            "active_worker_count": sum(1 for w in self.workers if w.is_active),
            "locations": [location_type],
            "managed": self.managed_json(),
        }
        if with_workers:
            body["workers"] = [w.to_json() for w in self.workers]
        return body


@dataclass
class HandledMessage:
    """A signal or update a run accepted, kept so a reset can re-apply it."""

    history_event_id: int
    kind: str
    name: str
    input: dict[str, Any]


@dataclass
class RunRecord:
    """One attempt of an execution; a reset starts a new one under the same execution id."""

    run_id: str
    execution_id: str
    input: dict[str, Any]
    start_time: datetime
    status: str = "RUNNING"
    end_time: datetime | None = None
    result: Any = None
    failure_message: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    stop_reason: str | None = None
    trace_id: str = ""
    messages: list[HandledMessage] = field(default_factory=list)
    continued_run_id: str | None = None
    search_attributes: dict[str, str] = field(default_factory=dict)  # upserted by the workflow (waiting for input)

    @property
    def running(self) -> bool:
        return self.status == "RUNNING"

    def duration_ms(self) -> int | None:
        if self.end_time is None:
            return None
        return int((self.end_time - self.start_time).total_seconds() * 1000)


@dataclass
class ExecutionRecord:
    """One execution with all its runs; reads show the latest run."""

    execution_id: str
    workflow_id: str
    workflow_name: str
    deployment_name: str
    registration_id: str
    runs: list[RunRecord]
    parent_execution_id: str | None = None
    schedule_id: str | None = None
    user_id: str = "sandbox-user"
    resetting: bool = False
    chain_run_id: str = field(default_factory=new_id)

    @property
    def root_execution_id(self) -> str:
        return self.execution_id

    @property
    def current(self) -> RunRecord:
        return self.runs[-1]

    def run_json(self, run: RunRecord, with_result: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "workflow_name": self.workflow_name,
            "workflow_id": self.workflow_id,
            "deployment_name": self.deployment_name,
            "execution_id": self.execution_id,
            "parent_execution_id": self.parent_execution_id,
            "root_execution_id": self.root_execution_id,
            "run_id": run.run_id,
            "user_id": self.user_id,
            "status": run.status,
            "start_time": iso_req(run.start_time),
            "end_time": iso(run.end_time),
            "total_duration_ms": run.duration_ms(),
        }
        if with_result:
            body["result"] = run.result
        return body

    def to_json(self, with_result: bool = True) -> dict[str, Any]:
        return self.run_json(self.current, with_result)

    def search_keys(self, run: RunRecord) -> dict[str, str]:
        """The run's search attributes (`search_keys` of an execution; `search_key=k:v` filters runs)."""
        return {
            "workflow_name": self.workflow_name,
            "deployment_name": self.deployment_name,
            "execution_id": self.execution_id,
            "schedule_id": self.schedule_id or "",
            "status": run.status,
            **run.search_attributes,
        }


@dataclass
class StreamEvent:
    """One published workflow event with its global `broker_sequence`."""

    seq: int
    stream: str
    timestamp: datetime
    execution_id: str
    run_id: str
    workflow_name: str
    data: dict[str, Any]
    metadata: dict[str, Any]
    activity_name: str | None = None
    activity_id: str | None = None
    parent_execution_id: str | None = None

    @property
    def event_type(self) -> str:
        return str(self.data["event_type"])

    @property
    def is_terminal(self) -> bool:
        return self.event_type in TERMINAL_EVENT_TYPES

    def to_payload(self) -> dict[str, Any]:
        """`StreamEventSsePayload`."""
        return {
            "stream": self.stream,
            "timestamp": iso_req(self.timestamp),
            "data": self.data,
            "workflow_context": {
                "namespace": "sandbox",
                "workflow_name": self.workflow_name,
                "workflow_exec_id": self.execution_id,
                "parent_workflow_exec_id": self.parent_execution_id,
                "root_workflow_exec_id": self.execution_id,
            },
            "metadata": self.metadata,
            "broker_sequence": self.seq,
        }


@dataclass
class LogRecord:
    """A log line of an execution and of the deployment that ran it."""

    seq: int
    timestamp: datetime
    severity: str
    body: str
    execution_id: str | None
    run_id: str | None
    deployment_name: str
    worker_name: str
    workflow_name: str | None
    trace_id: str
    span_id: str
    activity_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        attributes = {"deployment_name": self.deployment_name, "worker_name": self.worker_name}
        for key, value in (
            ("execution_id", self.execution_id),
            ("run_id", self.run_id),
            ("workflow_name", self.workflow_name),
            ("activity_id", self.activity_id),
        ):
            if value is not None:
                attributes[key] = value
        return {
            "timestamp": iso_req(self.timestamp),
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "severity_text": self.severity,
            "body": self.body,
            "log_attributes": attributes,
        }


@dataclass
class ScheduleRecord:
    """A schedule and its firing bookkeeping (`ScheduleDefinitionOutput`)."""

    schedule_id: str
    workflow_id: str
    workflow_name: str
    deployment_name: str | None
    definition: ScheduleDefinition
    created_at: datetime
    paused: bool = False
    note: str | None = None
    fired: int = 0
    recent: list[dict[str, Any]] = field(default_factory=list)
    next_fire: datetime | None = None
    anchor: datetime | None = None
    user_id: str = "sandbox-user"
    executions: list[str] = field(default_factory=list)

"""Workflows and registrations (the `workflows` area of the spec)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from mcp_workflows.api.models.base import RequestModel, UpstreamModel


class Workflow(UpstreamModel):
    """`WorkflowWithWorkerStatus` (single reads) / `WorkflowBasicDefinition` (list rows).

    List rows carry only id, name, display_name, description, archived and tags: the fields only
    single reads have stay None there, so nothing is shown that the API did not say.
    """

    id: str
    name: str
    display_name: str
    description: str | None = None
    archived: bool | None = None
    tags: list[str] = Field(default_factory=list)
    available_in_chat_assistant: bool | None = None
    is_technical: bool | None = None
    shared_namespace: str | None = None
    active: bool | None = None


class WorkflowList(UpstreamModel):
    workflows: list[Workflow]
    next_cursor: str | None = None


HandlerKind = Literal["signal", "query", "update"]


class HandlerDefinition(UpstreamModel):
    """A signal, query or update handler declared by the workflow's code."""

    name: str
    description: str | None = None
    input_schema: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None


class WorkflowCodeDefinition(UpstreamModel):
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None = None
    signals: list[HandlerDefinition] = Field(default_factory=list)
    queries: list[HandlerDefinition] = Field(default_factory=list)
    updates: list[HandlerDefinition] = Field(default_factory=list)
    execution_timeout: float | None = None
    on_behalf_of: bool = False

    def handlers(self) -> list[tuple[HandlerKind, HandlerDefinition]]:
        """Every handler the code declares, with its kind: signals, then queries, then updates."""
        kinds: list[tuple[HandlerKind, list[HandlerDefinition]]] = [
            ("signal", self.signals),
            ("query", self.queries),
            ("update", self.updates),
        ]
        return [(kind, handler) for kind, handlers in kinds for handler in handlers]


class WorkflowRegistration(UpstreamModel):
    id: str
    workflow_id: str
    definition: WorkflowCodeDefinition
    deployment_name: str | None = None
    compatible_with_chat_assistant: bool = False
    active: bool | None = None
    workflow: Workflow | None = None


class WorkflowRegistrationList(UpstreamModel):
    workflow_registrations: list[WorkflowRegistration]
    next_cursor: str | None = None


class WorkflowUpdate(RequestModel):
    """`WorkflowUpdateRequest`: fields left as None are not sent, so they keep their value."""

    display_name: str | None = Field(default=None, max_length=128)
    description: str | None = None
    available_in_chat_assistant: bool | None = None
    tags: list[str] | None = None


class WorkflowTagsRequest(RequestModel):
    """`WorkflowTagsRequest` body of `POST /{workflow_identifier}/tags`."""

    tags: list[str]


class WorkflowBulkArchiveRequest(RequestModel):
    """`WorkflowBulkArchiveRequest` / `WorkflowBulkUnarchiveRequest`: workflow UUIDs, not names."""

    workflow_ids: list[str] = Field(min_length=1, max_length=100)


class BulkArchiveResult(UpstreamModel):
    """`WorkflowBulkArchiveResponse` / `WorkflowBulkUnarchiveResponse`, under one name."""

    done: list[Workflow] = Field(default_factory=list)
    errored: list[dict[str, Any]] = Field(default_factory=list)

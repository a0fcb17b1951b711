"""Workflow registrations (input and handler schemas), cached for a short while, and the one rule
for which registration a call is about.

get_workflow, execute_workflow and the signal/query/update tools all need a workflow's code
definition, which only its registrations carry. Definitions change only when a worker deploys new
code, so a short TTL saves a request on most calls while a redeploy shows within a minute.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from mcp_workflows.api.operations import is_uuid

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.api.models.executions import Execution
    from mcp_workflows.api.models.workflows import WorkflowRegistration


class Registrations:
    """Registrations that may belong to a workflow, by the identifier the caller used."""

    def __init__(
        self,
        api: WorkflowsClient,
        ttl_s: float = 60.0,
        max_entries: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, list[WorkflowRegistration]]] = OrderedDict()

    def cached(self, workflow_identifier: str) -> list[WorkflowRegistration] | None:
        """The fresh cached candidates, without any request; None when a lookup is due."""
        entry = self._entries.get(workflow_identifier)
        if entry is not None and self._clock() - entry[0] < self._ttl_s:
            return entry[1]
        return None

    async def candidates(self, workflow_identifier: str) -> list[WorkflowRegistration]:
        """Active registrations matching a workflow name or id (filter by workflow after)."""
        if (cached := self.cached(workflow_identifier)) is not None:
            return cached
        if is_uuid(workflow_identifier):
            page = await self._api.workflows.list_registrations(
                workflow_id=workflow_identifier, active_only=True, limit=10
            )
        else:
            page = await self._api.workflows.list_registrations(
                workflow_search=workflow_identifier, active_only=True, with_workflow=True, limit=50
            )
        self._store(workflow_identifier, page.workflow_registrations)
        return page.workflow_registrations

    async def of_workflow(self, workflow_id: str, workflow_identifier: str) -> tuple[list[WorkflowRegistration], bool]:
        """The registrations of one workflow and whether a worker serves them: the active ones when
        any (list rows do not say which are active; `active_only` does), else any registration."""
        mine = [r for r in await self.candidates(workflow_identifier) if r.workflow_id == workflow_id]
        if mine:
            return mine, True
        page = await self._api.workflows.list_registrations(workflow_id=workflow_id, limit=10)
        return page.workflow_registrations, False

    async def to_run(self, workflow_identifier: str, deployment_name: str | None) -> WorkflowRegistration | None:
        """The registration an execution of this workflow will run, when it is known without a guess."""
        return _one(
            await self.candidates(workflow_identifier), workflow_identifier, deployment_name, only_if_unique=True
        )

    async def of_execution(self, execution: Execution) -> WorkflowRegistration | None:
        """The registration an execution runs: the one of its deployment, else any of its workflow."""
        registrations = await self.candidates(execution.workflow_name)
        return _one(registrations, execution.workflow_name, execution.deployment_name, only_if_unique=False)

    def _store(self, key: str, registrations: list[WorkflowRegistration]) -> None:
        self._entries[key] = (self._clock(), registrations)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


def _one(
    registrations: list[WorkflowRegistration],
    workflow_identifier: str,
    deployment_name: str | None,
    *,
    only_if_unique: bool,
) -> WorkflowRegistration | None:
    """The registration of this workflow (by name or id) on this deployment (when given).

    With `only_if_unique`, None unless exactly one matches; otherwise a match on the deployment
    wins, and any registration of the workflow stands in when none runs on it.
    """
    mine = [r for r in registrations if workflow_identifier in (r.workflow_id, r.workflow.name if r.workflow else None)]
    on_deployment = [r for r in mine if deployment_name is None or r.deployment_name == deployment_name]
    if only_if_unique:
        return on_deployment[0] if len(on_deployment) == 1 else None
    chosen = on_deployment or mine
    return chosen[0] if chosen else None

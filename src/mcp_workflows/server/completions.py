"""Argument completions (`completion/complete`): workflow names, recent execution ids, deployment
names and schedule ids, wherever a prompt argument or a resource template variable takes one.

Each kind costs one listing call (narrowed by what the other arguments already say: the
deployments that serve the chosen workflow), kept a few seconds so a client completing as the user
types does not call the API on every keystroke. Values start with what was typed (any case), at
most MAX_VALUES of them, and workflows out of the operator's allow/deny scope never show. A listing
that fails completes nothing (and logs why) instead of breaking the client's input box.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from mcp.server import ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CompleteRequestParams, CompleteResult, Completion, PromptReference

from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.api.operations import is_uuid
from mcp_workflows.server import prompts, resources

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.server.guard.scope import WorkflowScope
    from mcp_workflows.server.state import AppState

logger = logging.getLogger("mcp_workflows.server")

MAX_VALUES = 20
MAX_ENTRIES = 64
# Seconds a listing is reused: executions come and go quickly, the rest changes with deploys.
TTL_S = {"workflow": 60.0, "execution_id": 10.0, "deployment": 60.0, "schedule_id": 30.0}

Row = tuple[str, str | None]  # a value, and the workflow it belongs to (None: no workflow)


class Completions:
    """Completion values per argument name, from short-lived cached listings."""

    def __init__(self, api: WorkflowsClient, scope: WorkflowScope, clock: Callable[[], float] = time.monotonic) -> None:
        self._api = api
        self._scope = scope
        self._clock = clock
        self._cache: OrderedDict[tuple[str, str | None], tuple[float, list[Row]]] = OrderedDict()

    async def complete(self, argument: str, typed: str, context: Mapping[str, str]) -> Completion:
        if argument not in TTL_S:
            return Completion(values=[])
        narrowed_to = context.get("workflow") if argument == "deployment" else None
        if narrowed_to is not None and is_uuid(narrowed_to):
            narrowed_to = None  # the listing filters by workflow name only
        try:
            rows = await self._rows(argument, narrowed_to)
        except WorkflowsAPIError as exc:
            logger.warning("no completions for %s: %s", argument, exc)
            return Completion(values=[])
        prefix = typed.casefold()
        values = list(
            dict.fromkeys(
                value
                for value, workflow in rows
                if value.casefold().startswith(prefix) and (workflow is None or self._scope.refusal(workflow) is None)
            )
        )
        return Completion(values=values[:MAX_VALUES], total=len(values), has_more=len(values) > MAX_VALUES)

    async def _rows(self, argument: str, narrowed_to: str | None) -> list[Row]:
        key = (argument, narrowed_to)
        entry = self._cache.get(key)
        if entry is not None and self._clock() - entry[0] < TTL_S[argument]:
            return entry[1]
        rows = await self._listing(argument, narrowed_to)
        self._cache[key] = (self._clock(), rows)
        self._cache.move_to_end(key)
        while len(self._cache) > MAX_ENTRIES:
            self._cache.popitem(last=False)
        return rows

    def _listing(self, argument: str, narrowed_to: str | None) -> Awaitable[list[Row]]:
        listings: dict[str, Callable[[], Awaitable[list[Row]]]] = {
            "workflow": self._workflows,
            "execution_id": self._executions,
            "deployment": lambda: self._deployments(narrowed_to),
            "schedule_id": self._schedules,
        }
        return listings[argument]()

    async def _workflows(self) -> list[Row]:
        page = await self._api.workflows.list(archived=False, limit=100)
        return [(w.name, w.name) for w in page.workflows]

    async def _executions(self) -> list[Row]:
        page = await self._api.runs.list(page_size=50)  # newest first
        return [(e.execution_id, e.workflow_name) for e in page.executions]

    async def _deployments(self, workflow: str | None) -> list[Row]:
        page = await self._api.deployments.list(workflow_name=workflow, limit=100)
        return [(d.name, None) for d in page.deployments]

    async def _schedules(self) -> list[Row]:
        page = await self._api.schedules.list(page_size=50)
        return [(s.schedule_id, s.workflow_name) for s in page.schedules]


async def complete(ctx: ServerRequestContext[Any, Any], params: CompleteRequestParams) -> CompleteResult:
    """`completion/complete`: the arguments of our prompts and the variables of our templates."""
    ref = params.ref
    if isinstance(ref, PromptReference):
        takes = prompts.argument_names(ref.name)
        if takes is None:
            raise MCPError(code=INVALID_PARAMS, message=f"no prompt {ref.name[:100]!r}; prompts/list shows them.")
    else:
        takes = resources.template_variables(ref.uri)
        if not takes:
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"no resource template {ref.uri[:200]!r}; resources/templates/list shows them.",
            )
    if params.argument.name not in takes:
        return CompleteResult(completion=Completion(values=[]))
    state: AppState = ctx.lifespan_context
    context = (params.context.arguments if params.context else None) or {}
    completion = await state.completions.complete(params.argument.name, params.argument.value, context)
    return CompleteResult(completion=completion)

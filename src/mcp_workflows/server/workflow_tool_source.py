"""The live set of workflow tools: read from the API, then kept for MCP_WORKFLOWS_WORKFLOW_TOOLS_TTL_S.

Nothing runs in the background. The server asks for a refresh when a tools/list or tools/call comes
in (server/app.py): once the TTL has passed, the workflows and their active registrations are read
again (two or three listings) and the set is rebuilt; the server announces tools/list_changed when
the tools differ. A failed reading keeps the current set and is tried again after a short while, and
a slow one is given up, so an unreachable API never holds up the request that asked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio

from mcp_workflows.api.errors import WorkflowsAPIError
from mcp_workflows.config import Settings
from mcp_workflows.server.tool_index import indexed_specs, indexed_tools
from mcp_workflows.server.workflow_tools import (
    CHAT,
    EXECUTE,
    Candidate,
    WorkflowToolSet,
    patterns,
    select_workflow_tools,
)

if TYPE_CHECKING:
    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.api.models.workflows import Workflow, WorkflowRegistration

logger = logging.getLogger("mcp_workflows.server")

PAGE_SIZE = 1000  # the API's largest page
MAX_PAGES = 10
RETRY_AFTER_FAILURE_S = 30.0
REFRESH_BUDGET_S = 10.0


class WorkflowToolSource:
    """The current workflow tools, and when to read them again."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._due_at: float | None = None  # None: never read
        self._lock = anyio.Lock()
        self.current = WorkflowToolSet()
        self.generation = 0  # moves whenever the advertised tools change

    @property
    def enabled(self) -> bool:
        """Workflow tools are asked for; read-only mode has none (they start executions)."""
        return bool(patterns(self._settings.workflow_tools)) and not self._settings.read_only

    def due(self) -> bool:
        return self.enabled and (self._due_at is None or self._clock() >= self._due_at)

    async def refresh(self, api: WorkflowsClient) -> bool:
        """Read the set again when it is due; True when the tools changed since the last reading
        (not on the first, which the caller's tools/list shows anyway)."""
        if not self.due():
            return False
        async with self._lock:
            if not self.due():  # another request refreshed it meanwhile
                return False
            first = self._due_at is None
            ttl = self._settings.workflow_tools_ttl_s
            fresh = await self._read(api)
            if fresh is None:
                self._due_at = self._clock() + min(ttl, RETRY_AFTER_FAILURE_S)
                return False
            self._due_at = self._clock() + ttl
            changed = not fresh.same_tools(self.current)
            self.current = fresh
            if changed:
                self.generation += 1
                logger.info(
                    "workflow tools: %d offered, %d left out (`mcp-workflows tools` says why)",
                    len(fresh.tools),
                    len(fresh.left_out),
                )
            return changed and not first

    async def _read(self, api: WorkflowsClient) -> WorkflowToolSet | None:
        with anyio.move_on_after(REFRESH_BUDGET_S):
            try:
                candidates = await read_candidates(api, chat=CHAT in patterns(self._settings.workflow_tools))
            except WorkflowsAPIError as exc:
                logger.warning("workflow tools: could not read the workflows (%s); keeping the current set", exc)
                return None
            return select_workflow_tools(candidates, self._settings, indexed_specs(), indexed_tools()[EXECUTE])
        logger.warning(
            "workflow tools: reading the workflows took over %g s; keeping the current set", REFRESH_BUDGET_S
        )
        return None


async def read_candidates(api: WorkflowsClient, *, chat: bool) -> list[Candidate]:
    """Every unarchived workflow of the workspace, with its active registration's input schema."""
    workflows: list[Workflow] = await _pages(
        lambda cursor: api.workflows.list(archived=False, include_shared=False, cursor=cursor, limit=PAGE_SIZE),
        "workflows",
    )
    chat_ids: set[str] = set()
    if chat:  # list rows do not say whether a workflow is offered in the chat assistant; the filter does
        offered: list[Workflow] = await _pages(
            lambda cursor: api.workflows.list(
                archived=False, include_shared=False, available_in_chat_assistant=True, cursor=cursor, limit=PAGE_SIZE
            ),
            "workflows",
        )
        chat_ids = {workflow.id for workflow in offered}
    served: list[WorkflowRegistration] = await _pages(
        lambda cursor: api.workflows.list_registrations(
            active_only=True, archived=False, include_shared=False, cursor=cursor, limit=PAGE_SIZE
        ),
        "workflow_registrations",
    )
    schemas: dict[str, dict[str, Any]] = {}
    for registration in served:  # the first active one, as get_workflow shows it
        schemas.setdefault(registration.workflow_id, registration.definition.input_schema)
    return [
        Candidate(
            name=workflow.name,
            display_name=workflow.display_name,
            description=workflow.description,
            chat=workflow.id in chat_ids or bool(workflow.available_in_chat_assistant),
            input_schema=schemas.get(workflow.id),
        )
        for workflow in workflows
        if not workflow.archived
    ]


async def _pages(fetch: Callable[[str | None], Any], rows: str) -> list[Any]:
    """The rows of every page of a listing (up to MAX_PAGES pages)."""
    found: list[Any] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = await fetch(cursor)
        found.extend(getattr(page, rows))
        cursor = page.next_cursor
        if not cursor:
            break
    return found

"""Executions followed in the background for resource subscribers: one watch per execution,
shared by its subscribers, capped, ended when the execution ends or its last subscriber leaves.

A watch follows the execution with `waiting.wait_for_end` (its event stream, a polling fallback),
in segments: the end comes as soon as the stream says so, and a change that ends nothing (RUNNING
<-> RETRYING_AFTER_ERROR, a new run after continue-as-new) shows at the next segment, one GET
later. It publishes `ResourceUpdated(uri)` on the server's `SubscriptionBus` when the status (or
run) changes and once when the execution has ended, so a subscriber that read the execution just
before it ended still hears of it. The bus is the only way out: the SDK's listen streams and the
handshake-era subscribers (server/subscriptions.py) both read it, and a bus shared by replicas
(Redis) would carry the same events.

Cancelling a watch closes its upstream stream at once (the wait's `async with` exits). A person
being asked for input changes what get_execution shows but not the status: watches do not look for
it (the wait gets no `registrations`), so subscribers hear of status changes only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio
from mcp.server.subscriptions import ResourceUpdated, SubscriptionBus

from mcp_workflows.api.errors import NotFound, WorkflowsAPIError

if TYPE_CHECKING:
    from anyio.abc import TaskGroup

    from mcp_workflows.api.client import WorkflowsClient
    from mcp_workflows.api.models.executions import Execution

logger = logging.getLogger("mcp_workflows.server")

SEGMENT_S = 60.0  # one GET (and a stream reconnect) per watched execution per segment, at most
MAX_FAILURES = 5  # consecutive upstream failures before a watch gives up (after one last update)
MAX_BACKOFF_S = 60.0


class WatchLimitReached(Exception):
    """Every watch slot is taken."""


@dataclass(eq=False)
class Watch:
    """One followed execution; `holders` subscribers keep it running. `uris` are the ways they
    wrote its URI (`a:b` or `a%3Ab`): updates name each, since subscriptions match URIs exactly."""

    execution_id: str
    uris: set[str] = field(default_factory=lambda: set())
    holders: int = 0
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    ended: bool = False  # the execution ended (or could not be followed): nothing more will be published


class ExecutionWatches:
    """The running watches, at most `limit` at once, in the task group of the server's lifespan."""

    def __init__(
        self,
        api: WorkflowsClient,
        bus: SubscriptionBus,
        group: TaskGroup,
        *,
        limit: int,
    ) -> None:
        self._api = api
        self._bus = bus
        self._group = group
        self._limit = limit
        self._running: dict[str, Watch] = {}

    @property
    def limit(self) -> int:
        return self._limit

    def running(self) -> list[str]:
        """Ids of the executions followed now."""
        return list(self._running)

    def hold(self, execution_id: str, uri: str) -> Watch:
        """Join the execution's watch (starting it if needed) for a subscriber of `uri`; give the
        handle back to `release`."""
        watch = self._running.get(execution_id)
        if watch is None:
            if len(self._running) >= self._limit:
                raise WatchLimitReached(
                    f"{self._limit} executions are followed already (MCP_WORKFLOWS_MAX_RESOURCE_WATCHES); "
                    "unsubscribe from one, or read the resource again later instead"
                )
            watch = self._running[execution_id] = Watch(execution_id)
            self._group.start_soon(self._run, watch, name=f"watch {execution_id}")
        watch.holders += 1
        watch.uris.add(uri)
        return watch

    def release(self, watch: Watch) -> None:
        """One holder leaves; the last one stops the watch (and closes its upstream stream)."""
        watch.holders -= 1
        if watch.holders <= 0:
            watch.scope.cancel()
            if self._running.get(watch.execution_id) is watch:
                del self._running[watch.execution_id]

    async def _run(self, watch: Watch) -> None:
        try:
            with watch.scope:
                await self._follow(watch)
        except Exception:  # a watch must never take the server's task group down
            logger.exception("watch of execution %s failed", watch.execution_id)
        finally:
            watch.ended = True
            if self._running.get(watch.execution_id) is watch:
                del self._running[watch.execution_id]

    async def _follow(self, watch: Watch) -> None:
        from mcp_workflows.server.waiting import wait_for_end

        known: Execution | None = None
        cursor: str | None = None
        seen: tuple[str | None, str | None] | None = None
        budget = 0.0  # the first look only reads the record: the state subscribers start from
        failures = 0
        while True:
            try:
                waited = await wait_for_end(
                    self._api, watch.execution_id, budget, after=cursor, known=known, quiet_s=SEGMENT_S
                )
            except NotFound:
                await self._publish(watch)
                return
            except WorkflowsAPIError as exc:
                failures += 1
                logger.warning("watch of execution %s: %s (%d/%d)", watch.execution_id, exc, failures, MAX_FAILURES)
                if failures >= MAX_FAILURES:
                    await self._publish(watch)
                    return
                await anyio.sleep(min(2.0**failures, MAX_BACKOFF_S))
                known, cursor = None, None
                continue
            failures, budget = 0, SEGMENT_S
            execution = waited.execution
            state = (execution.status, execution.run_id)
            ended = execution.is_terminal and execution.status != "CONTINUED_AS_NEW"
            if ended or (seen is not None and state != seen):
                await self._publish(watch)
            if ended:
                return
            seen = state
            # The stream goes on across continue-as-new; a record still showing the old run is read again.
            known = None if execution.status == "CONTINUED_AS_NEW" else execution
            cursor = waited.cursor

    async def _publish(self, watch: Watch) -> None:
        for uri in sorted(watch.uris):
            await self._bus.publish(ResourceUpdated(uri=uri))

"""Fires schedules: one background task sleeps until the next due schedule and starts its execution.

Interval periods are multiplied by `time_scale` (floored at `schedule_min_interval_s`), so tests can
watch an hourly schedule fire in milliseconds; cron expressions and calendars follow the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from datetime import datetime, timedelta

from .config import SandboxConfig
from .engine import Engine
from .errors import ApiError
from .ids import now
from .models import ScheduleRecord
from .schedule_spec import calendar_sets, parse_cron, zone
from .store import Store

logger = logging.getLogger("mcp_workflows.sandbox")


class Scheduler:
    """Computes firing times and starts the executions of due schedules."""

    def __init__(self, store: Store, engine: Engine, config: SandboxConfig) -> None:
        self.store = store
        self.engine = engine
        self.config = config
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    # lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the timer task (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="sandbox-scheduler")

    async def stop(self) -> None:
        """Stop the timer task and wait for it."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def arm(self, record: ScheduleRecord) -> None:
        """(Re)compute the next firing after a create, patch or resume, and wake the timer."""
        record.anchor = now()
        record.next_fire = self.next_after(record, record.anchor)
        self._wake.set()

    # time math ----------------------------------------------------------------------------------

    def remaining(self, record: ScheduleRecord) -> int | None:
        limit = record.definition.max_executions
        return None if limit is None else max(0, limit - record.fired)

    def next_after(self, record: ScheduleRecord, moment: datetime) -> datetime | None:
        """The first firing strictly after `moment`, or None (exhausted, past end_at, nothing matches)."""
        definition = record.definition
        if self.remaining(record) == 0:
            return None
        if definition.start_at is not None:
            start_at = (
                definition.start_at if definition.start_at.tzinfo else definition.start_at.replace(tzinfo=moment.tzinfo)
            )
            moment = max(moment, start_at - timedelta(microseconds=1))
        tz = zone(definition)
        skips = [calendar_sets(c) for c in definition.skip]
        candidate: datetime | None = None
        cursor = moment
        for _ in range(50):
            options: list[datetime | None] = [
                self._interval_next(record, i.every, i.offset, cursor) for i in definition.intervals
            ]
            local = cursor.astimezone(tz)
            for expression in definition.cron_expressions:
                options.append(parse_cron(expression).next_after(local))
            for calendar in definition.calendars:
                options.append(calendar_sets(calendar).next_after(local))
            found = [o for o in options if o is not None]
            if not found:
                return None
            candidate = min(found)
            if not any(s.matches(candidate.astimezone(tz)) for s in skips):
                break
            cursor = candidate
        if candidate is None:
            return None
        end_at = definition.end_at
        if end_at is not None and candidate > (end_at if end_at.tzinfo else end_at.replace(tzinfo=candidate.tzinfo)):
            return None
        return candidate

    def _interval_next(
        self, record: ScheduleRecord, every: timedelta, offset: timedelta | None, moment: datetime
    ) -> datetime:
        period = max(self.config.schedule_min_interval_s, every.total_seconds() * self.config.time_scale)
        anchor = (record.anchor or record.created_at) + (offset or timedelta()) * self.config.time_scale
        if moment < anchor:
            return anchor
        steps = math.floor((moment - anchor).total_seconds() / period) + 1
        return anchor + timedelta(seconds=steps * period)

    def future(self, record: ScheduleRecord, count: int = 10) -> list[datetime]:
        """The next `count` firings (fewer when the schedule ends)."""
        if record.paused:
            return []
        out: list[datetime] = []
        moment = record.next_fire
        remaining = self.remaining(record)
        while moment is not None and len(out) < count and (remaining is None or len(out) < remaining):
            out.append(moment)
            moment = self.next_after(record, moment)
        return out

    # firing -------------------------------------------------------------------------------------

    async def fire(self, record: ScheduleRecord, scheduled_at: datetime, overlap: int | None = None) -> str | None:
        """Start one execution of the schedule, following its overlap policy; the new execution id or None."""
        policy = overlap or record.definition.policy.overlap
        running = [
            e for e in (self.store.executions.get(x) for x in record.executions) if e is not None and e.current.running
        ]
        if running and policy in (1, 2, 3):
            logger.info("schedule %s skipped a firing: previous execution still running", record.schedule_id)
            return None
        for execution in running if policy in (4, 5) else []:
            with contextlib.suppress(ApiError):
                await self.engine.stop(execution, "cancel" if policy == 4 else "terminate")
        workflow = self.store.workflows.get(record.workflow_id)
        if workflow is None:
            return None
        registrations = self.store.registrations_of(workflow.id)
        if record.deployment_name is not None:
            registrations = [r for r in registrations if r.deployment_name == record.deployment_name] or registrations
        started = now()
        execution_id = f"{record.schedule_id}-{started.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}"
        try:
            execution = self.engine.start(
                workflow, registrations[0], record.definition.input, execution_id, schedule_id=record.schedule_id
            )
        except ApiError as exc:
            logger.warning("schedule %s could not start: %s", record.schedule_id, exc.body.get("detail"))
            return None
        record.fired += 1
        record.executions.append(execution.execution_id)
        record.recent.append(
            {"scheduled_at": scheduled_at, "started_at": started, "execution_id": execution.execution_id}
        )
        del record.recent[:-10]
        return execution.execution_id

    def _pause_after_failure(self, record: ScheduleRecord) -> None:
        if not record.definition.policy.pause_on_failure or not record.executions:
            return
        last = self.store.executions.get(record.executions[-1])
        if last is not None and last.current.status == "FAILED":
            record.paused = True
            record.note = "Paused after a failed execution (pause_on_failure)"

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            moment = now()
            for record in list(self.store.schedules.values()):
                self._pause_after_failure(record)
                if record.paused or record.next_fire is None or record.next_fire > moment:
                    continue
                scheduled_at = record.next_fire
                await self.fire(record, scheduled_at)
                record.next_fire = self.next_after(record, max(moment, scheduled_at))
            upcoming = [r.next_fire for r in self.store.schedules.values() if not r.paused and r.next_fire is not None]
            delay = min(((t - now()).total_seconds() for t in upcoming), default=3600.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, min(delay, 3600.0)))

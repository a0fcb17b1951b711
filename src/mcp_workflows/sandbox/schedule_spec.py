"""Schedule definitions (upstream `ScheduleDefinition`) and when they fire next.

Intervals are exact (and scaled by `time_scale`); cron expressions and calendars are evaluated at
second/minute precision in the schedule's time zone, which is close enough for a sandbox.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from .errors import ApiError

SEARCH_DAYS = 400


class ScheduleRange(BaseModel):
    start: int
    end: int = 0
    step: int = 0


def _rng(start: int, end: int) -> list[ScheduleRange]:
    return [ScheduleRange(start=start, end=end, step=0)]


class ScheduleCalendar(BaseModel):
    second: list[ScheduleRange] = Field(default_factory=lambda: _rng(0, 0))
    minute: list[ScheduleRange] = Field(default_factory=lambda: _rng(0, 0))
    hour: list[ScheduleRange] = Field(default_factory=lambda: _rng(0, 0))
    day_of_month: list[ScheduleRange] = Field(default_factory=lambda: _rng(1, 31))
    month: list[ScheduleRange] = Field(default_factory=lambda: _rng(1, 12))
    year: list[ScheduleRange] = Field(default_factory=list)
    day_of_week: list[ScheduleRange] = Field(default_factory=lambda: _rng(0, 6))
    comment: str | None = None


class ScheduleInterval(BaseModel):
    every: timedelta
    offset: timedelta | None = None


class SchedulePolicy(BaseModel):
    catchup_window_seconds: int = 31_536_000
    overlap: Literal[1, 2, 3, 4, 5, 6] = 1
    pause_on_failure: bool = False


class ScheduleDefinition(BaseModel):
    input: Any
    calendars: list[ScheduleCalendar] = Field(default_factory=list)
    intervals: list[ScheduleInterval] = Field(default_factory=list)
    cron_expressions: list[str] = Field(default_factory=list)
    skip: list[ScheduleCalendar] = Field(default_factory=list)
    start_at: datetime | None = None
    end_at: datetime | None = None
    jitter: timedelta | None = None
    time_zone_name: str | None = None
    policy: SchedulePolicy = Field(default_factory=SchedulePolicy)
    max_executions: int | None = Field(default=None, ge=1)
    schedule_id: str | None = None


class PartialScheduleDefinition(BaseModel):
    input: Any = None
    calendars: list[ScheduleCalendar] | None = None
    intervals: list[ScheduleInterval] | None = None
    cron_expressions: list[str] | None = None
    skip: list[ScheduleCalendar] | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    jitter: timedelta | None = None
    time_zone_name: str | None = None
    policy: SchedulePolicy | None = None
    max_executions: int | None = Field(default=None, ge=1)


def spec_error(detail: str) -> ApiError:
    """422 WF_1200: the schedule specification is not usable."""
    return ApiError(422, {"detail": detail, "code": "WF_1200"})


class _Sets:
    """A cron expression or calendar as sets of allowed values per field."""

    def __init__(
        self,
        seconds: set[int],
        minutes: set[int],
        hours: set[int],
        days: set[int],
        months: set[int],
        weekdays: set[int],
        years: set[int] | None,
        day_or: bool = False,
    ) -> None:
        self.seconds, self.minutes, self.hours = sorted(seconds), sorted(minutes), sorted(hours)
        self.days, self.months, self.weekdays, self.years = days, months, weekdays, years
        self.day_or = day_or

    def day_ok(self, day: date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        weekday = (day.weekday() + 1) % 7  # 0 = Sunday
        if self.day_or:
            return day.day in self.days or weekday in self.weekdays
        return day.day in self.days and weekday in self.weekdays

    def matches(self, moment: datetime) -> bool:
        return (
            self.day_ok(moment.date())
            and moment.hour in self.hours
            and moment.minute in self.minutes
            and moment.second in self.seconds
        )

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching second strictly after `moment` (in `moment`'s time zone)."""
        tz = moment.tzinfo
        floor = moment.replace(microsecond=0) + timedelta(seconds=1)
        day = floor.date()
        for _ in range(SEARCH_DAYS):
            if self.day_ok(day):
                for hour in self.hours:
                    for minute in self.minutes:
                        for second in self.seconds:
                            candidate = datetime.combine(day, time(hour, minute, second), tz)
                            if candidate >= floor:
                                return candidate
            day += timedelta(days=1)
        return None


def _field(text: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            start, end = low, high
        elif "-" in body:
            first, last = body.split("-", 1)
            start, end = int(first), int(last)
        else:
            start = int(body)
            end = high if step_text else start
        if start < low or end > high or start > end or step < 1:
            raise ValueError(part)
        values.update(range(start, end + 1, step))
    return values


def parse_cron(expression: str) -> _Sets:
    """Standard 5-field cron (minute hour day-of-month month day-of-week); 422 WF_1200 otherwise."""
    fields = expression.split()
    if len(fields) != 5:
        raise spec_error(f"Invalid cron expression {expression!r}: expected 5 fields")
    try:
        minutes = _field(fields[0], 0, 59)
        hours = _field(fields[1], 0, 23)
        days = _field(fields[2], 1, 31)
        months = _field(fields[3], 1, 12)
        weekdays = {d % 7 for d in _field(fields[4], 0, 7)}
    except ValueError as exc:
        raise spec_error(f"Invalid cron expression {expression!r}") from exc
    day_or = fields[2] != "*" and fields[4] != "*"
    return _Sets({0}, minutes, hours, days, months, weekdays, None, day_or)


def _ranges(ranges: list[ScheduleRange], low: int, high: int) -> set[int]:
    values: set[int] = set()
    for r in ranges:
        end = max(r.start, r.end)
        values.update(v for v in range(r.start, end + 1, max(1, r.step)) if low <= v <= high)
    return values


def calendar_sets(calendar: ScheduleCalendar) -> _Sets:
    """A `ScheduleCalendar` as value sets (an empty year list means every year)."""
    return _Sets(
        _ranges(calendar.second, 0, 59),
        _ranges(calendar.minute, 0, 59),
        _ranges(calendar.hour, 0, 23),
        _ranges(calendar.day_of_month, 1, 31),
        _ranges(calendar.month, 1, 12),
        _ranges(calendar.day_of_week, 0, 6),
        _ranges(calendar.year, 1970, 9999) or None,
    )


def zone(definition: ScheduleDefinition) -> ZoneInfo:
    """The schedule's time zone (UTC by default); 422 WF_1200 for an unknown name."""
    try:
        return ZoneInfo(definition.time_zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise spec_error(f"Unknown time zone {definition.time_zone_name!r}") from exc


def check(definition: ScheduleDefinition) -> None:
    """Reject a schedule that can never fire or that has bad parts (422 WF_1200)."""
    if not (definition.intervals or definition.cron_expressions or definition.calendars):
        raise spec_error("A schedule needs at least one of intervals, cron_expressions or calendars")
    for interval in definition.intervals:
        if interval.every.total_seconds() <= 0:
            raise spec_error("Interval `every` must be a positive duration")
    for expression in definition.cron_expressions:
        parse_cron(expression)
    zone(definition)

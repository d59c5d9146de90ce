"""The Russian production calendar (производственный календарь) and working-time arithmetic.

A year is loaded from data: a list of dates with a ``kind`` — ``holiday`` (a non-working day:
a public holiday or a day off moved there by transfer), ``working`` (a Saturday or Sunday made
a working day by transfer) or ``short`` (a working pre-holiday day, one hour shorter; a short
day on a weekend is a working day too). Everything else follows the five-day week. The files
in ``engine/data/calendar/<year>.json`` use the format an administrator loads through the API.

Working hours: 09:00–13:00 and 14:00–18:00 (8 h, lunch 13–14); a short day ends at 17:00.
Times are wall-clock times in the datetime's own time zone (naive or aware alike).

Counting conventions (those of deadlines in Russian administrative rules):

- ``add_working_days(start, n)``: the n-th working day after the day of ``start``, at the same
  time of day. ``working_days_between(a, b)`` counts working days d with a.date() < d <= b.date(),
  so it inverts ``add_working_days``.
- ``add_working_hours(start, h)``: the instant at which ``h`` hours of working time since
  ``start`` have elapsed; work ending exactly at 18:00 ends then, not at 09:00 the next day.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from engine.durations import Duration
from engine.errors import Invalid

logger = logging.getLogger(__name__)

HOLIDAY, WORKING, SHORT = "holiday", "working", "short"
DAY_KINDS = (HOLIDAY, WORKING, SHORT)
BUNDLED_YEARS = (2024, 2025, 2026, 2027)
#: Statutory holidays (Labour Code art. 112), used for years without loaded data.
STATUTORY_HOLIDAYS = (
    (1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8),
    (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4),
)  # fmt: skip
MAX_DAYS = 10_000


class CalendarError(Invalid):
    """Calendar data is malformed, or a computation is outside what the calendar supports."""


@dataclass(frozen=True)
class WorkingHours:
    """The working intervals of a normal day; a short day ends ``short_by`` earlier."""

    intervals: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(9), dt.time(13)),
        (dt.time(14), dt.time(18)),
    )
    short_by: dt.timedelta = dt.timedelta(hours=1)


@dataclass(frozen=True)
class WorkingCalendar:
    """A production calendar: day overrides by date plus the working hours of a day."""

    days: Mapping[dt.date, str] = field(default_factory=dict)
    years: frozenset[int] = frozenset()
    hours: WorkingHours = WorkingHours()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_years(cls, *years: Mapping[str, Any], hours: WorkingHours = WorkingHours()):
        """Build a calendar from per-year data dicts (see :func:`load_year`)."""
        days: dict[dt.date, str] = {}
        loaded: set[int] = set()
        for data in years:
            year, overrides = load_year(data)
            if year in loaded:
                raise CalendarError(f"the year {year} is given twice", year=year)
            loaded.add(year)
            days.update(overrides)
        return cls(days=days, years=frozenset(loaded), hours=hours)

    @classmethod
    def bundled(cls, years: Iterable[int] = BUNDLED_YEARS) -> WorkingCalendar:
        """The calendar of the years shipped in ``engine/data/calendar``."""
        folder = resources.files("engine") / "data" / "calendar"
        return cls.from_years(
            *(json.loads((folder / f"{y}.json").read_text("utf-8")) for y in years)
        )

    # -- days ---------------------------------------------------------------------------

    def day_kind(self, day: dt.date) -> str | None:
        """The override of ``day`` (``holiday``/``working``/``short``) or None for a plain day."""
        if day.year not in self.years:
            if (day.month, day.day) in STATUTORY_HOLIDAYS:
                return HOLIDAY
            return None
        return self.days.get(day)

    def is_working_day(self, day: dt.date | dt.datetime) -> bool:
        """True if ``day`` is a working day (a transferred working Saturday counts)."""
        day = _as_date(day)
        kind = self.day_kind(day)
        if kind is None:
            return day.weekday() < 5
        return kind != HOLIDAY

    def is_short_day(self, day: dt.date | dt.datetime) -> bool:
        """True if ``day`` is a shortened pre-holiday working day."""
        return self.day_kind(_as_date(day)) == SHORT

    def intervals(self, day: dt.date) -> list[tuple[dt.time, dt.time]]:
        """The working intervals of ``day`` (empty on a day off)."""
        if not self.is_working_day(day):
            return []
        spans = list(self.hours.intervals)
        if self.is_short_day(day):
            start, end = spans[-1]
            shortened = (dt.datetime.combine(day, end) - self.hours.short_by).time()
            spans[-1] = (start, max(start, shortened))
        return spans

    def add_working_days(self, start: dt.datetime, n: int) -> dt.datetime:
        """The n-th working day after the day of ``start``, at the same time of day."""
        _check_count(n)
        day = start.date() if isinstance(start, dt.datetime) else start
        remaining = n
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        if isinstance(start, dt.datetime):
            return dt.datetime.combine(day, start.timetz())
        return day  # type: ignore[return-value]

    def working_days_between(self, a: dt.date | dt.datetime, b: dt.date | dt.datetime) -> int:
        """Working days d with a < d <= b (by date); negative when b is before a."""
        first, last = _as_date(a), _as_date(b)
        if last < first:
            return -self.working_days_between(b, a)
        _check_count((last - first).days)
        count = 0
        day = first
        while day < last:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    # -- hours --------------------------------------------------------------------------

    def _spans(self, day: dt.date, tz: dt.tzinfo | None) -> list[tuple[dt.datetime, dt.datetime]]:
        return [
            (dt.datetime.combine(day, s, tz), dt.datetime.combine(day, e, tz))
            for s, e in self.intervals(day)
        ]

    def add_working_hours(self, start: dt.datetime, hours: float | dt.timedelta) -> dt.datetime:
        """The instant at which ``hours`` of working time since ``start`` have elapsed."""
        remaining = hours if isinstance(hours, dt.timedelta) else dt.timedelta(hours=hours)
        if remaining < dt.timedelta(0):
            raise CalendarError("working time to add must not be negative", hours=str(hours))
        if not remaining:
            return start  # nothing to add: do not move a day-based due date to the next morning
        day, moment = start.date(), start
        for _ in range(MAX_DAYS):
            for begin, end in self._spans(day, start.tzinfo):
                if end <= moment:
                    continue
                begin = max(begin, moment)
                if end - begin >= remaining:
                    return begin + remaining
                remaining -= end - begin
            day += dt.timedelta(days=1)
        raise CalendarError(f"working time {hours} reaches beyond {MAX_DAYS} days")

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time within [a, b]; negative when b is before a."""
        if b < a:
            return -self.working_time_between(b, a)
        _check_count((b.date() - a.date()).days)
        total = dt.timedelta(0)
        day = a.date()
        while day <= b.date():
            for begin, end in self._spans(day, a.tzinfo):
                overlap = min(end, b) - max(begin, a)
                if overlap > dt.timedelta(0):
                    total += overlap
            day += dt.timedelta(days=1)
        return total

    def due(self, start: dt.datetime, duration: Duration, calendar: str = "working") -> dt.datetime:
        """When ``duration`` from ``start`` ends: on working time or on plain calendar time.

        Working mode adds the days (and weeks as five working days) first, then the time part
        as working time; years and months have no working meaning and are refused.
        """
        if calendar == "calendar":
            return duration.after(start)
        if calendar != "working":
            raise CalendarError(
                f"unknown calendar '{calendar}' (expected 'working' or 'calendar')",
                calendar=calendar,
            )
        if duration.years or duration.months:
            raise CalendarError(
                f"a working-time duration cannot count years or months ({duration})",
                duration=str(duration),
            )
        days = duration.days + 5 * duration.weeks
        if days != int(days):
            raise CalendarError(f"working days must be whole ({duration})", duration=str(duration))
        moment = self.add_working_days(start, int(days))
        return self.add_working_hours(moment, duration.time_part())


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _check_count(n: int) -> None:
    if n < 0:
        raise CalendarError("the number of working days must not be negative", n=n)
    if n > MAX_DAYS:
        raise CalendarError(f"{n} days is beyond the supported span of {MAX_DAYS} days", n=n)


def load_year(data: Mapping[str, Any]) -> tuple[int, dict[dt.date, str]]:
    """Validate one year of calendar data and return (year, {date: kind}).

    ``data`` is ``{"year": 2025, "days": [{"date": "2025-01-01", "kind": "holiday",
    "name": "..."}, ...], "source": "...", "note": "..."}``; ``source``, ``note`` and ``name``
    are free text. Raises CalendarError listing every problem found.
    """
    if not isinstance(data, Mapping):
        raise CalendarError("calendar data must be an object with 'year' and 'days'")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        raise CalendarError("'year' must be an integer between 1990 and 2100", year=year)
    entries = data.get("days")
    if not isinstance(entries, list):
        raise CalendarError("'days' must be a list of {date, kind} objects", year=year)
    errors: dict[str, str] = {}
    days: dict[dt.date, str] = {}
    for index, entry in enumerate(entries):
        where = f"days[{index}]"
        problem = _entry_problem(entry, year, days)
        if problem:
            errors[where] = problem
        else:
            days[dt.date.fromisoformat(entry["date"])] = entry["kind"]
    if errors:
        raise CalendarError(
            f"the calendar of {year} has {len(errors)} invalid entries", errors=errors, year=year
        )
    return year, days


def _entry_problem(entry: Any, year: int, seen: Mapping[dt.date, str]) -> str | None:
    if not isinstance(entry, Mapping):
        return "must be an object with 'date' and 'kind'"
    kind = entry.get("kind")
    if kind not in DAY_KINDS:
        return f"kind must be one of {', '.join(DAY_KINDS)}, not {kind!r}"
    try:
        day = dt.date.fromisoformat(str(entry.get("date")))
    except ValueError:
        return f"date must be YYYY-MM-DD, not {entry.get('date')!r}"
    if day.year != year:
        return f"date {day} is not in {year}"
    if day in seen:
        return f"date {day} is listed twice"
    if kind == WORKING and day.weekday() < 5:
        return f"{day} is a weekday: only a Saturday or Sunday can be made a working day"
    return None

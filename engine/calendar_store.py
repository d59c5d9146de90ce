"""The production calendar in the database: administrators load a year (API or
``etalon calendar load FILE``); the engine counts working time on the loaded years and on the
bundled data for the years nobody loaded."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import ADMIN, Actor, require_role
from engine.calendar import BUNDLED_YEARS, CalendarError, WorkingCalendar, load_year
from engine.errors import Forbidden, NotFound
from engine.prepared import Prepared
from models import CalendarDay, Setting

logger = logging.getLogger(__name__)

_bundled: WorkingCalendar | None = None


@dataclass(frozen=True)
class CalendarYear:
    """One year of the production calendar, in the format administrators load."""

    id: int  # the year; named id for the audit log
    source: str  # "database" or "bundled"
    days: tuple[tuple[dt.date, str, str], ...]  # (date, kind, name)

    def to_dict(self) -> dict[str, Any]:
        """The loadable JSON form: ``{"year", "source", "days": [{"date","kind","name"}]}``."""
        return {
            "year": self.id,
            "source": self.source,
            "days": [{"date": d.isoformat(), "kind": k, "name": n} for d, k, n in self.days],
        }


def bundled_calendar() -> WorkingCalendar:
    """The calendar shipped with Etalon (built once per process)."""
    global _bundled
    if _bundled is None:
        _bundled = WorkingCalendar.bundled()
    return _bundled


#: The setting that changes whenever the loaded years change (a fresh random token).
REVISION_SETTING = "calendar.revision"

_days, _settings = CalendarDay.__table__.c, Setting.__table__.c
#: The revision as a column of another SELECT (a step reads it with its task: one query less).
REVISION = select(_settings.value).where(_settings.key == REVISION_SETTING).scalar_subquery()
_REVISION = Prepared(select(REVISION))
_LOADED_DAYS = Prepared(select(_days.day, _days.kind).order_by(_days.day))
_last: tuple[str, WorkingCalendar] | None = None  # the last revision read and its calendar


def working_calendar(session: Session) -> WorkingCalendar:
    """The calendar the engine counts on: loaded years replace the bundled ones.

    Asked on every step (an administrator may load a year at any time): one small query for
    the loaded years' revision; the calendar built for the same revision is reused."""
    return calendar_of_revision(session, _REVISION.first(session, {})[0])


def calendar_of_revision(session: Session, revision: str | None) -> WorkingCalendar:
    """:func:`working_calendar` for the :data:`REVISION` the caller read (None: no year was
    ever loaded)."""
    global _last
    if revision is None:
        return bundled_calendar()
    last = _last
    if last is not None and last[0] == revision:
        return last[1]
    rows = _LOADED_DAYS.rows(session, {})
    bundled = bundled_calendar()
    loaded = {day.year for day, _ in rows}
    days = {d: k for d, k in bundled.days.items() if d.year not in loaded}
    days.update(dict(rows))
    calendar = WorkingCalendar(days=days, years=bundled.years | loaded, hours=bundled.hours)
    _last = (revision, calendar)
    return calendar


def get_calendar_year(session: Session, year: int) -> CalendarYear:
    """The year as loaded, or as bundled; NotFound when neither has it."""
    rows = session.execute(
        select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)
        .where(CalendarDay.year == year)
        .order_by(CalendarDay.day)
    ).all()
    if rows:
        return CalendarYear(year, "database", tuple((d, k, n) for d, k, n in rows))
    if year in BUNDLED_YEARS:
        data = json.loads(
            (resources.files("engine") / "data" / "calendar" / f"{year}.json").read_text("utf-8")
        )
        days = tuple(
            (dt.date.fromisoformat(e["date"]), e["kind"], e.get("name") or "") for e in data["days"]
        )
        return CalendarYear(year, "bundled", days)
    raise NotFound(f"No production calendar for {year}.", year=year)


def load_calendar_year(
    session: Session, actor: Actor, data: Mapping[str, Any], *, year: int | None = None
) -> CalendarYear:
    """Replace a year of the production calendar with ``data`` (the bundled JSON format).

    Only administrators of the whole federation may: the calendar is national.
    """
    require_role(actor, *ADMIN)
    if not actor.is_system and not any(p.count("/") == 2 for p in actor.scope_paths(*ADMIN)):
        raise Forbidden("Only administrators of the federation load the production calendar.")
    if year is not None and isinstance(data, Mapping) and "year" not in data:
        data = {**data, "year": year}
    loaded_year, days = load_year(data)
    if year is not None and loaded_year != year:
        raise CalendarError(
            f"the data is for {loaded_year}, not {year}", errors={"year": ["does not match"]}
        )
    names = {
        str(e.get("date")): str(e.get("name") or "")[:300]
        for e in data["days"]
        if isinstance(e, Mapping)
    }
    session.execute(delete(CalendarDay).where(CalendarDay.year == loaded_year))
    for day, kind in sorted(days.items()):
        session.add(CalendarDay(day=day, year=loaded_year, kind=kind, name=names[day.isoformat()]))
    revision = session.get(Setting, REVISION_SETTING)
    if revision is None:
        revision = Setting(key=REVISION_SETTING)
        session.add(revision)
    revision.value = uuid.uuid4().hex  # working_calendar builds the calendar afresh
    session.flush()
    result = get_calendar_year(session, loaded_year)
    audit.record(session, actor, "calendar.load", result, days=len(days))
    logger.info("production calendar %d loaded: %d special days", loaded_year, len(days))
    return result

"""Detectors about employees, from indicator observations (which carry the actor): a high share
of an employee's cases returned for rework, and employees below the normative load."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.detectors.base import Detection, Finding, InForce, Settings, day_window, number, plural
from models import EmployeeDay, IndicatorObservation, Unit

RETURNS = "returns"
LOAD = "load"
DEFAULTS = {
    RETURNS: {"window_days": 30, "min_cases": 5, "share": None, "flags": ["returned"]},
    LOAD: {"window_days": 30, "min_days": 3, "norm": None},
}


def _offices(session: Session, ids) -> dict[int, Unit]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))}


def detect_returns(
    session: Session, standard: InForce, now: dt.datetime, settings_for: Callable[[str], Settings]
) -> Detection:
    """Per employee and office: the share of their cases flagged `returned` over the window,
    above `share` (default: the indicator's red bound); one finding per employee."""
    findings: list[Finding] = []
    inconclusive: set[str] = set()
    for definition in standard.indicators:
        settings = settings_for(definition.id)
        if definition.kind != "share_with_flag" or definition.flag not in settings.get("flags"):
            continue
        limit = settings.get(
            "share", definition.red if definition.red is not None else definition.target
        )
        if not settings.enabled or limit is None:
            continue
        first, last = day_window(now, int(settings.get("window_days")))
        rows = session.execute(
            select(
                IndicatorObservation.office_id,
                IndicatorObservation.actor_login,
                func.count(),
                func.sum(case((IndicatorObservation.flagged.is_(True), 1), else_=0)),
            )
            .where(
                IndicatorObservation.standard_key == standard.standard_key,
                IndicatorObservation.indicator_id == definition.id,
                IndicatorObservation.day >= first,
                IndicatorObservation.day <= last,
                IndicatorObservation.actor_login.is_not(None),
            )
            .group_by(IndicatorObservation.office_id, IndicatorObservation.actor_login)
        ).all()
        offices = _offices(session, {r[0] for r in rows})
        for office_id, login, count, flagged in rows:
            key = f"{RETURNS}:{standard.standard_key}:{definition.id}:{office_id}:{login}"
            if count < int(settings.get("min_cases")):
                inconclusive.add(key)
                continue
            share = 100.0 * int(flagged or 0) / count
            if share <= float(limit):
                continue
            office = offices[office_id]
            cases = _flagged_cases(
                session, standard.standard_key, definition.id, login, first, last
            )
            findings.append(
                Finding(
                    key=key,
                    detector=RETURNS,
                    standard_key=standard.standard_key,
                    unit_id=office_id,
                    indicator_id=definition.id,
                    person_login=login,
                    title=(
                        f"Высокая доля возвратов на доработку у сотрудника {login} "
                        f"(«{office.name}»): {number(share, 'percent')}"
                    )[:500],
                    description=(
                        f"По данным из информационных систем за период {first:%d.%m.%Y}–"
                        f"{last:%d.%m.%Y} у сотрудника {login} ({office.name}) показатель "
                        f"«{definition.name}» составил {number(share, 'percent')} "
                        f"({int(flagged or 0)} из {count}); допустимо не более "
                        f"{number(float(limit), 'percent')}, цель "
                        f"{number(definition.target, definition.unit)}."
                    ),
                    figures={
                        "value": round(share, 4),
                        "target": definition.target,
                        "corridor": {"green": definition.green, "red": definition.red},
                        "direction": definition.direction,
                        "unit": "percent",
                        "cases_counted": count,
                        "window": {"from": first.isoformat(), "to": last.isoformat()},
                    },
                    cases=cases,
                    actions=standard.actions(definition.id),
                    value=share,
                )
            )
    return Detection(tuple(findings), frozenset(inconclusive))


def _flagged_cases(session, standard_key, indicator_id, login, first, last) -> list[dict]:
    rows = session.scalars(
        select(IndicatorObservation)
        .where(
            IndicatorObservation.standard_key == standard_key,
            IndicatorObservation.indicator_id == indicator_id,
            IndicatorObservation.actor_login == login,
            IndicatorObservation.flagged.is_(True),
            IndicatorObservation.day >= first,
            IndicatorObservation.day <= last,
        )
        .order_by(IndicatorObservation.day.desc())
        .limit(50)
    )
    return [{"case_id": r.case_id, "day": r.day.isoformat(), "employee": login} for r in rows]


def detect_load(
    session: Session, standard: InForce, now: dt.datetime, settings_for: Callable[[str], Settings]
) -> Detection:
    """Per office: employees whose events per working day on a count-per-employee indicator
    are below the norm (default: the indicator's target) over the window."""
    findings: list[Finding] = []
    for definition in standard.indicators:
        settings = settings_for(definition.id)
        norm = settings.get("norm", definition.target)
        if definition.kind != "count_per_employee" or not settings.enabled or norm is None:
            continue
        first, last = day_window(now, int(settings.get("window_days")))
        where = (
            IndicatorObservation.standard_key == standard.standard_key,
            IndicatorObservation.indicator_id == definition.id,
            IndicatorObservation.day >= first,
            IndicatorObservation.day <= last,
        )
        events = {
            (office_id, login): count
            for office_id, login, count in session.execute(
                select(
                    IndicatorObservation.office_id, IndicatorObservation.actor_login, func.count()
                )
                .where(*where)
                .group_by(IndicatorObservation.office_id, IndicatorObservation.actor_login)
            )
        }
        days = dict(
            session.execute(
                select(EmployeeDay.actor_login, func.count())
                .where(
                    EmployeeDay.standard_key == standard.standard_key,
                    EmployeeDay.indicator_id == definition.id,
                    EmployeeDay.day >= first,
                    EmployeeDay.day <= last,
                )
                .group_by(EmployeeDay.actor_login)
            ).all()
        )
        by_office: dict[int, list[dict]] = defaultdict(list)
        counted: dict[int, int] = defaultdict(int)
        for (office_id, login), count in sorted(events.items(), key=lambda kv: str(kv[0])):
            worked = days.get(login, 0)
            if worked < int(settings.get("min_days")):
                continue
            counted[office_id] += 1
            load = count / worked
            if load < float(norm):
                by_office[office_id].append(
                    {"employee": login, "load": round(load, 2), "days": worked, "events": count}
                )
        offices = _offices(session, by_office)
        for office_id, below in sorted(by_office.items()):
            office, n, total = offices[office_id], len(below), counted[office_id]
            meeting = 100.0 * (total - n) / total
            findings.append(
                Finding(
                    key=f"{LOAD}:{standard.standard_key}:{definition.id}:{office_id}",
                    detector=LOAD,
                    standard_key=standard.standard_key,
                    unit_id=office_id,
                    indicator_id=definition.id,
                    title=(
                        f"«{office.name}»: {n} "
                        f"{plural(n, 'сотрудник', 'сотрудника', 'сотрудников')} "
                        f"ниже нормативной нагрузки «{definition.name}»"
                    )[:500],
                    description=(
                        f"По данным из информационных систем за период {first:%d.%m.%Y}–"
                        f"{last:%d.%m.%Y} нормативную нагрузку ({number(float(norm))} в день, "
                        f"«{definition.name}») выполняют {total - n} из {total} сотрудников "
                        f"({number(meeting, 'percent')}). Сотрудники ниже норматива указаны в "
                        "деталях отклонения."
                    ),
                    figures={
                        "value": round(meeting, 4),
                        "norm": norm,
                        "employees": total,
                        "below": n,
                        "unit": "percent",
                        "window": {"from": first.isoformat(), "to": last.isoformat()},
                    },
                    cases=below,
                    actions=standard.actions(definition.id),
                    value=meeting,
                )
            )
    return Detection(tuple(findings))

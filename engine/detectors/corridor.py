"""An indicator out of its corridor for a unit (office or region), over a window of days read
from day rollups, with the trend against the window before it and the cases behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.detectors.base import (
    Detection,
    Finding,
    InForce,
    Settings,
    day_window,
    number,
    window_aggregates,
)
from engine.indicators import Aggregate, IndicatorDefinition, corridor_status, indicator_value
from models import IndicatorObservation, Unit

NAME = "corridor"
DEFAULTS = {"window_days": 30, "min_cases": 10, "levels": ["office", "region"], "statuses": ["red"]}
MAX_CASES = 50


def corridor_text(definition: IndicatorDefinition) -> str:
    """ "норма ≤ 2 %, критично > 3 %" for a lower_better corridor, the other way round else."""
    good, bad = ("≤", ">") if definition.direction == "lower_better" else ("≥", "<")
    return (
        f"норма {good} {number(definition.green, definition.unit)}, "
        f"критично {bad} {number(definition.red, definition.unit)}"
    )


def detect(session: Session, standard: InForce, now: dt.datetime, settings_for) -> Detection:
    """Findings for every indicator of `standard` whose value in a unit is red (by default)
    over the last `window_days`; units with fewer than `min_cases` cases are inconclusive."""
    findings: list[Finding] = []
    inconclusive: set[str] = set()
    measured: dict[str, float] = {}
    for definition in standard.indicators:
        if definition.direction is None or (definition.green is None and definition.red is None):
            continue
        settings: Settings = settings_for(definition.id)
        if not settings.enabled:
            continue
        days = int(settings.get("window_days"))
        first, last = day_window(now, days)
        levels = tuple(settings.get("levels"))
        current = window_aggregates(
            session, standard.standard_key, definition.id, first, last, levels
        )
        before = window_aggregates(
            session,
            standard.standard_key,
            definition.id,
            first - dt.timedelta(days=days),
            first - dt.timedelta(days=1),
            levels,
        )
        units = _units(session, current)
        for unit_id, aggregate in sorted(current.items()):
            key = f"{NAME}:{standard.standard_key}:{definition.id}:{unit_id}"
            value = indicator_value(definition.kind, aggregate)
            if aggregate.count < int(settings.get("min_cases")) or value is None:
                inconclusive.add(key)
                continue
            measured[key] = value
            status = corridor_status(value, definition.direction, definition.green, definition.red)
            if status not in settings.get("statuses"):
                continue
            previous = indicator_value(definition.kind, before.get(unit_id, Aggregate()))
            unit = units[unit_id]
            cases = _cases(session, standard.standard_key, definition, unit, first, last)
            findings.append(
                _finding(
                    key,
                    standard,
                    definition,
                    unit,
                    value,
                    status,
                    previous,
                    cases,
                    aggregate.count,
                    (first, last),
                )
            )
    return Detection(tuple(findings), frozenset(inconclusive), measured)


def _finding(key, standard, definition, unit, value, status, previous, cases, count, window):
    first, last = window
    trend = None if previous is None else round(value - previous, 4)
    trend_text = (
        f"; за предыдущий период — {number(previous, definition.unit)} "
        f"({'+' if trend >= 0 else ''}{number(trend)})"
        if previous is not None and trend is not None
        else ""
    )
    description = (
        f"По данным из информационных систем за период {first:%d.%m.%Y}–{last:%d.%m.%Y} "
        f"показатель «{definition.name}» в подразделении «{unit.name}» составил "
        f"{number(value, definition.unit)} (цель {number(definition.target, definition.unit)}; "
        f"коридор: {corridor_text(definition)}){trend_text}. "
        f"Рассчитано по {count} обращениям; обращения с отклонением указаны в деталях отклонения."
    )
    return Finding(
        key=key,
        detector=NAME,
        standard_key=standard.standard_key,
        unit_id=unit.id,
        indicator_id=definition.id,
        title=(
            f"«{definition.name}» вне коридора в подразделении «{unit.name}»: "
            f"{number(value, definition.unit)}"
        )[:500],
        description=description,
        figures={
            "value": round(value, 4),
            "target": definition.target,
            "corridor": {"green": definition.green, "red": definition.red},
            "direction": definition.direction,
            "unit": definition.unit,
            "status": status,
            "cases_counted": count,
            "window": {"from": first.isoformat(), "to": last.isoformat()},
            "trend": {"previous": previous, "delta": trend},
        },
        cases=cases,
        actions=standard.actions(definition.id),
        value=value,
    )


def _units(session: Session, current) -> dict[int, Unit]:
    if not current:
        return {}
    return {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(list(current))))}


def _cases(
    session: Session,
    standard_key: str,
    definition: IndicatorDefinition,
    unit: Unit,
    first: dt.date,
    last: dt.date,
) -> Sequence[dict]:
    """The cases that pulled the value out of the corridor (flagged, late, over the bound)."""
    query = select(IndicatorObservation).where(
        IndicatorObservation.standard_key == standard_key,
        IndicatorObservation.indicator_id == definition.id,
        IndicatorObservation.day >= first,
        IndicatorObservation.day <= last,
        IndicatorObservation.office_path.startswith(unit.path, autoescape=True),
    )
    bound = definition.red if definition.red is not None else definition.green
    if definition.kind == "share_with_flag":
        query = query.where(IndicatorObservation.flagged.is_(True))
    elif definition.kind == "share_within_deadline":
        query = query.where(IndicatorObservation.within.is_(False))
    elif definition.kind in ("duration", "satisfaction") and bound is not None:
        query = query.where(
            IndicatorObservation.value > bound
            if definition.direction == "lower_better"
            else IndicatorObservation.value < bound
        )
    else:
        return []
    rows = session.scalars(query.order_by(IndicatorObservation.day.desc()).limit(MAX_CASES))
    return [
        {
            "case_id": r.case_id,
            "day": r.day.isoformat(),
            "value": r.value,
            "employee": r.actor_login,
        }
        for r in rows
    ]

"""Auditors' queries over the rollups: indicator values with corridor statuses by unit level
and period, time series, drill-down to cases, the quality index and case conformance.

Every query reads rollup rows (or observation rows for drill-down) only, limited to the
actor's scope: auditors and managers see the units under their grants.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, cast, or_, select
from sqlalchemy.orm import Session

from engine.access import in_scope, require_role, require_unit
from engine.errors import Invalid, NotFound
from engine.indicators import (
    GRANULARITIES,
    LEVELS,
    STAGE_PREFIX,
    Aggregate,
    corridor_status,
    definition_in_force,
    indicator_value,
)
from engine.quality_index import versions_by_standard
from models import (
    CaseTrace,
    IndicatorObservation,
    IndicatorRollup,
    QualityIndexValue,
    Role,
    Unit,
)

READERS = (Role.auditor, Role.manager)


@dataclass(frozen=True)
class IndicatorFilter:
    """What to read: a standard, an indicator, a unit's subtree, the level to group by (default:
    the unit's own level, or regions), the period granularity and a range of period starts."""

    standard_key: str | None = None
    indicator_id: str | None = None
    unit_id: int | None = None
    level: str | None = None
    granularity: str = "month"
    period_from: dt.date | None = None
    period_to: dt.date | None = None


@dataclass(frozen=True)
class IndicatorValue:
    standard_key: str
    indicator_id: str
    name: str
    kind: str | None
    measure: str | None
    unit_id: int
    unit_code: str
    unit_name: str
    unit_level: str
    granularity: str
    period_start: dt.date
    count: int
    value: float | None
    status: str | None
    target: float | None
    direction: str | None
    green: float | None
    red: float | None

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def _check(filters: IndicatorFilter) -> None:
    errors = {}
    if filters.granularity not in GRANULARITIES:
        errors["granularity"] = [f"one of {', '.join(GRANULARITIES)}"]
    if filters.level is not None and filters.level not in LEVELS:
        errors["level"] = [f"one of {', '.join(LEVELS)}"]
    if errors:
        raise Invalid("The indicator query has invalid fields.", errors)


def _scoped_unit(session: Session, actor, unit_id: int | None) -> Unit | None:
    require_role(actor, *READERS)
    if unit_id is None:
        return None
    unit = session.get(Unit, unit_id)
    require_unit(actor, unit, *READERS)
    return unit


def _level(filters: IndicatorFilter, unit: Unit | None) -> str:
    if filters.level:
        return filters.level
    if unit is not None and str(unit.level) in LEVELS:
        return str(unit.level)
    return "region"


def _rollup_rows(session: Session, actor, filters: IndicatorFilter, model, unit: Unit | None):
    query = (
        select(model, Unit.code, Unit.name)
        .join(Unit, Unit.id == model.unit_id)
        .where(
            model.granularity == filters.granularity,
            model.unit_level == _level(filters, unit),
            in_scope(actor, model.unit_path, *READERS),
        )
    )
    if unit is not None:
        query = query.where(model.unit_path.startswith(unit.path, autoescape=True))
    if filters.standard_key:
        query = query.where(model.standard_key == filters.standard_key)
    if filters.period_from:
        query = query.where(model.period_start >= filters.period_from)
    if filters.period_to:
        query = query.where(model.period_start <= filters.period_to)
    return query


def query_indicators(session: Session, actor, filters: IndicatorFilter) -> list[IndicatorValue]:
    """Indicator values in the actor's scope, with their corridor status from the definition
    in force for each period, ordered by standard, indicator, period and unit."""
    _check(filters)
    unit = _scoped_unit(session, actor, filters.unit_id)
    query = _rollup_rows(session, actor, filters, IndicatorRollup, unit)
    if filters.indicator_id:
        query = query.where(IndicatorRollup.indicator_id == filters.indicator_id)
    else:
        query = query.where(IndicatorRollup.indicator_id.not_like(f"{STAGE_PREFIX}%"))
    rows = session.execute(query).all()
    versions = versions_by_standard(session, {r[0].standard_key for r in rows})
    values = []
    for row, code, name in rows:
        definition = definition_in_force(
            versions.get(row.standard_key, []), row.indicator_id, row.period_start
        )
        if definition is None:
            continue  # a stage row, or an indicator no version in force defines
        aggregate = Aggregate(
            row.count, row.total, row.total_sq, row.within, row.flagged, row.employee_days
        )
        value = indicator_value(definition.kind, aggregate)
        corridor = (definition.direction, definition.green, definition.red)
        values.append(
            IndicatorValue(
                standard_key=row.standard_key,
                indicator_id=row.indicator_id,
                name=definition.name,
                kind=definition.kind,
                measure=definition.unit,
                unit_id=row.unit_id,
                unit_code=code,
                unit_name=name,
                unit_level=row.unit_level,
                granularity=row.granularity,
                period_start=row.period_start,
                count=row.count,
                value=None if value is None else round(value, 4),
                status=corridor_status(value, *corridor),
                target=definition.target,
                direction=definition.direction,
                green=definition.green,
                red=definition.red,
            )
        )
    values.sort(key=lambda v: (v.standard_key, v.indicator_id, v.period_start, v.unit_code))
    return values


def query_quality_index(session: Session, actor, filters: IndicatorFilter) -> list[dict[str, Any]]:
    """Stored quality index values in the actor's scope with their components."""
    _check(filters)
    unit = _scoped_unit(session, actor, filters.unit_id)
    query = _rollup_rows(session, actor, filters, QualityIndexValue, unit).order_by(
        QualityIndexValue.standard_key, QualityIndexValue.period_start, Unit.code
    )
    return [
        {
            "standard_key": row.standard_key,
            "unit_id": row.unit_id,
            "unit_code": code,
            "unit_name": name,
            "unit_level": row.unit_level,
            "granularity": row.granularity,
            "period_start": row.period_start,
            "score": row.score,
            "components": row.components,
            "computed_at": row.computed_at,
        }
        for row, code, name in session.execute(query)
    ]


def period_end(start: dt.date, granularity: str) -> dt.date:
    """The first day after the period starting on ``start``."""
    if granularity == "day":
        return start + dt.timedelta(days=1)
    if granularity == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def drill_down(
    session: Session,
    actor,
    *,
    standard_key: str,
    indicator_id: str,
    unit_id: int,
    granularity: str,
    period_start: dt.date,
) -> Select[tuple[IndicatorObservation]]:
    """The observations (one per case contribution) behind one indicator value."""
    _check(IndicatorFilter(granularity=granularity))
    unit = _scoped_unit(session, actor, unit_id)
    if unit is None:
        raise NotFound("Unit not found.")
    return (
        select(IndicatorObservation)
        .where(
            IndicatorObservation.standard_key == standard_key,
            IndicatorObservation.indicator_id == indicator_id,
            IndicatorObservation.day >= period_start,
            IndicatorObservation.day < period_end(period_start, granularity),
            IndicatorObservation.office_path.startswith(unit.path, autoescape=True),
        )
        .order_by(IndicatorObservation.day, IndicatorObservation.id)
    )


def query_case_traces(
    session: Session,
    actor,
    *,
    standard_key: str | None = None,
    unit_id: int | None = None,
    deviating: bool | None = None,
) -> Select[tuple[CaseTrace]]:
    """Cases with their conformance in the actor's scope; ``deviating`` keeps those with a
    fitness below 1 or a deadline breach (True) or only fully conformant ones (False)."""
    unit = _scoped_unit(session, actor, unit_id)
    query = select(CaseTrace).where(in_scope(actor, CaseTrace.office_path, *READERS))
    if unit is not None:
        query = query.where(CaseTrace.office_path.startswith(unit.path, autoescape=True))
    if standard_key:
        query = query.where(CaseTrace.standard_key == standard_key)
    if deviating is not None:
        # breaches are a JSON list: "[]" when empty on both databases
        bad = or_(CaseTrace.fitness < 1, cast(CaseTrace.breaches, String) != "[]")
        query = query.where(bad if deviating else ~bad)
    return query.order_by(CaseTrace.id)


def get_case_trace(session: Session, actor, trace_id: int) -> CaseTrace:
    """One case trace with its conformance, if in the actor's scope."""
    require_role(actor, *READERS)
    trace = session.get(CaseTrace, trace_id)
    if trace is None or not actor.reaches(trace.office_path or "\0", *READERS):
        raise NotFound("Case not found.")
    return trace

"""The effectiveness report, the way the seeds report results: per unit, corrective assignments
issued, closed (of them effective) and escalated, and each indicator's value before (the
window before the deviation was found) and after (the window after it was closed — while that
has no data yet, the window that ended with the closure, in which the indicator recovered)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import Actor, in_scope, require_role
from engine.assignments import READERS
from engine.corrective import CORRECTIVE
from engine.detectors.base import window_aggregates
from engine.indicators import indicator_value, local_day
from engine.quality_index import versions_by_standard
from models import Assignment, AssignmentStatus, Deviation, DeviationStatus, Unit

WINDOW_DAYS = 30


@dataclass(frozen=True)
class IndicatorChange:
    standard_key: str
    indicator_id: str
    deviations: int
    before: float | None
    after: float | None

    def to_dict(self) -> dict[str, Any]:
        change = None
        if self.before is not None and self.after is not None:
            change = round(self.after - self.before, 4)
        return {**self.__dict__, "change": change}


@dataclass(frozen=True)
class UnitEffectiveness:
    unit_id: int
    unit_code: str
    unit_name: str
    deviations: int
    assignments_issued: int
    assignments_closed: int
    escalated: int
    closed_effective: int
    closed_not_effective: int
    indicators: tuple[IndicatorChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "indicators": [i.to_dict() for i in self.indicators]}


def _value(session, deviation: Deviation, first: dt.date, last: dt.date, kind: str):
    sums = window_aggregates(
        session,
        deviation.standard_key,
        deviation.indicator_id,
        first,
        last,
        (str(deviation.unit.level),),
    )
    aggregate = sums.get(deviation.unit_id)
    return indicator_value(kind, aggregate) if aggregate else None


def effectiveness_report(
    session: Session, actor: Actor, *, now: dt.datetime, unit: Unit | None = None
) -> list[UnitEffectiveness]:
    """One row per unit with deviations, in the actor's reading scope (or under `unit`)."""
    require_role(actor, *READERS)
    unit_path = select(Unit.path).where(Unit.id == Deviation.unit_id).scalar_subquery()
    query = select(Deviation).order_by(Deviation.unit_id, Deviation.id)
    if not actor.is_system:
        query = query.where(in_scope(actor, unit_path, *READERS))
    if unit is not None:
        query = query.where(unit_path.startswith(unit.path, autoescape=True))
    deviations = list(session.scalars(query))
    counts = _assignment_counts(session, [d.id for d in deviations])
    kinds = {
        (key, d.id): d.kind
        for key, versions in versions_by_standard(
            session, {d.standard_key for d in deviations}
        ).items()
        for v in versions
        for d in v.indicators
    }
    by_unit: dict[int, list[Deviation]] = defaultdict(list)
    for deviation in deviations:
        by_unit[deviation.unit_id].append(deviation)
    today = local_day(now)
    report = []
    for unit_id, rows in by_unit.items():
        changes: dict[tuple[str, str], list[tuple[float | None, float | None]]] = defaultdict(list)
        for d in rows:
            kind = kinds.get((d.standard_key, d.indicator_id))
            if not d.indicator_id or kind is None:
                continue
            found = local_day(d.detected_at)
            before = _value(session, d, found - dt.timedelta(days=WINDOW_DAYS), found, kind)
            after = None
            if d.closed_at is not None:
                closed = local_day(d.closed_at)
                end = min(closed + dt.timedelta(days=WINDOW_DAYS), today)
                # the window after closure once it has data; until then the one that recovered
                after = _value(session, d, closed, end, kind) if end > closed else None
                if after is None:
                    after = _value(
                        session, d, closed - dt.timedelta(days=WINDOW_DAYS), closed, kind
                    )
            changes[(d.standard_key, d.indicator_id)].append((before, after))
        issued = sum(counts[d.id][0] for d in rows)
        closed = sum(counts[d.id][1] for d in rows)
        report.append(
            UnitEffectiveness(
                unit_id,
                rows[0].unit.code,
                rows[0].unit.name,
                len(rows),
                issued,
                closed,
                sum(1 for d in rows if d.escalation_level > 0),
                sum(1 for d in rows if d.status == DeviationStatus.closed and d.effective),
                sum(1 for d in rows if d.status == DeviationStatus.closed and not d.effective),
                tuple(
                    IndicatorChange(
                        k[0], k[1], len(v), _mean([b for b, _ in v]), _mean([a for _, a in v])
                    )
                    for k, v in sorted(changes.items())
                ),
            )
        )
    return sorted(report, key=lambda r: r.unit_code)


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 4) if known else None


def _assignment_counts(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    counts: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for start in range(0, len(ids), 500):
        chunk = [str(i) for i in ids[start : start + 500]]
        for subject_id, status, n in session.execute(
            select(Assignment.subject_id, Assignment.status, func.count())
            .where(Assignment.kind == CORRECTIVE, Assignment.subject_id.in_(chunk))
            .group_by(Assignment.subject_id, Assignment.status)
        ):
            issued, closed = counts[int(subject_id)]
            counts[int(subject_id)] = (
                issued + n,
                closed + (n if status == AssignmentStatus.done else 0),
            )
    return counts

"""The integrated quality index of a service (standard) for a unit and period.

For every indicator of the definition in force for the period with a weight w > 0 and a value
v in the period, a score s(v) in 0..100 (``engine.indicators.indicator_score``: 100 at the
green bound or better, 0 at the red bound or worse, linear between; without a corridor,
against the target). The index is Σ w·s / Σ w over the indicators that have data, so missing
indicators do not drag it down; without any weighted indicator with data there is no index.
It is stored with the values, statuses, scores and weights it came from.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text, tuple_
from sqlalchemy.orm import Session

from engine.indicators import (
    STAGE_PREFIX,
    Aggregate,
    IndicatorDefinition,
    VersionDefinitions,
    corridor_status,
    definitions_of,
    indicator_score,
    indicator_value,
)
from engine.upsert import unnest_source, upsert_rows
from models import IndicatorRollup, QualityIndexValue, Standard, StandardVersion, VersionStatus
from models.base import utcnow

logger = logging.getLogger(__name__)

IN_FORCE = (VersionStatus.published, VersionStatus.superseded)


@dataclass(frozen=True)
class IndexComponent:
    indicator_id: str
    value: float | None
    status: str | None
    score: float | None
    weight: float


@dataclass(frozen=True)
class QualityIndex:
    score: float | None
    components: tuple[IndexComponent, ...]


def quality_index(
    values: Mapping[str, float | None], definitions: Sequence[IndicatorDefinition]
) -> QualityIndex:
    """The index over indicator ``values`` (by id) with their ``definitions``, pure."""
    components = []
    weighted = weights = 0.0
    for definition in definitions:
        value = values.get(definition.id)
        score = indicator_score(value, definition)
        status = corridor_status(value, definition.direction, definition.green, definition.red)
        components.append(IndexComponent(definition.id, value, status, score, definition.weight))
        if score is not None and definition.weight > 0:
            weighted += definition.weight * score
            weights += definition.weight
    score = round(weighted / weights, 2) if weights else None
    return QualityIndex(score, tuple(components))


def versions_by_standard(
    session: Session, standard_keys: Iterable[str]
) -> dict[str, list[VersionDefinitions]]:
    """Indicator definitions of every version in force (now or before) per standard key."""
    keys = sorted(set(standard_keys))
    if not keys:
        return {}
    rows = session.execute(
        select(
            Standard.key,
            StandardVersion.id,
            StandardVersion.effective_from,
            StandardVersion.summary,
        )
        .join(Standard, Standard.id == StandardVersion.standard_id)
        .where(Standard.key.in_(keys), StandardVersion.status.in_(IN_FORCE))
    ).all()
    result: dict[str, list[VersionDefinitions]] = defaultdict(list)
    for key, version_id, effective_from, summary in rows:
        result[key].append(VersionDefinitions(version_id, effective_from, definitions_of(summary)))
    return dict(result)


def _aggregate(row: Mapping[str, Any]) -> Aggregate:
    return Aggregate(*(row[name] for name in SUMS))


SUMS = ("count", "total", "total_sq", "within", "flagged", "employee_days")


def definitions_for_period(
    versions: Sequence[VersionDefinitions], day: dt.date
) -> tuple[IndicatorDefinition, ...]:
    """The indicator definitions of the version in force on ``day`` (the latest effective
    one not after it; before the first effective date, the first version's)."""
    if not versions:
        return ()
    ordered = sorted(versions, key=lambda v: (v.effective_from or dt.date.min, v.version_id))
    in_force = [v for v in ordered if v.effective_from is None or v.effective_from <= day]
    return (in_force[-1] if in_force else ordered[0]).indicators


def _rollups_of(session: Session, keys: Sequence[tuple], key_columns) -> Iterable[Mapping]:
    """Rollup rows (not stages) of (standard_key, unit_id, granularity, period_start) keys.

    PostgreSQL joins an unnest of the keys (a row-value IN list of a thousand keys is
    evaluated row by row against every rollup); SQLite takes the IN list.
    """
    table = IndicatorRollup.__table__
    not_stage = table.c.indicator_id.not_like(f"{STAGE_PREFIX}%")
    if session.get_bind().dialect.name != "postgresql":
        query = select(table).where(tuple_(*key_columns).in_(keys), not_stage)
        return [row._mapping for row in session.execute(query)]
    names = ("standard_key", "unit_id", "granularity", "period_start")
    rows = [dict(zip(names, key, strict=True)) for key in keys]
    source, params = unnest_source(session, table, rows, names)
    on = " AND ".join(f"r.{n} = k.{n}" for n in names)
    statement = (
        f"SELECT r.* FROM {table.name} AS r JOIN ({source}) AS k ON {on} "
        f"WHERE r.indicator_id NOT LIKE '{STAGE_PREFIX}%'"
    )
    return [row._mapping for row in session.execute(text(statement), params)]


def refresh_quality_index(session: Session, keys: Iterable[tuple[str, int, str, dt.date]]) -> int:
    """Recompute and store the index for (standard_key, unit_id, granularity, period_start)
    keys from their rollup rows. Returns the number of stored values."""
    keys = sorted(set(keys))
    if not keys:
        return 0
    versions = versions_by_standard(session, {k[0] for k in keys})
    rows_of: dict[tuple, list[Any]] = defaultdict(list)
    table = IndicatorRollup.__table__
    key_columns = (table.c.standard_key, table.c.unit_id, table.c.granularity, table.c.period_start)
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        for row in _rollups_of(session, chunk, key_columns):
            key = (row["standard_key"], row["unit_id"], row["granularity"], row["period_start"])
            rows_of[key].append(row)
    stored = []
    now = utcnow()
    for key in keys:
        rows = rows_of.get(key)
        if not rows:
            continue
        definitions = definitions_for_period(versions.get(key[0], []), key[3])
        kinds = {d.id: d.kind for d in definitions}
        values = {
            r["indicator_id"]: indicator_value(kinds[r["indicator_id"]], _aggregate(r))
            for r in rows
            if r["indicator_id"] in kinds
        }
        index = quality_index(values, definitions)
        stored.append(
            {
                "standard_key": key[0],
                "unit_id": key[1],
                "granularity": key[2],
                "period_start": key[3],
                "unit_level": rows[0]["unit_level"],
                "unit_path": rows[0]["unit_path"],
                "score": index.score,
                "components": [_component(c) for c in index.components],
                "computed_at": now,
            }
        )
    upsert_rows(
        session,
        QualityIndexValue.__table__,
        stored,
        ("standard_key", "unit_id", "granularity", "period_start"),
    )
    return len(stored)


def _component(component: IndexComponent) -> dict[str, Any]:
    return {
        "indicator_id": component.indicator_id,
        "value": component.value,
        "status": component.status,
        "score": component.score,
        "weight": component.weight,
    }

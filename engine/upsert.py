"""Dialect-specific bulk writes measurement needs on both databases: INSERT … ON CONFLICT DO
NOTHING RETURNING (to learn which rows are new) and additive upserts of rollup rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import IndicatorRollup
from models.base import utcnow

CHUNK = 2000


def _insert(session: Session, table: Table):
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def insert_ignore_returning(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    *,
    returning: Sequence[str] | None = None,
) -> list[tuple]:
    """Insert ``rows``, skipping those that collide on ``conflict``; return the ``returning``
    columns (default: the conflict columns) of the rows actually inserted."""
    if not rows:
        return []
    columns = [table.c[name] for name in (returning or conflict)]
    inserted: list[tuple] = []
    for start in range(0, len(rows), CHUNK):
        statement = (
            _insert(session, table)
            .on_conflict_do_nothing(index_elements=list(conflict))
            .returning(*columns)
        )
        result = session.execute(statement, list(rows[start : start + CHUNK]))
        inserted.extend(tuple(row) for row in result)
    return inserted


ROLLUP_SUMS = ("count", "total", "total_sq", "within", "flagged", "employee_days")


def upsert_rollups(session: Session, deltas: Mapping[tuple, Sequence[float]]) -> list[tuple]:
    """Add ``deltas`` — {(standard_key, indicator_id, unit_id, unit_level, granularity,
    period_start, unit_path): [count, total, total_sq, within, flagged, employee_days]} — to
    the rollup rows, creating missing ones. Keys are written in sorted order so concurrent
    batches lock rows in the same order. Returns the keys."""
    if not deltas:
        return []
    keys = sorted(deltas, key=lambda k: (k[0], k[1], k[2], k[4], k[5]))
    now = utcnow()
    rows = [
        {
            "standard_key": k[0],
            "indicator_id": k[1],
            "unit_id": k[2],
            "unit_level": k[3],
            "granularity": k[4],
            "period_start": k[5],
            "unit_path": k[6],
            **{name: deltas[k][i] for i, name in enumerate(ROLLUP_SUMS)},
            "updated_at": now,
        }
        for k in keys
    ]
    table = IndicatorRollup.__table__
    for start in range(0, len(rows), CHUNK):
        statement = _insert(session, table)
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[
                "standard_key",
                "indicator_id",
                "unit_id",
                "granularity",
                "period_start",
            ],
            set_={
                **{name: table.c[name] + excluded[name] for name in ROLLUP_SUMS},
                "updated_at": excluded.updated_at,
            },
        )
        session.execute(statement, rows[start : start + CHUNK])
    return keys


def upsert_rows(
    session: Session, table: Table, rows: Iterable[Mapping[str, Any]], conflict: Sequence[str]
) -> None:
    """Insert or replace rows identified by ``conflict`` (all other columns overwritten)."""
    rows = list(rows)
    if not rows:
        return
    for start in range(0, len(rows), CHUNK):
        statement = _insert(session, table)
        names = [c for c in rows[0] if c not in conflict]
        statement = statement.on_conflict_do_update(
            index_elements=list(conflict),
            set_={name: statement.excluded[name] for name in names},
        )
        session.execute(statement, rows[start : start + CHUNK])


__all__ = ["insert_ignore_returning", "upsert_rollups", "upsert_rows"]

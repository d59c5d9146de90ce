"""Bulk writes measurement needs on both databases: INSERT … ON CONFLICT DO NOTHING RETURNING
(to learn which rows are new), additive upserts of rollup rows, replacing upserts and
updates by id.

On PostgreSQL a batch is one statement over ``unnest`` of one array per column: the statement
text stays tiny whatever the batch size (a multi-row VALUES list of thousands of placeholders
costs more to build and parse than to execute). SQLite gets executemany.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Table, bindparam, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from models import IndicatorRollup
from models.base import utcnow

CHUNK = 2000
ROLLUP_KEY = ("standard_key", "indicator_id", "unit_id", "granularity", "period_start")
ROLLUP_SUMS = ("count", "total", "total_sq", "within", "flagged", "employee_days")


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _pg_value(column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, JSON):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def unnest_source(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> tuple[str, dict[str, list[Any]]]:
    """``SELECT * FROM unnest(...)`` over ``columns`` of ``rows`` and its parameters."""
    dialect = session.get_bind().dialect
    casts, params = [], {}
    for i, name in enumerate(columns):
        column = table.c[name]
        params[f"c{i}"] = [_pg_value(column, row.get(name)) for row in rows]
        casts.append(f"CAST(:c{i} AS {column.type.compile(dialect=dialect)}[])")
    return f"SELECT * FROM unnest({', '.join(casts)}) AS u({', '.join(columns)})", params


def _sqlite_insert(table: Table):
    return sqlite.insert(table)


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Plain bulk insert."""
    if not rows:
        return
    if not _is_postgresql(session):
        session.execute(table.insert(), list(rows))
        return
    columns = list(rows[0])
    for start in range(0, len(rows), CHUNK * 5):
        source, params = unnest_source(session, table, rows[start : start + CHUNK * 5], columns)
        session.execute(text(f"INSERT INTO {table.name} ({', '.join(columns)}) {source}"), params)


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
    wanted = list(returning or conflict)
    inserted: list[tuple] = []
    if _is_postgresql(session):
        columns = list(rows[0])
        for start in range(0, len(rows), CHUNK * 5):
            source, params = unnest_source(session, table, rows[start : start + CHUNK * 5], columns)
            statement = (
                f"INSERT INTO {table.name} ({', '.join(columns)}) {source} "
                f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING RETURNING {', '.join(wanted)}"
            )
            inserted.extend(tuple(row) for row in session.execute(text(statement), params))
        return inserted
    for start in range(0, len(rows), CHUNK):
        statement = (
            _sqlite_insert(table)
            .on_conflict_do_nothing(index_elements=list(conflict))
            .returning(*(table.c[name] for name in wanted))
        )
        result = session.execute(statement, list(rows[start : start + CHUNK]))
        inserted.extend(tuple(row) for row in result)
    return inserted


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
    if _is_postgresql(session):
        columns = list(rows[0])
        source, params = unnest_source(session, table, rows, columns)
        sums = ", ".join(f"{n} = {table.name}.{n} + EXCLUDED.{n}" for n in ROLLUP_SUMS)
        session.execute(
            text(
                f"INSERT INTO {table.name} ({', '.join(columns)}) {source} "
                f"ON CONFLICT ({', '.join(ROLLUP_KEY)}) DO UPDATE SET {sums}, "
                "updated_at = EXCLUDED.updated_at"
            ),
            params,
        )
        return keys
    for start in range(0, len(rows), CHUNK):
        statement = _sqlite_insert(table)
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=list(ROLLUP_KEY),
            set_={
                **{name: table.c[name] + excluded[name] for name in ROLLUP_SUMS},
                "updated_at": excluded.updated_at,
            },
        )
        session.execute(statement, rows[start : start + CHUNK])
    return keys


def upsert_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], conflict: Sequence[str]
) -> None:
    """Insert or replace rows identified by ``conflict`` (all other columns overwritten)."""
    rows = list(rows)
    if not rows:
        return
    names = [c for c in rows[0] if c not in conflict]
    if _is_postgresql(session):
        columns = list(rows[0])
        source, params = unnest_source(session, table, rows, columns)
        assignments = ", ".join(f"{n} = EXCLUDED.{n}" for n in names)
        session.execute(
            text(
                f"INSERT INTO {table.name} ({', '.join(columns)}) {source} "
                f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {assignments}"
            ),
            params,
        )
        return
    for start in range(0, len(rows), CHUNK):
        statement = _sqlite_insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=list(conflict),
            set_={name: statement.excluded[name] for name in names},
        )
        session.execute(statement, rows[start : start + CHUNK])


def update_by_id(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Update rows by ``id`` with the other columns of each row (all rows the same columns)."""
    if not rows:
        return
    names = [c for c in rows[0] if c != "id"]
    if _is_postgresql(session):
        columns = ["id", *names]
        source, params = unnest_source(session, table, rows, columns)
        assignments = ", ".join(f"{n} = u.{n}" for n in names)
        session.execute(
            text(f"UPDATE {table.name} SET {assignments} FROM ({source}) AS u WHERE "
                 f"{table.name}.id = u.id"),
            params,
        )  # fmt: skip
        return
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}") for name in names})
    )
    session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])


__all__ = [
    "insert_ignore_returning",
    "insert_rows",
    "unnest_source",
    "update_by_id",
    "upsert_rollups",
    "upsert_rows",
]

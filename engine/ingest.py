"""Ingest of checkpoint events pushed by regional systems.

A batch (up to 10,000 events) is checked event by event (``engine.event_checks``) against the
manifest of the standard version it names or, without a version, the version in force on the
event's day. Invalid events are reported with their errors, events for offices outside the
pusher's region are refused, and the valid rest is stored. ``(source, event_id)`` is unique:
a replayed event is reported as a duplicate and changes nothing, so a regional system may
simply resend a batch.

Storing is lean: one ``INSERT … ON CONFLICT DO NOTHING`` per batch that also queues the new
events' ids for the fold (``engine.fold``), which turns them into traces, conformance,
rollups and the quality index later, in large batches, in ``etalon worker``. With
``fold=True`` the new events are folded at once in the same transaction instead.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from engine.access import Actor, require_role
from engine.audit import record
from engine.errors import Invalid
from engine.event_checks import Catalog, check_event
from engine.rollups import EventRecord, apply_events
from models import CheckpointEvent, EventFoldQueue, Role
from models.base import utcnow

logger = logging.getLogger(__name__)

MAX_BATCH = 10_000
PUSHERS = (Role.regional_system,)
COLUMNS = ("source", "event_id", "case_id", "standard_key", "version_id", "checkpoint_id",
           "kind", "occurred_at", "office_id", "region_id", "actor_login", "attributes",
           "recorded_at")  # fmt: skip


@dataclass(frozen=True)
class IngestReport:
    """What became of a batch: counts, and per-event duplicates, errors and refusals.

    ``queued`` of the ``accepted`` events wait for the fold (0 when folded at once)."""

    received: int
    accepted: int
    duplicates: tuple[str, ...] = ()
    rejected: tuple[dict[str, Any], ...] = ()
    refused: tuple[dict[str, Any], ...] = ()
    queued: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "queued": self.queued,
            "duplicates": list(self.duplicates),
            "rejected": list(self.rejected),
            "refused": list(self.refused),
        }


@dataclass(frozen=True)
class EventBatch:
    """The audited object of an ingest: one entry per batch, not per event."""

    id: str


def _json_value(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_PG_INSERT: dict[bool, str] = {}


def _pg_insert(session: Session, queue: bool) -> str:
    """The PostgreSQL statement: the batch travels as ONE JSON text expanded by
    ``json_to_recordset`` on the server (an array parameter per column costs psycopg a
    Python-level quoting pass over every value), new rows queued in the same statement."""
    if queue not in _PG_INSERT:
        table = CheckpointEvent.__table__
        dialect = session.get_bind().dialect
        per_row = [c for c in COLUMNS if c not in ("source", "recorded_at")]
        record = ", ".join(f"{c} {table.c[c].type.compile(dialect=dialect)}" for c in per_row)
        insert = (
            f"INSERT INTO {table.name} (source, recorded_at, {', '.join(per_row)}) "
            f"SELECT CAST(:source AS VARCHAR), CAST(:now AS TIMESTAMP WITH TIME ZONE), "
            f"{', '.join(per_row)} FROM json_to_recordset(CAST(:rows AS JSON)) AS u({record}) "
            "ON CONFLICT (source, event_id) DO NOTHING RETURNING id, event_id"
        )
        _PG_INSERT[queue] = (
            f"WITH stored AS ({insert}), queued AS (INSERT INTO event_fold_queue (event_id) "
            "SELECT id FROM stored) SELECT event_id FROM stored"
            if queue
            else insert
        )
    return _PG_INSERT[queue]


def _store(
    session: Session, source: str, now: dt.datetime, rows: Sequence[dict[str, Any]], queue: bool
) -> set[str]:
    """Insert ``rows`` (new ones only: ``(source, event_id)`` collisions are skipped), queue
    the new ones for the fold when ``queue``; return the event ids actually stored."""
    if not rows:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        params = {
            "source": source,
            "now": now,
            "rows": json.dumps(rows, ensure_ascii=False, default=_json_value),
        }
        return set(session.scalars(text(_pg_insert(session, queue)), params))
    table = CheckpointEvent.__table__
    result = session.execute(
        sqlite.insert(table)
        .on_conflict_do_nothing(index_elements=["source", "event_id"])
        .returning(table.c.id, table.c.event_id),
        [{**row, "source": source, "recorded_at": now} for row in rows],
    ).all()
    if queue and result:
        session.execute(EventFoldQueue.__table__.insert(), [{"event_id": r.id} for r in result])
    return {r.event_id for r in result}


def ingest_events(
    session: Session,
    actor: Actor,
    events: Sequence[Any],
    *,
    source: str | None = None,
    fold: bool = False,
) -> IngestReport:
    """Check and store a batch of pushed checkpoint events; see the module docstring.

    ``source`` defaults to the pusher's login (event ids are unique per source). The new
    events are queued for the fold, or folded at once with ``fold=True``.
    """
    require_role(actor, *PUSHERS)
    if len(events) > MAX_BATCH:
        raise Invalid(
            f"A batch holds at most {MAX_BATCH} events, not {len(events)}.",
            {"events": [f"at most {MAX_BATCH}"]},
        )
    source = source or actor.login
    catalog = Catalog(session, [e for e in events if isinstance(e, Mapping)])
    rejected, refused, duplicates, rows = [], [], [], []
    seen: set[str] = set()
    now = utcnow()
    horizon = now + dt.timedelta(days=1)
    scope: dict[str, bool] = {}
    for index, event in enumerate(events):
        errors, row = check_event(event, catalog, horizon)
        if errors:
            event_id = event.get("event_id") if isinstance(event, Mapping) else None
            rejected.append({"index": index, "event_id": event_id, "errors": errors})
            continue
        office = row.pop("_office")
        if office.path not in scope:
            scope[office.path] = actor.reaches(office.path, *PUSHERS)
        if not scope[office.path]:
            refused.append({"index": index, "event_id": row["event_id"], "office": office.code})
            continue
        if row["event_id"] in seen:
            duplicates.append(row["event_id"])
            continue
        seen.add(row["event_id"])
        rows.append(row)
    stored = _store(session, source, now, rows, queue=not fold)
    duplicates.extend(r["event_id"] for r in rows if r["event_id"] not in stored)
    new = [r for r in rows if r["event_id"] in stored] if len(stored) < len(rows) else rows
    if fold:
        apply_events(session, [record_of(source, r) for r in new])
    report = IngestReport(
        len(events),
        len(new),
        tuple(duplicates),
        tuple(rejected),
        tuple(refused),
        0 if fold else len(new),
    )
    if new or rejected or refused:
        record(
            session,
            actor,
            "events.ingested",
            EventBatch(f"{source}:{new[0]['event_id'] if new else '-'}"),
            accepted=report.accepted,
            duplicates=len(duplicates),
            rejected=len(rejected),
            refused=len(refused),
        )
    logger.info(
        "%s: %d events, %d stored, %d duplicates, %d rejected, %d refused",
        source, len(events), len(new), len(duplicates), len(rejected), len(refused),
    )  # fmt: skip
    return report


def record_of(source: str, row: Mapping[str, Any]) -> EventRecord:
    """The measurement view of a stored event row."""
    return EventRecord(
        source=source,
        case_id=row["case_id"],
        standard_key=row["standard_key"],
        version_id=row["version_id"],
        checkpoint_id=row["checkpoint_id"],
        occurred_at=row["occurred_at"],
        office_id=row["office_id"],
        actor_login=row.get("actor_login"),
        attributes=row.get("attributes") or {},
        kind=row["kind"],
    )

"""Ingest of checkpoint events pushed by regional systems.

A batch (up to 10,000 events) is checked event by event against the manifest of the standard
version it names or, without a version, the version in force on the event's day. Invalid
events are reported with their errors, events for offices outside the pusher's region are
refused, and the valid rest is stored. ``(source, event_id)`` is unique: a replayed event is
reported as a duplicate and changes nothing, so a regional system may simply resend a batch.

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

from sqlalchemy import and_, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from engine.access import Actor, require_role
from engine.audit import record
from engine.errors import Invalid
from engine.indicators import LOCAL_TZ
from engine.rollups import EventRecord, apply_events
from models import (
    CheckpointEvent,
    CheckpointKind,
    EventFoldQueue,
    Role,
    Standard,
    StandardVersion,
    Unit,
    UnitLevel,
    VersionStatus,
)
from models.base import utcnow

logger = logging.getLogger(__name__)

MAX_BATCH = 10_000
PUSHERS = (Role.regional_system,)
IN_FORCE = (VersionStatus.published, VersionStatus.superseded)
KINDS = {kind.value for kind in CheckpointKind}
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


@dataclass(frozen=True)
class _VersionInfo:
    id: int
    number: int
    effective_from: dt.date | None
    checkpoints: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class _Office:
    id: int
    code: str
    level: str
    path: str

    @property
    def region_id(self) -> int | None:
        ids = self.path.strip("/").split("/")
        return int(ids[1]) if len(ids) > 2 else None


# Checkpoints and their attributes per (version id, BPMN digest): a manifest is read once per
# process, not once per batch (versions in force never change their content).
_CHECKPOINTS: dict[tuple[int, str], Mapping[str, frozenset[str]]] = {}


def _checkpoints_of(summary: Mapping[str, Any] | None) -> dict[str, frozenset[str]]:
    return {
        checkpoint["id"]: frozenset(checkpoint.get("attributes") or ())
        for checkpoint in (summary or {}).get("checkpoints") or ()
    }


class _Catalog:
    """Standards, in-force versions and offices a batch refers to: two small queries per
    batch, manifests from the cache."""

    def __init__(self, session: Session, events: Sequence[Mapping[str, Any]]) -> None:
        keys = {_text(e.get("standard") or e.get("standard_key")) for e in events} - {None}
        codes = {_text(e.get("office")) for e in events} - {None}
        rows = session.execute(
            select(
                Standard.key,
                StandardVersion.id,
                StandardVersion.number,
                StandardVersion.effective_from,
                StandardVersion.sha256,
            )
            .select_from(Standard)
            .outerjoin(
                StandardVersion,
                and_(
                    StandardVersion.standard_id == Standard.id,
                    StandardVersion.status.in_(IN_FORCE),
                ),
            )
            .where(Standard.key.in_(keys))
        ).all()
        missing = [r[1] for r in rows if r[1] is not None and (r[1], r[4]) not in _CHECKPOINTS]
        if missing:
            for version_id, digest, summary in session.execute(
                select(StandardVersion.id, StandardVersion.sha256, StandardVersion.summary).where(
                    StandardVersion.id.in_(missing)
                )
            ):
                _CHECKPOINTS[(version_id, digest)] = _checkpoints_of(summary)
        self.known = {r[0] for r in rows}
        self.versions: dict[str, list[_VersionInfo]] = {}
        for key, version_id, number, effective_from, digest in rows:
            if version_id is not None:
                info = _VersionInfo(
                    version_id, number, effective_from, _CHECKPOINTS[(version_id, digest)]
                )
                self.versions.setdefault(key, []).append(info)
        for infos in self.versions.values():
            infos.sort(key=lambda v: (v.effective_from or dt.date.min, v.number))
        self.offices = {
            code: _Office(unit_id, code, str(level), path)
            for unit_id, code, level, path in session.execute(
                select(Unit.id, Unit.code, Unit.level, Unit.path).where(Unit.code.in_(codes))
            )
        }
        self._in_force: dict[tuple[str, dt.date], _VersionInfo | None] = {}

    def version(self, key: str, number: int | None, day: dt.date) -> _VersionInfo | None:
        infos = self.versions.get(key, [])
        if number is not None:
            return next((v for v in infos if v.number == number), None)
        if (key, day) not in self._in_force:
            in_force = [v for v in infos if v.effective_from is None or v.effective_from <= day]
            self._in_force[(key, day)] = in_force[-1] if in_force else None
        return self._in_force[(key, day)]


def _text(value: Any, limit: int = 200) -> str | None:
    if isinstance(value, str) and value.strip() and len(value) <= limit:
        return value.strip()
    return None


def _timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else None


OFFICE = str(UnitLevel.office)


def _check(
    event: Any, catalog: _Catalog, horizon: dt.datetime
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Errors by field, and the row to store when there are none."""
    if not isinstance(event, Mapping):
        return {"event": ["must be an object"]}, {}
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    event_id, case_id = _text(event.get("event_id")), _text(event.get("case_id"))
    if event_id is None:
        fail("event_id", "required, a non-empty string of at most 200 characters")
    if case_id is None:
        fail("case_id", "required, a non-empty string of at most 200 characters")
    occurred_at = _timestamp(event.get("occurred_at"))
    if occurred_at is None:
        fail("occurred_at", "required, an ISO 8601 timestamp with a time zone")
    elif occurred_at > horizon:
        fail("occurred_at", "lies in the future")
    kind = event.get("kind", "completed")
    if kind not in KINDS:
        fail("kind", f"one of {', '.join(sorted(KINDS))}")
    actor_login = event.get("actor")
    if actor_login is not None and _text(actor_login, 100) is None:
        fail("actor", "a non-empty string of at most 100 characters")
    attributes = event.get("attributes", {})
    if not isinstance(attributes, Mapping):
        fail("attributes", "must be an object")
        attributes = {}
    office = catalog.offices.get(_text(event.get("office")) or "")
    if office is None or office.level != OFFICE:
        fail("office", "required, the code of an office")
    key = _text(event.get("standard") or event.get("standard_key"))
    number = event.get("version")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
        fail("version", "the number of a published version")
        number = None
    version = None
    if key is None or key not in catalog.known:
        fail("standard", "required, the key of a known standard")
    elif occurred_at is not None:
        version = catalog.version(key, number, occurred_at.astimezone(LOCAL_TZ).date())
        if version is None:
            fail("version", "no published version of the standard with this number in force")
    checkpoint_id = _text(event.get("checkpoint_id"))
    if version is not None:
        declared = version.checkpoints.get(checkpoint_id or "")
        if declared is None:
            fail("checkpoint_id", f"not a checkpoint of version {version.number}")
        else:
            for name in attributes:
                if name not in declared:
                    fail("attributes", f"'{name}' is not an attribute of {checkpoint_id}")
    if errors:
        return errors, {}
    return {}, {
        "event_id": event_id,
        "case_id": case_id,
        "standard_key": key,
        "version_id": version.id,
        "checkpoint_id": checkpoint_id,
        "kind": kind,
        "occurred_at": occurred_at,
        "office_id": office.id,
        "region_id": office.region_id,
        "actor_login": actor_login,
        "attributes": attributes,
        "_office": office,
    }


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
    catalog = _Catalog(session, [e for e in events if isinstance(e, Mapping)])
    rejected, refused, duplicates, rows = [], [], [], []
    seen: set[str] = set()
    now = utcnow()
    horizon = now + dt.timedelta(days=1)
    scope: dict[str, bool] = {}
    for index, event in enumerate(events):
        errors, row = _check(event, catalog, horizon)
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

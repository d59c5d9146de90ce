"""Ingest of checkpoint events pushed by regional systems.

A batch (up to 10,000 events) is checked event by event against the manifest of the standard
version it names or, without a version, the version in force on the event's day. Invalid
events are reported with their errors, events for offices outside the pusher's region are
refused, and the valid rest is stored. ``(source, event_id)`` is unique: a replayed event is
reported as a duplicate and changes nothing, so a regional system may simply resend a batch.
Stored events are folded into traces, conformance and rollups in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Actor, require_role
from engine.audit import record
from engine.errors import Invalid
from engine.indicators import local_day
from engine.rollups import EventRecord, apply_events
from engine.upsert import insert_ignore_returning
from models import (
    CheckpointEvent,
    CheckpointKind,
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


@dataclass(frozen=True)
class IngestReport:
    """What became of a batch: counts, and per-event duplicates, errors and refusals."""

    received: int
    accepted: int
    duplicates: tuple[str, ...] = ()
    rejected: tuple[dict[str, Any], ...] = ()
    refused: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "duplicates": list(self.duplicates),
            "rejected": list(self.rejected),
            "refused": list(self.refused),
        }


@dataclass(frozen=True)
class EventBatch:
    """The audited object of an ingest: one entry per batch, not per event."""

    id: str


@dataclass
class _VersionInfo:
    id: int
    number: int
    effective_from: dt.date | None
    checkpoints: dict[str, set[str]] = field(default_factory=dict)


class _Catalog:
    """Standards, in-force versions and offices a batch refers to, loaded once per batch."""

    def __init__(self, session: Session, events: Sequence[Mapping[str, Any]]) -> None:
        keys = {_text(e.get("standard") or e.get("standard_key")) for e in events} - {None}
        codes = {_text(e.get("office")) for e in events} - {None}
        self.versions: dict[str, list[_VersionInfo]] = {}
        rows = session.execute(
            select(
                Standard.key,
                StandardVersion.id,
                StandardVersion.number,
                StandardVersion.effective_from,
                StandardVersion.summary,
            )
            .join(Standard, Standard.id == StandardVersion.standard_id)
            .where(Standard.key.in_(keys), StandardVersion.status.in_(IN_FORCE))
        ).all()
        for key, version_id, number, effective_from, summary in rows:
            info = _VersionInfo(version_id, number, effective_from)
            for checkpoint in (summary or {}).get("checkpoints") or ():
                info.checkpoints[checkpoint["id"]] = set(checkpoint.get("attributes") or ())
            self.versions.setdefault(key, []).append(info)
        for infos in self.versions.values():
            infos.sort(key=lambda v: (v.effective_from or dt.date.min, v.number))
        self.known = set(session.scalars(select(Standard.key).where(Standard.key.in_(keys))))
        self.offices = {
            u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))
        }

    def version(self, key: str, number: int | None, day: dt.date) -> _VersionInfo | None:
        infos = self.versions.get(key, [])
        if number is not None:
            return next((v for v in infos if v.number == number), None)
        in_force = [v for v in infos if v.effective_from is None or v.effective_from <= day]
        return in_force[-1] if in_force else None


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


def _check(event: Any, catalog: _Catalog) -> tuple[dict[str, list[str]], dict[str, Any]]:
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
    elif occurred_at > utcnow() + dt.timedelta(days=1):
        fail("occurred_at", "lies in the future")
    kind = event.get("kind", CheckpointKind.completed.value)
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
    if office is None or office.level != UnitLevel.office:
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
        version = catalog.version(key, number, local_day(occurred_at))
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
        "region_id": office.ancestor_ids[1] if len(office.ancestor_ids) > 1 else None,
        "actor_login": actor_login,
        "attributes": dict(attributes),
        "_office": office,
    }


def ingest_events(
    session: Session,
    actor: Actor,
    events: Sequence[Any],
    *,
    source: str | None = None,
    refresh_index: bool = True,
) -> IngestReport:
    """Check and store a batch of pushed checkpoint events; see the module docstring.

    ``source`` defaults to the pusher's login (event ids are unique per source).
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
    for index, event in enumerate(events):
        errors, row = _check(event, catalog)
        event_id = event.get("event_id") if isinstance(event, Mapping) else None
        if errors:
            rejected.append({"index": index, "event_id": event_id, "errors": errors})
            continue
        office = row.pop("_office")
        if not actor.reaches(office.path, *PUSHERS):
            refused.append({"index": index, "event_id": event_id, "office": office.code})
            continue
        if row["event_id"] in seen:
            duplicates.append(row["event_id"])
            continue
        seen.add(row["event_id"])
        rows.append({"source": source, "recorded_at": utcnow(), **row})
    stored = {
        event_id
        for (event_id,) in insert_ignore_returning(
            session,
            CheckpointEvent.__table__,
            rows,
            ("source", "event_id"),
            returning=("event_id",),
        )
    }
    duplicates.extend(r["event_id"] for r in rows if r["event_id"] not in stored)
    new = [r for r in rows if r["event_id"] in stored]
    apply_events(session, [record_of(source, r) for r in new], refresh_index=refresh_index)
    report = IngestReport(len(events), len(new), tuple(duplicates), tuple(rejected), tuple(refused))
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

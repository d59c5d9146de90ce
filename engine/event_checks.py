"""Checks of pushed checkpoint events against what a batch refers to: the standard and its
version in force on the event's day (its manifest's checkpoints and their attributes) and the
office. Pure per event; the catalog is loaded once per batch with two small queries, the
manifests once per process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from engine.indicators import LOCAL_TZ
from models import CheckpointKind, Standard, StandardVersion, Unit, UnitLevel, VersionStatus

IN_FORCE = (VersionStatus.published, VersionStatus.superseded)
KINDS = {kind.value for kind in CheckpointKind}


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


class Catalog:
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


def check_event(
    event: Any, catalog: Catalog, horizon: dt.datetime
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Errors by field, and the row to store when there are none (with ``_office``, the
    office it happened in, for the scope check). Events after ``horizon`` lie in the future."""
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

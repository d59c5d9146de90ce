"""Distribution to regional systems: the published listing, manifests of versions in force and
the change feed of publications and withdrawals.

The change feed's cursor is `PublicationEvent.id`. A poller asking for `id > cursor` must never
miss an event, so ids have to become visible in the order they are allocated. On PostgreSQL two
publishing transactions could otherwise allocate 5 and 6 and commit 6 first: a poller that saw
6 would move its cursor past 5 for ever. Events are therefore written under a transaction-level
advisory lock taken just before the insert: the second publisher waits until the first has
committed (the lock is released after the commit is visible), so ids commit in order. The lock
is taken at the very end of a publication, so it serialises only the last moments of two
simultaneous publications, which are rare. SQLite serialises writers anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from engine.access import Actor, require_role
from engine.errors import DomainError, NotFound
from models import (
    Attachment,
    ChangeKind,
    PublicationEvent,
    Release,
    Role,
    Standard,
    StandardVersion,
)
from standards.registry import IN_FORCE

logger = logging.getLogger(__name__)

#: pg_advisory_xact_lock key of the change feed ("etalonpe" as an integer)
FEED_LOCK = 0x6574616C6F6E7065
MAX_PAGE = 500


class UnknownCursor(DomainError):
    """A cursor the feed never issued (not an integer, negative, or past the last event)."""


@dataclass(frozen=True)
class ChangePage:
    """Events after a cursor; `cursor` is what to ask with next time."""

    events: list[PublicationEvent]
    cursor: int
    has_more: bool


def require_reader(actor: Actor) -> None:
    """Published material is readable by every authenticated actor holding any role."""
    require_role(actor, *Role)


def in_force_query(on: dt.date) -> Select[tuple[StandardVersion]]:
    """Versions in force on `on`, one per standard, ordered by standard key."""
    newer = aliased(StandardVersion)
    later = exists().where(
        newer.standard_id == StandardVersion.standard_id,
        newer.status.in_(IN_FORCE),
        newer.effective_from <= on,
        or_(
            newer.effective_from > StandardVersion.effective_from,
            and_(
                newer.effective_from == StandardVersion.effective_from,
                newer.number > StandardVersion.number,
            ),
        ),
    )
    return (
        select(StandardVersion)
        .join(Standard, Standard.id == StandardVersion.standard_id)
        .where(
            StandardVersion.status.in_(IN_FORCE),
            StandardVersion.effective_from <= on,
            ~later,
        )
        .order_by(Standard.key)
    )


def published_in_force(
    session: Session, actor: Actor, key: str, on: dt.date | None = None
) -> StandardVersion:
    """The version of standard `key` in force on `on` (today); NotFound when there is none."""
    require_reader(actor)
    on = on or dt.date.today()
    version = session.scalars(in_force_query(on).where(Standard.key == key)).one_or_none()
    if version is None:
        raise NotFound(f"No version of {key} is in force on {on.isoformat()}.")
    return version


def manifest_of(session: Session, version: StandardVersion) -> dict[str, Any]:
    """What a regional system needs of a version in force, without reading its BPMN."""
    standard = version.standard
    summary = version.summary or {}
    attachments = session.scalars(
        select(Attachment).where(Attachment.version_id == version.id).order_by(Attachment.id)
    ).all()
    return {
        "key": standard.key,
        "title": standard.title,
        "kind": str(standard.kind),
        "category": str(standard.category),
        "service_code": standard.service_code,
        "process_id": standard.process_id,
        "version": version.number,
        "status": str(version.status),
        "sha256": version.sha256,
        "size": version.size,
        "effective_from": version.effective_from.isoformat() if version.effective_from else None,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "processes": summary.get("processes", []),
        "checkpoints": summary.get("checkpoints", []),
        "deadlines": summary.get("deadlines", []),
        "indicators": summary.get("indicators", []),
        "roles": summary.get("roles", []),
        "called_processes": summary.get("called_processes", []),
        "attachments": [
            {
                "id": a.id,
                "kind": str(a.kind),
                "title": a.title,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "element_id": a.element_id,
                "ref": a.ref,
            }
            for a in attachments
        ],
    }


def manifest_etag(manifest: dict[str, Any]) -> str:
    """A strong validator of a manifest: SHA-256 of its canonical JSON."""
    canonical = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_cursor(raw: str | None) -> int:
    """A cursor as clients send it: absent or `0` for the beginning, else an issued event id."""
    if raw is None or raw == "":
        return 0
    if not raw.isdigit():
        raise UnknownCursor(
            f"{raw!r} is not a cursor: use 0 or the `cursor` of a previous answer.",
            cursor=raw,
        )
    return int(raw)


def changes_after(session: Session, actor: Actor, cursor: int, limit: int = 100) -> ChangePage:
    """Events with an id above `cursor`, oldest first, at most `limit` (≤ 500)."""
    require_reader(actor)
    last = session.scalar(select(func.max(PublicationEvent.id))) or 0
    if cursor > last:
        raise UnknownCursor(
            f"The cursor {cursor} was never issued: the feed ends at {last}.",
            cursor=cursor,
            last=last,
        )
    limit = max(1, min(limit, MAX_PAGE))
    events = list(
        session.scalars(
            select(PublicationEvent)
            .where(PublicationEvent.id > cursor)
            .order_by(PublicationEvent.id)
            .limit(limit + 1)
        )
    )
    has_more = len(events) > limit
    events = events[:limit]
    return ChangePage(events, events[-1].id if events else cursor, has_more)


def _lock_feed(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})


def record_changes(
    session: Session,
    kind: ChangeKind,
    versions: Sequence[StandardVersion],
    release: Release | None = None,
) -> list[PublicationEvent]:
    """Append one event per version to the feed, in the caller's transaction."""
    session.flush()  # everything else of the publication first: hold the lock briefly
    _lock_feed(session)
    events = []
    for version in versions:
        event = PublicationEvent(
            kind=kind,
            standard_id=version.standard_id,
            version_id=version.id,
            standard_key=version.standard.key,
            version_number=version.number,
            sha256=version.sha256,
            effective_from=version.effective_from,
            release_id=release.id if release is not None else None,
        )
        session.add(event)
        events.append(event)
    session.flush()
    logger.info("change feed: %s %s", kind, ", ".join(v.label for v in versions))
    return events


def event_payload(event: PublicationEvent) -> dict[str, Any]:
    """The JSON of an event, the same in the feed and in webhook deliveries."""
    base = f"/api/v1/published/{event.standard_key}"
    return {
        "cursor": event.id,
        "type": f"standard.{event.kind}",
        "kind": str(event.kind),
        "key": event.standard_key,
        "version": event.version_number,
        "sha256": event.sha256,
        "effective_from": event.effective_from.isoformat() if event.effective_from else None,
        "release_id": event.release_id,
        "at": event.at.isoformat(),
        "links": {"manifest": base, "bpmn": f"{base}/bpmn"},
    }

"""The audit log: written in the same transaction as the change it records."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.orm import Session

from engine.access import READERS_OF_AUDIT, Actor, in_scope, require_role
from engine.prepared import Prepared, column_values
from engine.values import jsonable
from models import AuditEntry, Unit, utcnow

logger = logging.getLogger(__name__)


_INSERT = Prepared(
    insert(AuditEntry.__table__).values(
        column_values(
            AuditEntry.__table__,
            *("actor_id", "actor_login", "action", "object_type", "object_id", "unit_id"),
            *("details", "at"),
        )
    )
)


def record(
    session: Session,
    actor: Actor,
    action: str,
    obj: Any,
    *,
    unit_id: int | None = None,
    **details: Any,
) -> None:
    """Append an entry for `action` on `obj` (a mapped object). The session is flushed first,
    so the change recorded is in the database with its entry (and the object has its id)."""
    session.flush()
    record_entry(session, actor, action, type(obj).__name__, obj.id, unit_id=unit_id, **details)


def record_entry(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any,
    *,
    unit_id: int | None = None,
    **details: Any,
) -> None:
    """Append an entry for `action` on the object ``object_type`` ``object_id`` (the name
    of its model class and its id).

    The entry is inserted at once with a plain INSERT, not added to the session: an entry is
    never changed, and a step of a case, which writes its rows the same way, needs no flush."""
    _INSERT.execute(
        session,
        {
            "actor_id": actor.person_id,
            "actor_login": actor.login,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "unit_id": unit_id,
            "details": jsonable(details),
            "at": utcnow(),
        },
    ).close()
    logger.info("%s %s %s#%s", actor.login, action, object_type, object_id)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor_login: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def query_entries(actor: Actor, filters: AuditFilter) -> Select[tuple[AuditEntry]]:
    """Entries the actor may read, newest first. Entries without a unit are federal: they are
    visible only to actors whose scope is the whole tree."""
    require_role(actor, *READERS_OF_AUDIT)
    unit_path = select(Unit.path).where(Unit.id == AuditEntry.unit_id).scalar_subquery()
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if not actor.is_system:
        federal = any(p.count("/") == 2 for p in actor.scope_paths(*READERS_OF_AUDIT))
        scoped = in_scope(actor, unit_path, *READERS_OF_AUDIT)
        query = query.where(or_(scoped, AuditEntry.unit_id.is_(None)) if federal else scoped)
    for column, value in (
        (AuditEntry.action, filters.action),
        (AuditEntry.object_type, filters.object_type),
        (AuditEntry.object_id, filters.object_id),
        (AuditEntry.actor_login, filters.actor_login),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.at < filters.until)
    return query

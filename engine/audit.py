"""The audit log: written in the same transaction as the change it records."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.orm import Session

from engine.access import READERS_OF_AUDIT, Actor, in_scope, require_role
from engine.values import jsonable
from models import AuditEntry, Unit, utcnow

logger = logging.getLogger(__name__)


_INSERT = insert(AuditEntry.__table__)


def record(
    session: Session,
    actor: Actor,
    action: str,
    obj: Any,
    *,
    unit_id: int | None = None,
    **details: Any,
) -> None:
    """Append an entry for `action` on `obj` (a mapped object with an `id`).

    The entry is inserted at once with a plain INSERT, not added to the session: an entry is
    never changed, and a step of a case then needs no second flush for it."""
    object_type = type(obj).__name__
    if getattr(obj, "id", None) is None:
        session.flush()  # the object needs its id
    session.execute(
        _INSERT,
        {
            "actor_id": actor.person_id,
            "actor_login": actor.login,
            "action": action,
            "object_type": object_type,
            "object_id": str(obj.id),
            "unit_id": unit_id,
            "details": jsonable(details),
            "at": utcnow(),
        },
    )
    logger.info("%s %s %s#%s", actor.login, action, object_type, obj.id)


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

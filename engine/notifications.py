"""Notifications: one row per person and event of the loop (a corrective assignment issued or
escalated, an indicator back in its corridor, a daily digest, a change request). An
integration polls `GET /notifications?after=<last id>`; people mark them read.

Events: `assignment.issued`, `assignment.escalated`, `deviation.recovered`, `digest.issued`,
`change_request.opened`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.access import Actor
from engine.errors import NotFound
from models import Assignment, Notification, utcnow

logger = logging.getLogger(__name__)

EVENTS = (
    "assignment.issued",
    "assignment.escalated",
    "deviation.recovered",
    "digest.issued",
    "change_request.opened",
)


def notify_assignments(
    session: Session, event: str, assignments: Sequence[Assignment], **body: Any
) -> list[Notification]:
    """One notification per assignment's assignee, titled after the assignment."""
    rows = [
        Notification(
            event=event,
            person_id=a.person_id,
            unit_id=a.unit_id,
            assignment_id=a.id,
            title=a.title[:500],
            body={"kind": a.kind, "assignment_id": a.id, **body},
        )
        for a in assignments
    ]
    session.add_all(rows)
    if rows:
        session.flush()
        logger.info("%d notification(s) %s", len(rows), event)
    return rows


def my_notifications(
    actor: Actor, *, after: int | None = None, unread: bool = False
) -> Select[tuple[Notification]]:
    """The actor's own notifications, oldest first from `after` (an integration's cursor)."""
    query = select(Notification).where(Notification.person_id == actor.person_id)
    if after is not None:
        query = query.where(Notification.id > after)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.id)


def mark_read(session: Session, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (others' are 404)."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.person_id != actor.person_id:
        raise NotFound("Notification not found.")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification

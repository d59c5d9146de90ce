"""Escalation of corrective assignments one level up the org tree: by the worker when one is
left past its due date, or by a manager by hand. The old assignments become `escalated` (they
stay open: their holders may still close them) and the managers of the parent unit get new
ones about the same deviation, with the escalation level raised."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.access import Actor, require_unit
from engine.assignments import ISSUERS, change_status, get_assignment
from engine.corrective import CORRECTIVE, SUBJECT, deviation_of, issue_for_deviation
from engine.errors import Conflict
from models import Assignment, AssignmentEvent, AssignmentStatus, Deviation, DeviationStatus, Unit

logger = logging.getLogger(__name__)

S = AssignmentStatus
ESCALATABLE = (S.issued, S.acknowledged, S.overdue)


def _escalate_deviation(
    session: Session, actor: Actor, deviation: Deviation, from_unit: Unit, now: dt.datetime
) -> list[Assignment]:
    parent = from_unit.parent
    if parent is None:
        return []
    level = deviation.escalation_level + 1
    issued = issue_for_deviation(
        session,
        actor,
        deviation,
        parent,
        now=now,
        level=level,
        comment=f"эскалация из {from_unit.code}",
    )
    if issued:  # nobody above (e.g. no manager of the federation): the level stays
        deviation.escalation_level = level
    return issued


def escalate_overdue(session: Session, actor: Actor, now: dt.datetime) -> int:
    """Escalate every open corrective assignment past its due date; return how many new
    assignments were issued. Several workers may run this at once: the conditional UPDATE
    lets exactly one of them take each row."""
    ids = list(
        session.scalars(
            update(Assignment)
            .where(
                Assignment.kind == CORRECTIVE,
                Assignment.status.in_(ESCALATABLE),
                Assignment.due_at < now,
            )
            .values(status=S.escalated, updated_at=now)
            .returning(Assignment.id),
            execution_options={"synchronize_session": False},
        )
    )
    if not ids:
        return 0
    session.expire_all()
    by_deviation: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in session.scalars(select(Assignment).where(Assignment.id.in_(ids))):
        session.add(
            AssignmentEvent(
                assignment_id=assignment.id,
                from_status=None,
                to_status=S.escalated,
                actor_id=actor.person_id,
                actor_login=actor.login,
                comment="срок истёк: эскалация на уровень выше",
            )
        )
        by_deviation[int(assignment.subject_id)].append(assignment)
    issued = 0
    for deviation_id, assignments in sorted(by_deviation.items()):
        deviation = session.get(Deviation, deviation_id)
        if deviation is None or deviation.status == DeviationStatus.closed:
            continue
        unit = session.get(Unit, assignments[0].target_unit_id or assignments[0].unit_id)
        issued += len(_escalate_deviation(session, actor, deviation, unit, now))
    session.flush()
    logger.info("escalated %d overdue corrective assignment(s), %d new", len(ids), issued)
    return issued


def escalate_corrective(
    session: Session, actor: Actor, assignment_id: int, *, comment: str = "", now: dt.datetime
) -> list[Assignment]:
    """A manager over the assignment's unit escalates it by hand; return the new assignments."""
    assignment = get_assignment(session, actor, assignment_id)
    deviation = deviation_of(session, assignment)
    require_unit(actor, assignment.unit, *ISSUERS, what="Assignment")
    if deviation.status == DeviationStatus.closed:
        raise Conflict(f"Deviation {deviation.id} is closed; nothing to escalate.")
    unit = session.get(Unit, assignment.target_unit_id or assignment.unit_id)
    if unit.parent is None:
        raise Conflict(f"{unit.code} is the top of the org tree; there is no level above.")
    change_status(session, actor, assignment, S.escalated, comment=comment or "эскалация")
    return _escalate_deviation(session, actor, deviation, unit, now)


def subject_assignments(session: Session, deviation: Deviation) -> list[Assignment]:
    """Every corrective assignment of a deviation, first issued first."""
    return list(
        session.scalars(
            select(Assignment)
            .where(
                Assignment.kind == CORRECTIVE,
                Assignment.subject_type == SUBJECT,
                Assignment.subject_id == str(deviation.id),
            )
            .order_by(Assignment.id)
        )
    )

"""Corrective assignments: every deviation a detector finds becomes an assignment to the manager
of the accountable unit (the office for office-level deviations, the region for region-level
ones), with the deviation in words, its figures, the cases behind it and the prescribed
actions — like the tasks of seed 000's ИСУ. A deviation still open is never assigned twice.

When the indicator returns to its corridor (or no case is left) the assignments show it and
may be closed as effective; an assignment left past its due date escalates one level up the
org tree (office → region → federation), see `engine.escalation`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor
from engine.assignments import OPEN, Recipient, change_status, get_assignment, issue_assignments
from engine.calendar_store import working_calendar
from engine.detectors.base import DEFAULT_DUE_WORKING_DAYS, Detection, Settings, number
from engine.errors import Conflict
from engine.notifications import notify_assignments
from models import (
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    Deviation,
    DeviationStatus,
    Person,
    PersonKind,
    RoleGrant,
    Unit,
)

logger = logging.getLogger(__name__)

CORRECTIVE = "corrective"
SUBJECT = "deviation"
S = AssignmentStatus


@dataclass(frozen=True)
class LoopOutcome:
    """What recording one detection changed."""

    opened: int = 0
    confirmed: int = 0
    recovered: int = 0
    reopened: int = 0
    assignments: int = 0


def accountable_people(
    session: Session, unit: Unit, role: str
) -> tuple[Unit | None, list[Recipient]]:
    """The people holding `role` granted on `unit` itself — or, when nobody is, on the nearest
    unit above it — and that unit."""
    current: Unit | None = unit
    while current is not None:
        people = session.scalars(
            select(Person)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(
                RoleGrant.unit_id == current.id,
                RoleGrant.role == role,
                Person.is_active.is_(True),
                Person.kind == PersonKind.human,
            )
            .order_by(Person.login)
        ).all()
        if people:
            return current, [Recipient(p, current) for p in dict.fromkeys(people)]
        current = current.parent
    return None, []


def assignment_text(deviation: Deviation, level: int) -> str:
    """The task as a manager reads it: kind, whom it concerns, the deviation, the steps."""
    lines = [
        "Вид задачи: Задание на улучшение работы",
        f"С кем работаем: {deviation.person_login or deviation.unit.name}",
        f"Дата расчета: {deviation.last_seen_at:%d.%m.%Y}",
        "",
        "Описание задачи",
        deviation.description,
    ]
    if level:
        lines += ["", f"Задача эскалирована на уровень выше ({level}): срок исполнения истёк."]
    if deviation.actions:
        lines += ["", "Рекомендуемые действия:"]
        lines += [f"{i}. {action}" for i, action in enumerate(deviation.actions, 1)]
    return "\n".join(lines)


def _payload(deviation: Deviation, level: int) -> dict:
    return {
        "deviation_id": deviation.id,
        "detector": deviation.detector,
        "standard": deviation.standard_key,
        "indicator": deviation.indicator_id or None,
        "unit_code": deviation.unit.code,
        "employee": deviation.person_login,
        "description": deviation.description,
        "figures": dict(deviation.figures),
        "cases": list(deviation.cases),
        "actions": list(deviation.actions),
        "escalation_level": level,
        "recovered": None,
        "text": assignment_text(deviation, level),
    }


def issue_for_deviation(
    session: Session,
    actor: Actor,
    deviation: Deviation,
    unit: Unit,
    *,
    now: dt.datetime,
    due_working_days: int = DEFAULT_DUE_WORKING_DAYS,
    level: int = 0,
    comment: str = "",
) -> list[Assignment]:
    """Corrective assignments about `deviation` to the holders of its recipient role in `unit`
    (or the nearest unit above with such people), due in `due_working_days` working days."""
    accountable, recipients = accountable_people(session, unit, deviation.recipient_role)
    if accountable is None:
        logger.warning(
            "deviation %s: nobody holds %s over %s",
            deviation.id,
            deviation.recipient_role,
            unit.code,
        )
        return []
    issued = issue_assignments(
        session,
        actor,
        kind=CORRECTIVE,
        subject_type=SUBJECT,
        subject_id=str(deviation.id),
        title=deviation.title,
        recipients=recipients,
        due_at=working_calendar(session).add_working_days(now, due_working_days),
        payload=_payload(deviation, level),
        target_role=deviation.recipient_role,
        target_unit=accountable,
        comment=comment or "отклонение выявлено",
        issuer_roles=None,
    )
    event = "assignment.escalated" if level else "assignment.issued"
    notify_assignments(session, event, issued, deviation_id=deviation.id)
    return issued


def open_assignments(session: Session, deviation: Deviation) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(
                Assignment.kind == CORRECTIVE,
                Assignment.subject_type == SUBJECT,
                Assignment.subject_id == str(deviation.id),
                Assignment.status.in_(OPEN),
            )
        )
    )


def record_detection(
    session: Session,
    actor: Actor,
    detection: Detection,
    *,
    detector: str,
    standard_key: str,
    settings_for: Callable[[str], Settings],
    now: dt.datetime,
) -> LoopOutcome:
    """Fold one detector run over one standard into deviations: open new ones (and issue their
    assignments), refresh those found again, mark recovered those no longer found."""
    known = {
        d.key: d
        for d in session.scalars(
            select(Deviation).where(
                Deviation.detector == detector,
                Deviation.standard_key == standard_key,
                Deviation.status.in_((DeviationStatus.open, DeviationStatus.recovered)),
            )
        )
    }
    opened = confirmed = recovered = reopened = issued = 0
    for finding in detection.findings:
        settings = settings_for(finding.indicator_id)
        deviation = known.pop(finding.key, None)
        if deviation is None:
            deviation = Deviation(
                key=finding.key,
                open_key=finding.key,
                detector=detector,
                standard_key=standard_key,
                indicator_id=finding.indicator_id,
                unit_id=finding.unit_id,
                person_login=finding.person_login,
                recipient_role=settings.recipient_role,
                before_value=finding.value,
                detected_at=now,
            )
            _refresh(deviation, finding, now)
            session.add(deviation)
            session.flush()
            unit = session.get(Unit, finding.unit_id)
            due = int(settings.get("due_working_days", DEFAULT_DUE_WORKING_DAYS))
            issued += len(
                issue_for_deviation(session, actor, deviation, unit, now=now, due_working_days=due)
            )
            audit.record(
                session,
                actor,
                "deviation.open",
                deviation,
                unit_id=deviation.unit_id,
                key=deviation.key,
            )
            opened += 1
            continue
        _refresh(deviation, finding, now)
        confirmed += 1
        if deviation.status == DeviationStatus.recovered:
            deviation.status, deviation.recovered_at = DeviationStatus.open, None
            _note(session, deviation, "показатель снова вне коридора", recovered=None)
            reopened += 1
    for key, deviation in known.items():
        if key in detection.inconclusive or deviation.status != DeviationStatus.open:
            continue
        if not settings_for(deviation.indicator_id).enabled:
            continue  # switched off: not judged, so not recovered either
        recover(session, deviation, detection.measured.get(key), now)
        recovered += 1
    logger.info(
        "%s/%s: %d opened, %d confirmed, %d recovered, %d reopened",
        detector,
        standard_key,
        opened,
        confirmed,
        recovered,
        reopened,
    )
    return LoopOutcome(opened, confirmed, recovered, reopened, issued)


def _refresh(deviation: Deviation, finding, now: dt.datetime) -> None:
    deviation.title = finding.title[:500]
    deviation.description = finding.description
    deviation.figures = dict(finding.figures)
    deviation.cases = list(finding.cases)
    deviation.actions = list(finding.actions)
    deviation.last_seen_at = now


def recover(session: Session, deviation: Deviation, value: float | None, now: dt.datetime) -> None:
    """The indicator is back in its corridor (or no case is left): say so on every open
    assignment of the deviation and notify their holders; they may now close it as effective."""
    deviation.status = DeviationStatus.recovered
    deviation.recovered_at = now
    deviation.after_value = value
    unit = deviation.figures.get("unit")
    text = (
        f"Показатель вернулся в коридор: {number(value, unit)}"
        if value is not None
        else "Отклонение устранено: обращений с отклонением не осталось"
    )
    deviation.figures = {**deviation.figures, "recovered": {"at": now.isoformat(), "value": value}}
    assignments = _note(
        session, deviation, text, recovered={"at": now.isoformat(), "value": value, "text": text}
    )
    notify_assignments(
        session, "deviation.recovered", assignments, deviation_id=deviation.id, value=value
    )


def _note(session: Session, deviation: Deviation, text: str, **payload) -> list[Assignment]:
    """A history line (status unchanged) and a payload update on the open assignments."""
    assignments = open_assignments(session, deviation)
    for assignment in assignments:
        assignment.payload = {**assignment.payload, **payload}
        assignment.events.append(
            AssignmentEvent(
                from_status=str(assignment.status),
                to_status=str(assignment.status),
                actor_login="system",
                comment=text,
            )
        )
    return assignments


def deviation_of(session: Session, assignment: Assignment) -> Deviation:
    if assignment.kind != CORRECTIVE or assignment.subject_type != SUBJECT:
        raise Conflict(f"Assignment {assignment.id} is not a corrective assignment.")
    return session.get(Deviation, int(assignment.subject_id))


def close_corrective(
    session: Session,
    actor: Actor,
    assignment_id: int,
    *,
    comment: str = "",
    now: dt.datetime,
) -> Assignment:
    """The assignee closes a corrective assignment: effective when its deviation has recovered,
    not effective otherwise. The deviation closes with it (a new one may open later) and the
    other open assignments of the deviation are closed too."""
    assignment = get_assignment(session, actor, assignment_id)
    deviation = deviation_of(session, assignment)
    effective = deviation.status == DeviationStatus.recovered
    verdict = "закрыто как результативное" if effective else "закрыто без возврата в коридор"
    change_status(session, actor, assignment, S.done, comment=comment or verdict)
    for other in open_assignments(session, deviation):
        if other.id != assignment.id:
            change_status(
                session, Actor.system(actor.login), other, S.done, comment=f"закрыто: {actor.login}"
            )
    deviation.status = DeviationStatus.closed
    deviation.open_key = None
    deviation.closed_at = now
    deviation.effective = effective
    audit.record(
        session, actor, "deviation.close", deviation, unit_id=deviation.unit_id, effective=effective
    )
    return assignment


def comment_on(session: Session, actor: Actor, assignment_id: int, comment: str) -> Assignment:
    """A history line on an assignment by its assignee or a reader of its unit."""
    assignment = get_assignment(session, actor, assignment_id)
    assignment.events.append(
        AssignmentEvent(
            from_status=str(assignment.status),
            to_status=str(assignment.status),
            actor_id=actor.person_id,
            actor_login=actor.login,
            comment=comment,
        )
    )
    audit.record(session, actor, "assignment.comment", assignment, unit_id=assignment.unit_id)
    return assignment

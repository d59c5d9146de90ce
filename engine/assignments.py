"""Assignments: issue (to a person, or a role within a unit, or a whole unit — expanded to its
people at issue time, one row each, sharing a batch), acknowledge, complete, cancel, escalate,
flag overdue; completion per unit. Every kind (study, corrective, change request) uses these.

Who may: the assignee acknowledges and completes their own; managers over the assignment's
unit issue, cancel and escalate; managers, auditors and administrators over the unit read;
the worker (system) flags overdue ones.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor, in_scope, require_role, require_unit
from engine.errors import Forbidden, InvalidTransition, NotFound
from models import (
    Assignment,
    AssignmentEvent,
    AssignmentStatus,
    Person,
    PersonKind,
    Role,
    RoleGrant,
    Unit,
    utcnow,
)

logger = logging.getLogger(__name__)

S = AssignmentStatus
ISSUERS = (Role.manager,)
READERS = (Role.manager, Role.auditor, Role.administrator)
OPEN = (S.issued, S.acknowledged, S.overdue, S.escalated)
#: target status → statuses it may come from
TRANSITIONS: dict[AssignmentStatus, tuple[AssignmentStatus, ...]] = {
    S.acknowledged: (S.issued, S.overdue),
    S.done: (S.issued, S.acknowledged, S.overdue, S.escalated),
    S.overdue: (S.issued, S.acknowledged),
    S.escalated: (S.issued, S.acknowledged, S.overdue),
    S.cancelled: OPEN,
}
_BY_ASSIGNEE = (S.acknowledged, S.done)
_BY_MANAGER = (S.cancelled, S.escalated)


@dataclass(frozen=True)
class Recipient:
    """A person an assignment goes to and the unit it counts in (their office, department)."""

    person: Person
    unit: Unit


def expand_target(session: Session, unit: Unit, role: str | None = None) -> list[Recipient]:
    """Active people of `unit`'s subtree — holding `role` there (a grant inside the subtree, or
    one above it that covers it) when a role is given. Deduplicated by person."""
    if role is None:
        people = session.scalars(
            select(Person)
            .join(Unit, Person.unit_id == Unit.id)
            .where(
                Unit.path.startswith(unit.path, autoescape=True),
                Person.is_active.is_(True),
                Person.kind == PersonKind.human,
            )
            .order_by(Person.login)
        )
        return [Recipient(p, p.unit) for p in people]
    rows = session.execute(
        select(Person, Unit)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .join(Unit, RoleGrant.unit_id == Unit.id)
        .where(
            RoleGrant.role == role,
            Person.is_active.is_(True),
            Person.kind == PersonKind.human,
            or_(
                Unit.path.startswith(unit.path, autoescape=True),
                func.substr(unit.path, 1, func.length(Unit.path)) == Unit.path,
            ),
        )
        .order_by(Person.login, Unit.path)
    ).all()
    found: dict[int, Recipient] = {}
    for person, grant_unit in rows:
        applies = grant_unit if grant_unit.path.startswith(unit.path) else unit
        found.setdefault(person.id, Recipient(person, applies))
    return list(found.values())


def issue_assignments(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    subject_type: str,
    subject_id: str,
    title: str,
    recipients: Sequence[Recipient],
    due_at: dt.datetime | None,
    payload: dict[str, Any] | Callable[[Recipient], dict[str, Any]] | None = None,
    target_role: str | None = None,
    target_unit: Unit | None = None,
    comment: str = "",
    issuer_roles: tuple[str, ...] | None = ISSUERS,
) -> list[Assignment]:
    """Issue one assignment per recipient (skipping people who already hold an open one of the
    same kind and subject). `issuer_roles=None` means the system issues them by a rule (e.g.
    on publication) and no role is checked; otherwise the actor needs one of `issuer_roles`
    over `target_unit` (or every recipient's unit)."""
    if issuer_roles is not None:
        for unit in [target_unit] if target_unit is not None else [r.unit for r in recipients]:
            require_unit(actor, unit, *issuer_roles)
    held = set(
        session.scalars(
            select(Assignment.person_id).where(
                Assignment.kind == kind,
                Assignment.subject_type == subject_type,
                Assignment.subject_id == subject_id,
                Assignment.status.in_(OPEN),
            )
        )
    )
    batch = str(uuid.uuid4())
    issued: list[Assignment] = []
    for recipient in recipients:
        if recipient.person.id in held:
            continue
        held.add(recipient.person.id)
        body = payload(recipient) if callable(payload) else dict(payload or {})
        assignment = Assignment(
            kind=kind,
            batch=batch,
            subject_type=subject_type,
            subject_id=subject_id,
            title=title[:500],
            person_id=recipient.person.id,
            unit_id=recipient.unit.id,
            target_role=target_role,
            target_unit_id=target_unit.id if target_unit else None,
            issuer_id=actor.person_id,
            issuer_login=actor.login,
            status=S.issued,
            payload=body,
            due_at=due_at,
        )
        assignment.events.append(
            AssignmentEvent(
                from_status=None,
                to_status=S.issued,
                actor_id=actor.person_id,
                actor_login=actor.login,
                comment=comment,
            )
        )
        session.add(assignment)
        issued.append(assignment)
    if issued:
        session.flush()
        audit.record(
            session,
            actor,
            "assignment.issue",
            issued[0],
            unit_id=target_unit.id if target_unit else issued[0].unit_id,
            kind=kind,
            batch=batch,
            subject=f"{subject_type}:{subject_id}",
            people=len(issued),
            target_role=target_role,
        )
    logger.info("issued %d %s assignment(s) on %s:%s", len(issued), kind, subject_type, subject_id)
    return issued


def get_assignment(session: Session, actor: Actor, assignment_id: int) -> Assignment:
    """The assignment, if it is the actor's own or lies in their reading scope (else 404)."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or not _may_read(actor, assignment):
        raise NotFound("Assignment not found.")
    return assignment


def _may_read(actor: Actor, assignment: Assignment) -> bool:
    return (
        actor.is_system
        or assignment.person_id == actor.person_id
        or actor.reaches(assignment.unit.path, *READERS)
    )


def change_status(
    session: Session,
    actor: Actor,
    assignment: Assignment,
    to: AssignmentStatus,
    *,
    comment: str = "",
) -> Assignment:
    """Move an assignment along its life cycle, with a history row (see TRANSITIONS)."""
    to = AssignmentStatus(to)
    if not actor.is_system:
        if to in _BY_ASSIGNEE and assignment.person_id != actor.person_id:
            raise Forbidden("Only the assignee acknowledges or completes an assignment.")
        if to in _BY_MANAGER:
            require_unit(actor, assignment.unit, *ISSUERS, what="Assignment")
        if to == S.overdue:
            raise Forbidden("Assignments become overdue by the worker, not by hand.")
    sources = TRANSITIONS[to]
    if assignment.status not in sources:
        allowed = [str(t) for t, src in TRANSITIONS.items() if assignment.status in src]
        raise InvalidTransition(
            f"Assignment {assignment.id} is {assignment.status}; it cannot become {to}.",
            allowed=allowed,
        )
    _transition(assignment, to, actor, comment)
    audit.record(
        session,
        actor,
        f"assignment.{to}",
        assignment,
        unit_id=assignment.unit_id,
        kind=assignment.kind,
        comment=comment,
    )
    return assignment


def _transition(assignment: Assignment, to: AssignmentStatus, actor: Actor, comment: str) -> None:
    assignment.events.append(
        AssignmentEvent(
            from_status=str(assignment.status),
            to_status=str(to),
            actor_id=actor.person_id,
            actor_login=actor.login,
            comment=comment,
        )
    )
    assignment.status = to
    if to in (S.done, S.cancelled):
        assignment.closed_at = utcnow()


def flag_overdue(session: Session, actor: Actor, now: dt.datetime | None = None) -> int:
    """Mark open assignments past their due date overdue (the worker). Safe with several
    workers: the conditional UPDATE lets exactly one of them flag each row."""
    now = now or utcnow()
    ids = list(
        session.scalars(
            update(Assignment)
            .where(
                Assignment.status.in_((S.issued, S.acknowledged)),
                Assignment.due_at < now,
            )
            .values(status=S.overdue, updated_at=now)
            .returning(Assignment.id),
            execution_options={"synchronize_session": False},
        )
    )
    for assignment_id in ids:
        session.add(
            AssignmentEvent(
                assignment_id=assignment_id,
                from_status=None,
                to_status=S.overdue,
                actor_id=actor.person_id,
                actor_login=actor.login,
                comment="срок истёк",
            )
        )
    if ids:
        session.flush()
        session.expire_all()
        logger.info("flagged %d assignment(s) overdue", len(ids))
    return len(ids)


@dataclass(frozen=True)
class AssignmentFilter:
    kind: str | None = None
    status: AssignmentStatus | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    mine: bool = False
    unit: Unit | None = None


def visible_assignments(actor: Actor, filters: AssignmentFilter) -> Select[tuple[Assignment]]:
    """The actor's own assignments and those in their reading scope, newest first."""
    require_role(actor, *Role)
    unit_path = select(Unit.path).where(Unit.id == Assignment.unit_id).scalar_subquery()
    own = Assignment.person_id == actor.person_id
    query = select(Assignment).order_by(Assignment.id.desc())
    if filters.mine:
        query = query.where(own)
    elif not actor.is_system:
        query = query.where(or_(own, in_scope(actor, unit_path, *READERS)))
    if filters.unit is not None:
        query = query.where(unit_path.startswith(filters.unit.path, autoescape=True))
    for column, value in (
        (Assignment.kind, filters.kind),
        (Assignment.status, filters.status),
        (Assignment.subject_type, filters.subject_type),
        (Assignment.subject_id, filters.subject_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


@dataclass(frozen=True)
class UnitCompletion:
    unit_id: int
    unit_code: str
    unit_name: str
    total: int
    done: int
    overdue: int
    open: int

    @property
    def share_done(self) -> float:
        return round(100.0 * self.done / self.total, 1) if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
            "total": self.total,
            "done": self.done,
            "overdue": self.overdue,
            "open": self.open,
            "share_done": self.share_done,
        }


def completion_by_unit(
    session: Session, actor: Actor, filters: AssignmentFilter
) -> list[UnitCompletion]:
    """Per unit: how many assignments there are, done, overdue, still open (managers,
    auditors and administrators, in their scope)."""
    require_role(actor, *READERS)
    scoped = visible_assignments(actor, AssignmentFilter(**{**filters.__dict__, "mine": False}))
    if not actor.is_system:
        unit_path = select(Unit.path).where(Unit.id == Assignment.unit_id).scalar_subquery()
        scoped = scoped.where(in_scope(actor, unit_path, *READERS))
    ids = scoped.with_only_columns(Assignment.id).order_by(None).subquery()
    rows = session.execute(
        select(
            Unit.id,
            Unit.code,
            Unit.name,
            func.count(Assignment.id),
            func.sum(case((Assignment.status == S.done, 1), else_=0)),
            func.sum(case((Assignment.status == S.overdue, 1), else_=0)),
            func.sum(case((Assignment.status.in_(OPEN), 1), else_=0)),
        )
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.id.in_(select(ids.c.id)))
        .group_by(Unit.id, Unit.code, Unit.name)
        .order_by(Unit.code)
    ).all()
    return [UnitCompletion(*row[:3], *(int(v or 0) for v in row[3:])) for row in rows]


def flag_overdue_job(session_factory: Callable[[], Session], worker: str) -> int:
    """The worker's periodic job: flag overdue assignments in a transaction of its own."""
    with session_factory() as session:
        count = flag_overdue(session, Actor.system(f"worker:{worker}"[:100]))
        session.commit()
    return count

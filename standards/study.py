"""Study (read-and-confirm) assignments: when a version is published, the people holding the
roles whose operations changed, in the offices that run the standard, must study the change
and confirm it. Managers issue them by hand too (to a person, a role in a unit, a unit) and
see completion per unit. Built on the general assignment model of `engine.assignments`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Actor, require_unit
from engine.assignments import (
    ISSUERS,
    AssignmentFilter,
    Recipient,
    UnitCompletion,
    change_status,
    completion_by_unit,
    expand_target,
    get_assignment,
    issue_assignments,
)
from engine.calendar_store import working_calendar
from engine.errors import Conflict, Invalid
from models import (
    Assignment,
    AssignmentStatus,
    Person,
    RoleGrant,
    Standard,
    StandardVersion,
    Unit,
    UnitLevel,
    utcnow,
)
from standards.graph_store import record_changes, regions_running
from standards.impact import ImpactReport
from standards.impact_review import impact_of
from standards.registry import get_version

logger = logging.getLogger(__name__)

STUDY = "study"
SUBJECT = "standard_version"
#: working days people get to study a change
STUDY_WORKING_DAYS = 5


def offices_running(session: Session, standard: Standard) -> list[Unit]:
    """Offices (ЦЗН, contact centres) of the regions running the standard."""
    regions = regions_running(session, standard)
    if not regions:
        return []
    clause = None
    for region in regions:
        condition = Unit.path.startswith(region.path, autoescape=True)
        clause = condition if clause is None else clause | condition
    return list(
        session.scalars(
            select(Unit).where(Unit.level == UnitLevel.office, clause).order_by(Unit.code)
        )
    )


def study_due(session: Session, now: dt.datetime | None = None) -> dt.datetime:
    """The due date of a study assignment issued now: STUDY_WORKING_DAYS working days on."""
    return working_calendar(session).add_working_days(now or utcnow(), STUDY_WORKING_DAYS)


def _title(version: StandardVersion) -> str:
    return f"Изучить изменения стандарта «{version.standard.title}» (версия {version.number})"


def _material(
    version: StandardVersion, report: ImpactReport, roles: Sequence[str]
) -> dict[str, object]:
    key = version.standard.key
    return {
        "standard": key,
        "version": version.number,
        "from": report.from_number,
        "roles": list(roles),
        "changes": [line for role in roles for line in report.lines_for_role(role)],
        "summary": list(report.changes),
        "role_views": {role: f"/api/v1/roles/{role}" for role in roles},
        "impact": f"/api/v1/standards/{key}/versions/{version.number}/impact",
        "diff": f"/api/v1/standards/{key}/diff?from={report.from_number}&to={version.number}",
    }


def study_recipients(
    session: Session, standard: Standard, roles: Sequence[str]
) -> dict[int, tuple[Recipient, list[str]]]:
    """Person id → (recipient in their office, the affected roles they hold)."""
    found: dict[int, tuple[Recipient, list[str]]] = {}
    for office in offices_running(session, standard):
        for role in roles:
            for recipient in expand_target(session, office, role):
                entry = found.setdefault(recipient.person.id, (recipient, []))
                if role not in entry[1]:
                    entry[1].append(role)
    return found


def on_publication(
    session: Session, actor: Actor, versions: Sequence[StandardVersion]
) -> list[Assignment]:
    """After a publication: bring the dependency graph up to date and issue study assignments
    for every version that replaces one in force."""
    record_changes(session, versions, "publish")
    issued: list[Assignment] = []
    for version in versions:
        report = impact_of(session, version)
        if report.from_number is None or not report.roles:
            continue  # a first version changes nobody's work yet; nothing to compare with
        recipients = study_recipients(session, version.standard, report.roles)
        issued += issue_assignments(
            session,
            actor,
            kind=STUDY,
            subject_type=SUBJECT,
            subject_id=str(version.id),
            title=_title(version),
            recipients=[recipient for recipient, _ in recipients.values()],
            due_at=study_due(session),
            payload=lambda r, rs=recipients, rep=report, v=version: _material(
                v, rep, rs[r.person.id][1]
            ),
            comment=f"публикация {version.label}",
            issuer_roles=None,
        )
    return issued


def on_withdrawal(session: Session, actor: Actor, version: StandardVersion) -> None:
    """After a withdrawal: the graph drops (or replaces) the standard's version in force."""
    record_changes(session, [version], "withdraw")


def issue_study(
    session: Session,
    actor: Actor,
    standard: Standard,
    number: int,
    *,
    unit: Unit,
    role: str | None = None,
    person: Person | None = None,
    due_at: dt.datetime | None = None,
    comment: str = "",
) -> list[Assignment]:
    """Managers over `unit`: study of version `number` for one person of the unit, the holders
    of `role` in it, or everybody in it."""
    require_unit(actor, unit, *ISSUERS)
    version = get_version(session, actor, standard, number)
    if version.published_at is None:
        raise Conflict(f"{version.label} is not published; only published versions are studied.")
    if person is not None:
        if not person.unit.is_within(unit):
            raise Invalid(
                f"{person.login} does not work in {unit.code}.", {"person_id": ["not in unit"]}
            )
        recipients = [Recipient(person, person.unit)]
    else:
        recipients = expand_target(session, unit, role)
    report = impact_of(session, version)
    held = _roles_held(session, [r.person.id for r in recipients])
    return issue_assignments(
        session,
        actor,
        kind=STUDY,
        subject_type=SUBJECT,
        subject_id=str(version.id),
        title=_title(version),
        recipients=recipients,
        due_at=due_at or study_due(session),
        payload=lambda r: _material(
            version,
            report,
            [role] if role else [c for c in report.roles if c in held.get(r.person.id, set())],
        ),
        target_role=role,
        target_unit=unit,
        comment=comment,
    )


def _roles_held(session: Session, person_ids: list[int]) -> dict[int, set[str]]:
    held: dict[int, set[str]] = {}
    if not person_ids:
        return held
    for person_id, role in session.execute(
        select(RoleGrant.person_id, RoleGrant.role).where(RoleGrant.person_id.in_(person_ids))
    ):
        held.setdefault(person_id, set()).add(role)
    return held


def confirm_study(
    session: Session, actor: Actor, assignment_id: int, *, comment: str = ""
) -> Assignment:
    """The assignee confirms they have studied the change."""
    assignment = get_assignment(session, actor, assignment_id)
    if assignment.kind != STUDY:
        raise Conflict(f"Assignment {assignment.id} is not a study assignment.")
    return change_status(
        session, actor, assignment, AssignmentStatus.done, comment=comment or "изучено"
    )


def study_completion(
    session: Session, actor: Actor, standard: Standard, number: int, unit: Unit | None = None
) -> list[UnitCompletion]:
    """Completion of the study of version `number` per unit, in the actor's scope."""
    version = get_version(session, actor, standard, number)
    filters = AssignmentFilter(kind=STUDY, subject_type=SUBJECT, subject_id=str(version.id))
    if unit is not None:
        filters = AssignmentFilter(**{**filters.__dict__, "unit": unit})
    return completion_by_unit(session, actor, filters)

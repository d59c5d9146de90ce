"""The approval route, run on the execution engine.

The route is itself a standard (by default `etalon.standard-approval`: expert review by the
lead methodologist → conformance check by Роструд → approval by Минтруд, each stage able to
return the version for rework). Submitting a version starts an instance of the route's
version in force, about that version; each decision completes the stage's task. A return puts
the version back to draft and the route waits at the author's rework task; submitting again
completes it and the review starts over. When the route's instance completes, the version is
approved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import audit, tasks
from engine.access import ADMIN, Actor, require_role
from engine.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from engine.instances import Subject, start_instance
from models import (
    ApprovalDecision,
    ProcessInstance,
    Setting,
    Standard,
    StandardVersion,
    VersionStatus,
    WorkTask,
    utcnow,
)
from standards.access import require_author, require_visible
from standards.registry import version_in_force

logger = logging.getLogger(__name__)

ROUTE_SETTING = "approval_route"
DEFAULT_ROUTE = "etalon.standard-approval"
REWORK_ROLE = "author"
DECISIONS = ("approve", "return")
SUBJECT = "StandardVersion"


def route_key(session: Session) -> str:
    setting = session.get(Setting, ROUTE_SETTING)
    return setting.value if setting is not None else DEFAULT_ROUTE


def active_route(session: Session) -> StandardVersion:
    """The version in force of the approval route standard."""
    key = route_key(session)
    standard = session.scalars(select(Standard).where(Standard.key == key)).one_or_none()
    version = version_in_force(session, standard) if standard else None
    if version is None:
        raise Conflict(f"The approval route {key} has no published version in force.", key=key)
    return version


def set_route(session: Session, actor: Actor, key: str) -> StandardVersion:
    """Switch to another published approval route (administrators). Reviews under way keep
    the route they started with."""
    require_role(actor, *ADMIN)
    standard = session.scalars(select(Standard).where(Standard.key == key)).one_or_none()
    if standard is None:
        raise NotFound(f"Standard {key!r} not found.")
    if version_in_force(session, standard) is None:
        raise Conflict(f"{key} has no published version in force to route approvals.")
    setting = session.get(Setting, ROUTE_SETTING)
    old = setting.value if setting else DEFAULT_ROUTE
    if setting is None:
        setting = Setting(key=ROUTE_SETTING, value=key)
        session.add(setting)
    setting.value = key
    session.flush()
    audit.record(session, actor, "approval.route", standard, old=old, new=key)
    return active_route(session)


def _instance(session: Session, version: StandardVersion) -> ProcessInstance | None:
    if version.approval_instance_id is None:
        return None
    return session.get(ProcessInstance, version.approval_instance_id)


def current_stage(session: Session, version: StandardVersion) -> WorkTask | None:
    """The open task of the version's approval run, if any."""
    instance = _instance(session, version)
    if instance is None:
        return None
    return session.scalars(
        select(WorkTask)
        .where(WorkTask.instance_id == instance.id, WorkTask.status.in_(tasks.OPEN))
        .order_by(WorkTask.id)
    ).first()


def submit_version(
    session: Session, actor: Actor, version: StandardVersion, *, comment: str = ""
) -> StandardVersion:
    """Send a draft for approval: start the route, or resume it after a return for rework
    (then `comment` says what was fixed, as the route's rework task asks)."""
    require_author(actor, version.standard)
    if version.status != VersionStatus.draft:
        raise InvalidTransition(
            f"{version.label} is {version.status}; only a draft can be submitted.",
            allowed=_allowed(version),
        )
    if version.error_count:
        raise Invalid(
            f"{version.label} has {version.error_count} validation error(s); fix them first.",
            {"problems": [p for p in version.problems if p["severity"] == "error"]},
        )
    stage = current_stage(session, version)
    if stage is not None and stage.role == REWORK_ROLE:
        tasks.complete_task(
            session, Actor.system(actor.login), stage.id, {"comment": comment}, on_behalf_of=SUBJECT
        )
    else:
        route = active_route(session)
        instance = start_instance(
            session,
            Actor.system(actor.login),
            route,
            version.standard.owning_unit,
            {"standard": version.standard.key, "version": version.number},
            subject=Subject(SUBJECT, version.id),
        )
        version.approval_instance_id = instance.id
        version.approval_route = route.label
    version.status = VersionStatus.in_review
    version.submitted_at = utcnow()
    audit.record(
        session,
        actor,
        "version.submit",
        version,
        unit_id=version.standard.owning_unit_id,
        key=version.standard.key,
        number=version.number,
        route=version.approval_route,
    )
    return version


@dataclass(frozen=True)
class Outcome:
    decision: ApprovalDecision
    version: StandardVersion
    next_stage: WorkTask | None


def decide(
    session: Session,
    actor: Actor,
    version: StandardVersion,
    *,
    decision: str,
    comment: str = "",
) -> Outcome:
    """Approve or return the version at its current stage, as the person holding the stage's
    role. A return needs a comment; the author never decides on their own version."""
    if version.status != VersionStatus.in_review:
        raise InvalidTransition(
            f"{version.label} is {version.status}; decisions are taken on versions in review.",
            allowed=_allowed(version),
        )
    stage = current_stage(session, version)
    if stage is None or stage.role == REWORK_ROLE:
        raise Conflict(f"{version.label} is waiting for no decision.")
    tasks.require_performer(actor, stage)
    if actor.person_id is not None and actor.person_id == version.author_id:
        raise Forbidden("The author of a version never approves it.")
    if decision not in DECISIONS:
        raise Invalid("The decision is approve or return.", {"decision": ["approve or return"]})
    if decision == "return" and not comment.strip():
        raise Invalid("A return needs a comment saying what to fix.", {"comment": ["required"]})
    tasks.complete_task(
        session, actor, stage.id, {"decision": decision, "comment": comment}, on_behalf_of=SUBJECT
    )
    record = ApprovalDecision(
        version_id=version.id,
        route=version.approval_route or "",
        stage=stage.node_id,
        stage_name=stage.name or "",
        role=stage.role or "",
        decision=decision,
        comment=comment,
        actor_id=actor.person_id,
    )
    session.add(record)
    following = current_stage(session, version)
    if following is None and not stage.instance.is_running:
        version.status = VersionStatus.approved
        version.approved_at = utcnow()
    elif following is not None and following.role == REWORK_ROLE:
        version.status = VersionStatus.draft
    try:
        session.flush()  # the version's lock: of two deciders at once, one fails here
    except StaleDataError:
        raise Conflict(f"{version.label} was decided on at the same time; reload.") from None
    audit.record(
        session,
        actor,
        f"version.{decision}",
        version,
        unit_id=version.standard.owning_unit_id,
        key=version.standard.key,
        number=version.number,
        stage=stage.node_id,
        comment=comment,
    )
    return Outcome(record, version, following)


def decisions_of(session: Session, actor: Actor, version: StandardVersion):
    require_visible(actor, version.standard, version)
    return session.scalars(
        select(ApprovalDecision)
        .where(ApprovalDecision.version_id == version.id)
        .order_by(ApprovalDecision.id)
    ).all()


def _allowed(version: StandardVersion) -> list[str]:
    return {
        VersionStatus.draft: ["submit"],
        VersionStatus.in_review: ["approve", "return"],
        VersionStatus.approved: ["release"],
        VersionStatus.published: ["withdraw"],
    }.get(version.status, [])

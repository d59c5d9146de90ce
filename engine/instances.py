"""Process instances: start one of a published standard in an office, read them in scope,
and tell an instance's history.

Who may start: employees, managers and regional systems holding their role over the unit (an
office runs cases of services; regional systems start cases they received). Who may read:
those roles and auditors over the unit, and anyone who holds the role of one of the
instance's tasks there (a performer sees the case they work on).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor, in_scope, require_role, require_unit
from engine.calendar_store import working_calendar
from engine.checkpoints import instance_events
from engine.errors import Forbidden, Invalid, NotFound
from engine.runtime import resolve_supporting, runnable_of, save_instance_progress
from engine.spiff import Workflow
from models import (
    CheckpointEvent,
    InstanceStatus,
    ProcessInstance,
    Role,
    Standard,
    StandardVersion,
    TaskStatus,
    Unit,
    UnitLevel,
    VersionStatus,
    WorkTask,
)

logger = logging.getLogger(__name__)

STARTERS = (Role.employee, Role.manager, Role.regional_system)
READERS = (Role.employee, Role.manager, Role.auditor, Role.regional_system)


@dataclass(frozen=True)
class Subject:
    """What an instance is about, e.g. ``Subject("StandardVersion", 12)`` for an approval run."""

    type: str
    id: int


def job_roles(actor: Actor) -> tuple[str, ...]:
    """The actor's roles that are not system roles (lane roles of standards)."""
    return tuple(sorted(r for r in actor.roles() if r not in Role.__members__))


def start_instance(
    session: Session,
    actor: Actor,
    version: StandardVersion,
    unit: Unit,
    data: Mapping[str, Any] | None = None,
    *,
    subject: Subject | None = None,
) -> ProcessInstance:
    """Start an instance of ``version`` in ``unit`` with initial case ``data`` and run it until
    it waits for a person or a timer.

    A service runs in an office and needs a published version. With a ``subject`` (an
    approval route run for a version under review, by the registry as the system actor) any
    unit and any version status will do: the route itself may still be in approval.
    """
    if subject is None:
        require_unit(actor, unit, *STARTERS)
        if version.status != VersionStatus.published:
            raise Invalid(
                f"{version.label} is {version.status}; only published versions run.",
                {"version_id": ["is not published"]},
            )
        if unit.level != UnitLevel.office:
            raise Invalid(
                f"Cases run in an office, not in a {unit.level}.", {"unit_id": ["not an office"]}
            )
    elif not actor.is_system:
        raise Forbidden("Only the system starts instances for a subject (approval routes).")
    if data is not None and not isinstance(data, Mapping):
        raise Invalid("Initial data must be a JSON object.", {"data": ["must be an object"]})
    supporting = resolve_supporting(session, version)
    runnable = runnable_of(session, version, supporting)
    calendar = working_calendar(session)
    instance = ProcessInstance(
        version=version,
        standard=version.standard,
        unit=unit,
        status=InstanceStatus.running,
        supporting_version_ids=list(supporting),
        subject_type=subject.type if subject else None,
        subject_id=subject.id if subject else None,
        started_by_id=actor.person_id,
        data=dict(data or {}),
    )
    session.add(instance)
    session.flush()  # checkpoint events and tasks refer to its id
    workflow = Workflow.create(
        runnable.parsed, dict(data or {}), trusted=version.standard.trusted, calendar=calendar
    )
    workflow.run_engine_steps()
    workflow.saved_ready = frozenset()  # a new instance has no task rows yet
    save_instance_progress(
        session, instance, workflow, runnable, calendar=calendar, actor_login=actor.login
    )
    session.flush()
    audit.record(
        session,
        actor,
        "instance.start",
        instance,
        unit_id=unit.id,
        version=version.label,
        subject=f"{subject.type}#{subject.id}" if subject else None,
    )
    return instance


def _reader_roles(actor: Actor) -> tuple[str, ...]:
    return (*READERS, *job_roles(actor))


def get_instance(session: Session, actor: Actor, instance_id: int) -> ProcessInstance:
    """The instance, if the actor may read it (403 without any reading role, 404 outside)."""
    require_role(actor, *_reader_roles(actor))
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("Instance not found.")
    if actor.reaches(instance.unit.path, *READERS):
        return instance
    roles = [
        r for r in job_roles(actor) if actor.reaches(instance.unit.path, r)
    ]  # a performer of one of its tasks
    if roles and session.scalar(
        select(exists().where(WorkTask.instance_id == instance.id, WorkTask.role.in_(roles)))
    ):
        return instance
    raise NotFound("Instance not found.")


@dataclass(frozen=True)
class InstanceFilter:
    status: InstanceStatus | None = None
    standard_key: str | None = None
    version_id: int | None = None
    unit_id: int | None = None
    subject_type: str | None = None
    subject_id: int | None = None


def query_instances(actor: Actor, filters: InstanceFilter = InstanceFilter()) -> Select:
    """Instances the actor may read, newest first."""
    require_role(actor, *_reader_roles(actor))
    query = select(ProcessInstance).join(Unit, ProcessInstance.unit_id == Unit.id)
    visible = in_scope(actor, Unit.path, *READERS)
    own = job_roles(actor)
    if own and not actor.is_system:
        performer = [
            Unit.path.startswith(grant.unit_path, autoescape=True)
            & exists().where(
                WorkTask.instance_id == ProcessInstance.id, WorkTask.role == grant.role
            )
            for grant in actor.grants
            if grant.role in own
        ]
        visible = or_(visible, *performer)
    query = query.where(visible).order_by(ProcessInstance.id.desc())
    if filters.status is not None:
        query = query.where(ProcessInstance.status == filters.status)
    if filters.standard_key is not None:
        query = query.join(Standard, ProcessInstance.standard_id == Standard.id).where(
            Standard.key == filters.standard_key
        )
    for column, value in (
        (ProcessInstance.version_id, filters.version_id),
        (ProcessInstance.unit_id, filters.unit_id),
        (ProcessInstance.subject_type, filters.subject_type),
        (ProcessInstance.subject_id, filters.subject_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


@dataclass(frozen=True)
class InstanceHistory:
    """What happened to an instance: tasks done (who, when, with what) and checkpoint events."""

    completed_tasks: list[WorkTask] = field(default_factory=list)
    open_tasks: list[WorkTask] = field(default_factory=list)
    events: list[CheckpointEvent] = field(default_factory=list)


def instance_history(session: Session, instance: ProcessInstance) -> InstanceHistory:
    """The history of an instance the caller already obtained through :func:`get_instance`."""
    tasks = list(
        session.scalars(
            select(WorkTask).where(WorkTask.instance_id == instance.id).order_by(WorkTask.id)
        )
    )
    return InstanceHistory(
        completed_tasks=[t for t in tasks if t.status == TaskStatus.completed],
        open_tasks=[t for t in tasks if t.is_open],
        events=instance_events(session, instance),
    )

"""User tasks: the work list of a person, claiming and completing tasks.

A task is for whoever holds its role (the lane's ``etalon:role``) over the instance's unit:
no grant of the role anywhere → Forbidden; a grant elsewhere → NotFound. A task of a lane
without a role is for the unit's employees. Completing a task is a compare-and-set on the
instance (``lock_version``): of two concurrent completions one wins, the other gets Conflict.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from sqlalchemy import Select, and_, bindparam, false, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defaultload
from sqlalchemy.orm.exc import StaleDataError

from engine import audit
from engine.access import Actor, require_role
from engine.calendar_store import calendar_of_revision
from engine.case_rows import OPEN, TaskRow, load_task
from engine.errors import Conflict, Invalid, InvalidTransition, NotFound
from engine.expressions import ExpressionError
from engine.forms import validate_form
from engine.prepared import Prepared, batched, column_values, reflect
from engine.runtime import restore_workflow, save_progress, writes_only_prepared
from engine.spiff import WorkflowError
from engine.steps import FormField
from models import InstanceStatus, ProcessInstance, Role, TaskStatus, Unit, WorkTask, utcnow

logger = logging.getLogger(__name__)

_task = WorkTask.__table__.c

#: How to load a task as an ORM object (to claim it): with its instance, but not the
#: instance's serialised state. Completing a task reads plain records instead
#: (engine.case_rows).
WORKING_LOAD = (defaultload(WorkTask.instance).defer(ProcessInstance.state),)


def performer_role(task: WorkTask | TaskRow) -> str:
    """The role a person needs for ``task``."""
    return task.role or Role.employee


def get_task(session: Session, actor: Actor, task_id: int) -> WorkTask:
    """The task, if the actor holds its role over the instance's unit."""
    task = session.get(WorkTask, task_id, options=WORKING_LOAD)
    if task is None:
        raise NotFound("Task not found.")
    require_performer(actor, task)
    return task


def require_performer(actor: Actor, task: WorkTask | TaskRow) -> None:
    """Forbidden without the task's role anywhere, NotFound without it over the unit."""
    role = performer_role(task)
    require_role(actor, role)
    if not actor.reaches(task.unit_path, role):
        raise NotFound("Task not found.")


def query_my_tasks(actor: Actor, *, include_claimed_by_others: bool = False) -> Select:
    """Open tasks whose role the actor holds over the instance's unit, oldest first."""
    query = (
        select(WorkTask)
        .join(ProcessInstance, WorkTask.instance_id == ProcessInstance.id)
        .join(Unit, ProcessInstance.unit_id == Unit.id)
        .where(WorkTask.status.in_(OPEN), ProcessInstance.status == InstanceStatus.running)
        .order_by(WorkTask.due_at.is_(None), WorkTask.due_at, WorkTask.id)
    )
    if actor.is_system:
        return query
    clauses = []
    for grant in actor.grants:
        role_matches = WorkTask.role == grant.role
        if grant.role == Role.employee:
            role_matches = or_(role_matches, WorkTask.role.is_(None))
        clauses.append(and_(role_matches, Unit.path.startswith(grant.unit_path, autoescape=True)))
    query = query.where(or_(*clauses) if clauses else false())
    if not include_claimed_by_others:
        query = query.where(
            or_(WorkTask.claimed_by_id.is_(None), WorkTask.claimed_by_id == actor.person_id)
        )
    return query


def _require_open(task: WorkTask | TaskRow, actor: Actor) -> None:
    require_performer(actor, task)
    if task.status not in OPEN or not task.instance.is_running:
        raise InvalidTransition(
            f"The task is {task.status}; only ready or claimed tasks can be worked.",
            allowed=[],
            status=str(task.status),
        )
    if (
        task.status == TaskStatus.claimed
        and task.claimed_by_id != actor.person_id
        and not actor.is_system
    ):
        raise Conflict("Someone else has claimed the task.", claimed_by_id=task.claimed_by_id)


def claim_task(session: Session, actor: Actor, task: WorkTask) -> WorkTask:
    """Take a ready task, so colleagues with the same role leave it alone."""
    _require_open(task, actor)
    task.status = TaskStatus.claimed
    task.claimed_by_id = actor.person_id
    task.claimed_at = utcnow()
    session.flush()
    audit.record(session, actor, "task.claim", task, unit_id=task.instance.unit_id)
    return task


_COMPLETE = Prepared(
    update(WorkTask.__table__)
    .where(_task.id == bindparam("id"))
    .values(
        column_values(
            WorkTask.__table__,
            *("status", "completed_by_id", "completed_by_login", "completed_at", "completed_data"),
        )
    )
)


def complete_task(
    session: Session,
    actor: Actor,
    task_id: int,
    data: Mapping[str, Any] | None = None,
    *,
    expected_lock: int | None = None,
    on_behalf_of: str | None = None,
) -> TaskRow:
    """Complete the task ``task_id`` with form ``data`` and run the instance on to its next
    wait; the task as completed.

    ``expected_lock`` is the instance's ``lock_version`` the caller saw; a different one
    means someone else moved the instance on (Conflict). Invalid data → Invalid. Tasks of an
    instance about a subject (an approval run) are completed only by the subject's owner,
    which says so with ``on_behalf_of`` (the subject type).

    The step reads and writes its rows with prepared statements (engine.case_rows), not
    through the ORM; task and instance objects the session holds loaded are updated to match.
    """
    task = load_task(session, task_id)
    if task is None:
        raise NotFound("Task not found.")
    _require_open(task, actor)
    case = task.instance
    if case.subject_type is not None and on_behalf_of != case.subject_type:
        # A stage of, e.g., a standard's approval: only its owner (the registry) completes it,
        # so the decision is checked and recorded there.
        raise Conflict(
            f"This task belongs to the {case.subject_type} it is about; act on that "
            "instead (for a version under review: POST …/versions/{n}/decision).",
            subject_type=case.subject_type,
            subject_id=case.subject_id,
        )
    if expected_lock is not None and expected_lock != case.lock_version:
        raise Conflict(
            "The instance has changed since you loaded it.",
            expected_lock=expected_lock,
            lock_version=case.lock_version,
        )
    fields = [FormField.from_dict(f) for f in task.fields or []]
    cleaned = validate_form(fields, data)
    calendar = calendar_of_revision(session, task.calendar_revision)
    workflow, runnable = restore_workflow(session, case, calendar)
    try:
        workflow.complete_task(task.spiff_task_id, cleaned)
    except (WorkflowError, ExpressionError) as exc:
        # The data given cannot carry the case on (e.g. a gateway condition needs a value).
        raise Invalid(
            f"The process cannot go on with this data: {exc.message}",
            {"data": [exc.message]},
            node_id=exc.details.get("node_id"),
        ) from None
    completion = {
        "status": TaskStatus.completed,
        "completed_by_id": actor.person_id,
        "completed_by_login": actor.login,
        "completed_at": utcnow(),
        "completed_data": cleaned,
    }
    # The step's writes, on PostgreSQL in one round trip.
    writes = batched(session) if writes_only_prepared(runnable) else nullcontext()
    try:  # the compare-and-set on the instance's lock_version may fail
        with writes:
            _COMPLETE.execute(session, {"id": task.id, **completion}).close()
            audit.record_entry(
                session,
                actor,
                "task.complete",
                WorkTask.__name__,
                task.id,
                unit_id=case.unit_id,
                instance_id=case.id,
                node_id=task.node_id,
            )
            written = save_progress(
                session,
                case,
                workflow,
                runnable,
                calendar=calendar,
                actor_login=actor.login,
                closed=frozenset((task.spiff_task_id,)),
            )
    except (StaleDataError, IntegrityError):
        raise Conflict(
            "Someone else moved the instance on at the same time; reload and try again.",
            instance_id=case.id,
        ) from None
    for name, value in completion.items():
        setattr(task, name, value)
    reflect(session, WorkTask, task.id, completion)
    reflect(session, ProcessInstance, case.id, written, expire=("state", "tasks"))
    logger.info("%s completed %s of instance %s", actor.login, task.node_id, case.id)
    return task

"""Between the database and the workflow façade: which spec an instance runs (its pinned
version plus the supporting versions its call activities need), restoring an instance's
workflow, and saving its progress — state, case data, user tasks, timers, checkpoint events —
after every step."""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.calendar import WorkingCalendar
from engine.case_rows import OPEN, CaseRow, load_state
from engine.checkpoints import record_checkpoint_events
from engine.durations import parse_duration
from engine.errors import Invalid
from engine.live_workflows import live_workflows
from engine.prepared import Prepared, column_values, reflect, rowcount_of
from engine.spiff import NodeEvent, ParsedSpec, Workflow, parse_spec
from engine.steps import StepCatalog, step_catalog
from engine.values import jsonable
from models import (
    InstanceStatus,
    ProcessInstance,
    Standard,
    StandardVersion,
    TaskStatus,
    Timer,
    VersionStatus,
    WorkTask,
    utcnow,
)

logger = logging.getLogger(__name__)

_instance, _task = ProcessInstance.__table__.c, WorkTask.__table__.c

_CACHE_SIZE = 128
_MAX_CALL_DEPTH = 8


@dataclass(frozen=True)
class Runnable:
    """A parsed spec with the steps of its documents; shared between instances."""

    parsed: ParsedSpec
    steps: StepCatalog
    supporting_version_ids: tuple[int, ...]


_runnables: OrderedDict[tuple, Runnable] = OrderedDict()
_called: dict[str, tuple[str, ...]] = {}
_lock = Lock()


def _called_processes(version: StandardVersion) -> tuple[str, ...]:
    with _lock:
        if version.sha256 in _called:
            return _called[version.sha256]
    called = step_catalog(version.bpmn).called_processes
    with _lock:
        _called[version.sha256] = called
    return called


def resolve_supporting(session: Session, version: StandardVersion) -> tuple[int, ...]:
    """Ids of the published versions that provide the processes ``version`` calls (transitively)."""
    found: list[int] = []
    pending = [(version, 0)]
    while pending:
        current, depth = pending.pop()
        for process_id in _called_processes(current):
            supplier = session.scalars(
                select(StandardVersion)
                .join(Standard)
                .where(
                    Standard.process_id == process_id,
                    StandardVersion.status == VersionStatus.published,
                )
                .order_by(StandardVersion.number.desc())
            ).first()
            if supplier is None:
                raise Invalid(
                    f"{current.label} calls the process {process_id}, "
                    "which no published standard provides.",
                    {"version_id": [f"calls unknown process {process_id}"]},
                )
            if supplier.id not in found and supplier.id != version.id:
                found.append(supplier.id)
                if depth < _MAX_CALL_DEPTH:
                    pending.append((supplier, depth + 1))
    return tuple(found)


def runnable_of(
    session: Session, version: StandardVersion, supporting_ids: Sequence[int]
) -> Runnable:
    """The runnable spec of ``version`` with the given supporting versions (cached)."""
    supporting = [session.get(StandardVersion, i) for i in supporting_ids]
    key = (version.id, version.sha256, tuple((v.id, v.sha256) for v in supporting if v))
    with _lock:
        if key in _runnables:
            _runnables.move_to_end(key)
            return _runnables[key]
    parsed = parse_spec(
        version.bpmn, version.standard.process_id, [v.bpmn for v in supporting if v]
    )
    steps = step_catalog(version.bpmn)
    for other in supporting:
        if other is not None:
            steps = steps.merged(step_catalog(other.bpmn))
    runnable = Runnable(parsed, steps, tuple(supporting_ids))
    with _lock:
        _runnables[key] = runnable
        while len(_runnables) > _CACHE_SIZE:
            _runnables.popitem(last=False)
    return runnable


def _runnable_of_case(session: Session, case: CaseRow) -> Runnable:
    """The runnable spec of the case: from the cache without touching the ORM when the case
    calls no other process (its version's id and hash are the key)."""
    if not case.supporting_version_ids:
        with _lock:
            runnable = _runnables.get((case.version_id, case.version_sha256, ()))
        if runnable is not None:
            return runnable
    version = session.get(StandardVersion, case.version_id)
    return runnable_of(session, version, case.supporting_version_ids)


def restore_workflow(
    session: Session, case: CaseRow, calendar: WorkingCalendar
) -> tuple[Workflow, Runnable]:
    """The case's workflow: the live one this process saved as the row's current version
    (see :mod:`engine.live_workflows`), or restored from the row's state and its pinned spec."""
    runnable = _runnable_of_case(session, case)
    workflow = live_workflows.take(case.row_version, runnable.parsed.key)
    if workflow is not None:
        workflow.rebind(trusted=case.trusted, calendar=calendar)
        return workflow, runnable
    workflow = Workflow.restore(
        runnable.parsed,
        load_state(session, case),
        consume=True,
        trusted=case.trusted,
        calendar=calendar,
    )
    # The row's state was saved with the open task rows equal to its ready human tasks.
    workflow.saved_ready = frozenset(task.task_id for task in workflow.ready_human_tasks())
    return workflow, runnable


def restore_instance_workflow(
    session: Session, instance: ProcessInstance, calendar: WorkingCalendar
) -> tuple[Workflow, Runnable]:
    """:func:`restore_workflow` for a loaded ORM instance."""
    return restore_workflow(session, _stored_case(session, instance), calendar)


def _save_state(*columns: str) -> Prepared:
    """The compare-and-set UPDATE of an instance's state and ``columns``."""
    return Prepared(
        update(ProcessInstance.__table__)
        .where(_instance.id == bindparam("id"), _instance.lock_version == bindparam("expected"))
        .values(
            column_values(
                ProcessInstance.__table__,
                *("state", "data", "updated_at", "lock_version", *columns),
            )
        ),
        encoded=("state",),
    )


# SQLite rewrites the index entries of every column an UPDATE sets, changed or not: a step
# that leaves the status as it was does not set it (two indexes fewer written per step).
_SAVE_STATE = _save_state()
_SAVE_STATE_AND_STATUS = _save_state("status", "completed_at")


def save_progress(
    session: Session,
    case: CaseRow,
    workflow: Workflow,
    runnable: Runnable,
    *,
    calendar: WorkingCalendar,
    actor_login: str | None,
    closed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Persist the state of a stored instance and everything derived from it; new checkpoint
    events are written and taken off the workflow. ``closed``: spiff ids of task rows the
    caller has already written as no longer open (the task being completed). ``case`` shows
    the row as written afterwards; the written columns are returned.

    Raises StaleDataError when another transaction moved the instance on first (after the
    other writes: the caller's transaction must be rolled back)."""
    now = utcnow()
    values: dict[str, Any] = {
        "data": jsonable(workflow.data),
        "updated_at": now,
        "lock_version": case.lock_version + 1,
    }
    statement = _SAVE_STATE
    if workflow.is_completed and case.status != InstanceStatus.completed:
        values.update(status=InstanceStatus.completed, completed_at=now)
        statement = _SAVE_STATE_AND_STATUS
    state = workflow.serialize_text()
    # In a batch (engine.prepared.batched) its result arrives with the step's other writes:
    # it is checked after them, and a lost race rolls all of them back with the transaction.
    compare_and_set = statement.execute(
        session, {**values, "state": state, "id": case.id, "expected": case.lock_version}
    )
    _sync_tasks(session, case, workflow, runnable.steps, calendar, now, closed)
    if runnable.steps.has_timers:
        _sync_timers(session, case, workflow, now)
    events: list[NodeEvent] = list(workflow.events)
    workflow.events.clear()
    record_checkpoint_events(
        session,
        case,
        events,
        steps=runnable.steps,
        data_of=workflow.task_data,
        actor_login=actor_login,
    )
    written = rowcount_of(session, compare_and_set)
    compare_and_set.close()
    if written != 1:
        raise StaleDataError(f"instance {case.id} was changed by someone else")
    case.status = values.get("status", case.status)
    case.updated_at, case.lock_version = now, values["lock_version"]
    live_workflows.remember(session, case.row_version, workflow)
    return values


def writes_only_prepared(runnable: Runnable) -> bool:
    """True when :func:`save_progress` runs only prepared statements for instances of
    ``runnable`` (it may then run in a batch): everything but the timers' rows, which go
    through the ORM."""
    return not runnable.steps.has_timers


def save_instance_progress(
    session: Session,
    instance: ProcessInstance,
    workflow: Workflow,
    runnable: Runnable,
    *,
    calendar: WorkingCalendar,
    actor_login: str | None,
) -> None:
    """:func:`save_progress` for a loaded ORM instance (its unsaved changes are flushed
    first); the instance shows the row as written."""
    values = save_progress(
        session,
        _stored_case(session, instance),
        workflow,
        runnable,
        calendar=calendar,
        actor_login=actor_login,
    )
    reflect(session, ProcessInstance, instance.id, values, expire=("state", "tasks"))


def _stored_case(session: Session, instance: ProcessInstance) -> CaseRow:
    if instance in session.dirty or instance in session.new:
        session.flush()
    return CaseRow.of(instance)


_OPEN_TASKS = Prepared(
    select(_task.id, _task.spiff_task_id, _task.node_id).where(
        _task.instance_id == bindparam("instance_id"),
        or_(*(_task.status == status for status in OPEN)),
    )
)
_MOVE_TASK = Prepared(
    update(WorkTask.__table__)
    .where(_task.id == bindparam("id"))
    .values(column_values(WorkTask.__table__, "node_id"))
)
_CANCEL_TASK = Prepared(
    update(WorkTask.__table__)
    .where(_task.id == bindparam("id"))
    .values(column_values(WorkTask.__table__, "status"))
)
_NEW_TASK_COLUMNS = (
    "instance_id", "spiff_task_id", "node_id", "name", "kind", "lane", "role", "status",
    "fields", "due_at", "created_at",
)  # fmt: skip
_INSERT_TASK = Prepared(
    insert(WorkTask.__table__).values(column_values(WorkTask.__table__, *_NEW_TASK_COLUMNS))
)


def _only_new_tasks(
    saved_ready: frozenset[str] | None, now_ready: frozenset[str], closed: frozenset[str]
) -> bool:
    """True when syncing the task rows needs no look at the database: they are known to be
    the rows of ``saved_ready`` (the ready human tasks as last saved — save_progress keeps
    the open rows equal to them) and every task that left that set is a row the caller
    already ``closed`` (the task being completed). Otherwise (a task interrupted by an event,
    a migrated workflow, a workflow restored elsewhere) the open rows are read."""
    return saved_ready is not None and saved_ready - now_ready <= closed


def _sync_tasks(
    session: Session,
    case: CaseRow,
    workflow: Workflow,
    steps: StepCatalog,
    calendar: WorkingCalendar,
    now: dt.datetime,
    closed: frozenset[str],
) -> None:
    ready = {task.task_id: task for task in workflow.ready_human_tasks()}
    now_ready = frozenset(ready)
    if not _only_new_tasks(workflow.saved_ready, now_ready, closed):
        session.flush()  # task rows changed through the ORM (a claim) are read as changed
        for row_id, spiff_task_id, node_id in _OPEN_TASKS.rows(session, {"instance_id": case.id}):
            if spiff_task_id in ready:
                values, statement = {"node_id": ready.pop(spiff_task_id).node_id}, _MOVE_TASK
                if values["node_id"] == node_id:
                    continue
            else:  # interrupted (a boundary event, a cancelled instance)
                values, statement = {"status": TaskStatus.cancelled}, _CANCEL_TASK
            statement.rowcount(session, {"id": row_id, **values})
            reflect(session, WorkTask, row_id, values)
    else:  # the rows of the tasks still ready are there: add the others
        ready = {
            task_id: task for task_id, task in ready.items() if task_id not in workflow.saved_ready
        }
    workflow.saved_ready = now_ready
    rows = []
    for task in ready.values():
        step = steps.step(task.node_id)
        rows.append(
            {
                "instance_id": case.id,
                "spiff_task_id": task.task_id,
                "node_id": task.node_id,
                "name": task.name,
                "kind": task.kind,
                "lane": step.lane or task.lane,
                "role": step.role,
                "status": TaskStatus.ready,
                "fields": [f.to_dict() for f in step.fields],
                "due_at": _due(calendar, now, step.deadline, step.deadline_calendar),
                "created_at": now,
            }
        )
    if rows:
        _INSERT_TASK.execute_many(session, rows)


def _due(
    calendar: WorkingCalendar, start: dt.datetime, deadline: str | None, kind: str
) -> dt.datetime | None:
    if not deadline:
        return None
    local = start.astimezone(_moscow())
    try:
        return calendar.due(local, parse_duration(deadline), kind).astimezone(dt.UTC)
    except Exception as exc:  # a deadline the calendar cannot count must not stop the case
        logger.warning("cannot compute the due time %s (%s): %s", deadline, kind, exc)
        return None


def _moscow() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Moscow")


def _sync_timers(session: Session, case: CaseRow, workflow: Workflow, now: dt.datetime) -> None:
    waiting = {t.task_id: t for t in workflow.waiting_timers() if t.due is not None}
    pending = session.scalars(  # autoflushed first: a timer just fired is no longer pending
        select(Timer).where(
            Timer.instance_id == case.id, Timer.fired_at.is_(None), Timer.cancelled_at.is_(None)
        )
    )
    for row in pending:
        if row.spiff_task_id in waiting:
            timer = waiting.pop(row.spiff_task_id)
            row.due_at = _aware(timer.due)
        else:
            row.cancelled_at = now
    for timer in waiting.values():
        session.add(
            Timer(
                instance_id=case.id,
                spiff_task_id=timer.task_id,
                node_id=timer.node_id,
                name=timer.name,
                calendar=timer.calendar,
                due_at=_aware(timer.due),
                created_at=now,
            )
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)

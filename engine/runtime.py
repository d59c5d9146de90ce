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

from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session, lazyload

from engine.calendar import WorkingCalendar
from engine.checkpoints import record_checkpoint_events
from engine.durations import parse_duration
from engine.errors import Invalid
from engine.live_workflows import live_workflows
from engine.rows import write_columns
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


def restore_workflow(
    session: Session, instance: ProcessInstance, calendar: WorkingCalendar
) -> tuple[Workflow, Runnable]:
    """The instance's workflow: the live one this process saved as the row's current version
    (see :mod:`engine.live_workflows`), or restored from the row's state and its pinned spec."""
    runnable = runnable_of(session, instance.version, instance.supporting_version_ids)
    trusted = instance.standard.trusted
    workflow = live_workflows.take(instance, runnable.parsed.key)
    if workflow is not None:
        workflow.rebind(trusted=trusted, calendar=calendar)
        return workflow, runnable
    # The row's state is decoded JSON of its own, replaced by save_progress: no need to copy
    # it, unless this session saved it and has yet to write it.
    unsaved = inspect(instance).attrs.state.history.has_changes()
    workflow = Workflow.restore(
        runnable.parsed, instance.state, consume=not unsaved, trusted=trusted, calendar=calendar
    )
    # The row's state was saved with the open task rows equal to its ready human tasks.
    workflow.saved_ready = frozenset(task.task_id for task in workflow.ready_human_tasks())
    return workflow, runnable


def save_progress(
    session: Session,
    instance: ProcessInstance,
    workflow: Workflow,
    runnable: Runnable,
    *,
    calendar: WorkingCalendar,
    actor_login: str | None,
    closed: frozenset[str] = frozenset(),
) -> None:
    """Persist the state of a stored (flushed) instance and everything derived from it; new
    checkpoint events are written and taken off the workflow. ``closed``: spiff ids of task
    rows the caller has already written as no longer open (the task being completed).

    Raises StaleDataError when another transaction moved the instance on first."""
    now = utcnow()
    values: dict[str, Any] = {
        "state": workflow.serialize(),
        "data": jsonable(workflow.data),
        "updated_at": now,
    }
    if workflow.is_completed:
        values |= {"status": InstanceStatus.completed, "completed_at": now}
    write_columns(session, instance, values)  # a compare-and-set on lock_version
    _sync_tasks(session, instance, workflow, runnable.steps, calendar, now, closed)
    if runnable.steps.has_timers:
        _sync_timers(session, instance, workflow, now)
    events: list[NodeEvent] = list(workflow.events)
    workflow.events.clear()
    record_checkpoint_events(
        session,
        instance,
        events,
        steps=runnable.steps,
        data_of=workflow.task_data,
        actor_login=actor_login,
    )
    live_workflows.remember(session, instance, workflow)


def _open_rows(
    session: Session, model: Any, instance: ProcessInstance, is_open: Any, *where: Any
) -> list:
    """The instance's rows of ``model`` that are open as this session sees them, without
    flushing first: one flush at the end of the operation writes everything at once.

    The database's answer is filtered again with ``is_open`` because rows this session changed
    keep their unflushed values (a task just completed is still "ready" in the database);
    rows added and not yet flushed are included. The rows come without their eager joins:
    the instance is already in the session.
    """
    rows = []
    if instance.id is not None:
        with session.no_autoflush:
            rows = list(
                session.scalars(
                    select(model)
                    .where(model.instance_id == instance.id, *where)
                    .options(lazyload("*"))
                )
            )
    seen = set(rows)
    rows += [
        row
        for row in session.new
        if isinstance(row, model) and row not in seen and _belongs(row, instance)
    ]
    return [row for row in rows if is_open(row)]


def _belongs(row: Any, instance: ProcessInstance) -> bool:
    loaded = inspect(row).dict  # no lazy load: the row is new
    if loaded.get("instance") is instance:
        return True
    return instance.id is not None and loaded.get("instance_id") == instance.id


OPEN = (TaskStatus.ready, TaskStatus.claimed)
_INSERT_TASKS = insert(WorkTask.__table__)


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
    instance: ProcessInstance,
    workflow: Workflow,
    steps: StepCatalog,
    calendar: WorkingCalendar,
    now: dt.datetime,
    closed: frozenset[str],
) -> None:
    ready = {task.task_id: task for task in workflow.ready_human_tasks()}
    now_ready = frozenset(ready)
    if not _only_new_tasks(workflow.saved_ready, now_ready, closed):
        rows = _open_rows(
            session, WorkTask, instance, lambda row: row.status in OPEN, WorkTask.status.in_(OPEN)
        )
        for row in rows:
            if row.spiff_task_id in ready:
                row.node_id = ready.pop(row.spiff_task_id).node_id  # may change on migration
            else:  # interrupted (a boundary event, a cancelled instance)
                row.status = TaskStatus.cancelled
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
                "instance_id": instance.id,
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
    if not rows:
        return
    session.execute(_INSERT_TASKS, rows)  # plain INSERTs, no unit of work
    if "tasks" not in inspect(instance).unloaded:
        session.expire(instance, ["tasks"])  # reloaded with the new rows when next read


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


def _sync_timers(
    session: Session, instance: ProcessInstance, workflow: Workflow, now: dt.datetime
) -> None:
    waiting = {t.task_id: t for t in workflow.waiting_timers() if t.due is not None}
    pending = _open_rows(
        session,
        Timer,
        instance,
        lambda row: row.fired_at is None and row.cancelled_at is None,
        Timer.fired_at.is_(None),
        Timer.cancelled_at.is_(None),
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
                instance=instance,
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

"""The rows a step of a case works on — its instance and the task at hand — as plain records
read in one SELECT (engine.prepared), not as ORM objects.

A step needs a few columns of the task, the instance, its unit, standard and version; the
ORM would build five objects with their identity-map bookkeeping for that (~0.4 ms, more
than SpiffWorkflow needs for the step itself). Code that already holds an ORM instance
(starting an instance, timers, migration) takes its record with :meth:`CaseRow.of`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.calendar_store import REVISION as CALENDAR_REVISION
from engine.prepared import Prepared
from models import (
    InstanceStatus,
    ProcessInstance,
    Standard,
    StandardVersion,
    TaskStatus,
    Unit,
    WorkTask,
)

RowVersion = tuple[int, int, dt.datetime]

OPEN = (TaskStatus.ready, TaskStatus.claimed)


@dataclass(slots=True)
class CaseRow:
    """A process instance as a step sees it: its row without the state, and what the step
    needs of its unit, standard and version."""

    id: int
    version_id: int
    version_sha256: str
    standard_id: int
    standard_key: str
    trusted: bool
    unit_id: int
    unit_path: str
    status: InstanceStatus
    supporting_version_ids: list[int]
    subject_type: str | None
    subject_id: int | None
    lock_version: int
    updated_at: dt.datetime

    @property
    def is_running(self) -> bool:
        return self.status == InstanceStatus.running

    @property
    def row_version(self) -> RowVersion:
        """What identifies the stored state: any write bumps ``lock_version`` and ``updated_at``."""
        return (self.id, self.lock_version, self.updated_at)

    @classmethod
    def of(cls, instance: ProcessInstance) -> CaseRow:
        """The record of a stored ORM instance (flushed, with its version loaded)."""
        return cls(
            id=instance.id,
            version_id=instance.version_id,
            version_sha256=instance.version.sha256,
            standard_id=instance.standard_id,
            standard_key=instance.standard.key,
            trusted=instance.standard.trusted,
            unit_id=instance.unit_id,
            unit_path=instance.unit.path,
            status=instance.status,
            supporting_version_ids=list(instance.supporting_version_ids or ()),
            subject_type=instance.subject_type,
            subject_id=instance.subject_id,
            lock_version=instance.lock_version,
            updated_at=instance.updated_at,
        )


@dataclass(slots=True)
class TaskRow:
    """A user task as a step sees it, with its instance; shaped like :class:`WorkTask` for
    the API's task schema."""

    id: int
    instance_id: int
    spiff_task_id: str
    node_id: str
    name: str | None
    kind: str
    lane: str | None
    role: str | None
    status: TaskStatus
    fields: list[dict[str, Any]]
    due_at: dt.datetime | None
    created_at: dt.datetime
    claimed_by_id: int | None
    claimed_at: dt.datetime | None
    completed_by_id: int | None
    completed_by_login: str | None
    completed_at: dt.datetime | None
    completed_data: dict[str, Any] | None
    instance: CaseRow = field(repr=False)
    #: the production calendar's revision when the task was read (engine.calendar_store)
    calendar_revision: str | None = field(default=None, repr=False)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def is_overdue(self, now: dt.datetime) -> bool:
        """True when the task is still open after its normative deadline."""
        return self.is_open and self.due_at is not None and self.due_at < now

    @property
    def unit_path(self) -> str:
        return self.instance.unit_path

    @property
    def lock_version(self) -> int:
        return self.instance.lock_version


_task, _instance = WorkTask.__table__.c, ProcessInstance.__table__.c
_unit, _standard, _version = Unit.__table__.c, Standard.__table__.c, StandardVersion.__table__.c
_TASK_COLUMNS = tuple(
    _task[name]
    for name in TaskRow.__dataclass_fields__
    if name not in ("instance", "calendar_revision")
)
_CASE_COLUMNS = (
    _instance.id,
    _instance.version_id,
    _version.sha256,
    _instance.standard_id,
    _standard.key,
    _standard.trusted,
    _instance.unit_id,
    _unit.path,
    _instance.status,
    _instance.supporting_version_ids,
    _instance.subject_type,
    _instance.subject_id,
    _instance.lock_version,
    _instance.updated_at,
)
_CASE_JOINS = (
    ProcessInstance.__table__.join(Unit.__table__, _unit.id == _instance.unit_id)
    .join(Standard.__table__, _standard.id == _instance.standard_id)
    .join(StandardVersion.__table__, _version.id == _instance.version_id)
)
_LOAD_TASK = Prepared(
    select(*_TASK_COLUMNS, *_CASE_COLUMNS, CALENDAR_REVISION)
    .select_from(_CASE_JOINS.join(WorkTask.__table__, _task.instance_id == _instance.id))
    .where(_task.id == bindparam("task_id"))
)
_LOAD_STATE = Prepared(select(_instance.state).where(_instance.id == bindparam("instance_id")))


def load_task(session: Session, task_id: int) -> TaskRow | None:
    """The task with its instance, or None."""
    row = _LOAD_TASK.first(session, {"task_id": task_id})
    if row is None:
        return None
    split = len(_TASK_COLUMNS)
    case = CaseRow(*row[split:-1])
    case.supporting_version_ids = list(case.supporting_version_ids or ())
    return TaskRow(*row[:split], instance=case, calendar_revision=row[-1])


def load_state(session: Session, case: CaseRow) -> dict[str, Any]:
    """The instance's stored workflow state (decoded afresh: the caller may take it apart)."""
    row = _LOAD_STATE.first(session, {"instance_id": case.id})
    return row[0] if row is not None else {}

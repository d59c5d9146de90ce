"""The execution engine's tables: process instances, their user tasks and timers, checkpoint
events (own and pushed by regional systems) and the production calendar."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, enum_column, intpk, utcnow
from models.org import Person, Unit
from models.standards import Standard, StandardVersion


class InstanceStatus(enum.StrEnum):
    running = "running"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"


class TaskStatus(enum.StrEnum):
    ready = "ready"
    claimed = "claimed"
    completed = "completed"
    cancelled = "cancelled"


class CheckpointKind(enum.StrEnum):
    reached = "reached"
    completed = "completed"


class ProcessInstance(Base):
    """One case run on the engine, pinned to one standard version for its whole life.

    ``state`` is SpiffWorkflow's serialised state without the spec; ``data`` a snapshot of the
    case data. ``lock_version`` makes every write a compare-and-set, so two completions of
    the same instance cannot both win. ``subject_type``/``subject_id`` attach an instance to
    what it is about (e.g. an approval route run for a ``StandardVersion``).
    """

    __tablename__ = "process_instances"
    __table_args__ = (
        Index("ix_process_instances_unit_status", "unit_id", "status"),
        Index("ix_process_instances_subject", "subject_type", "subject_id"),
    )

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"), index=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    status: Mapped[InstanceStatus] = mapped_column(enum_column(InstanceStatus), index=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    supporting_version_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    subject_type: Mapped[str | None] = mapped_column(String(50))
    subject_id: Mapped[int | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    started_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[dt.datetime | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    # Every operation on an instance needs these three: load them with it.
    version: Mapped[StandardVersion] = relationship(lazy="joined")
    standard: Mapped[Standard] = relationship(lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")
    started_by: Mapped[Person | None] = relationship()
    tasks: Mapped[list[WorkTask]] = relationship(
        back_populates="instance", order_by="WorkTask.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def is_running(self) -> bool:
        return self.status == InstanceStatus.running


class WorkTask(Base):
    """A user or manual task of an instance, for people holding ``role`` in the instance's unit."""

    __tablename__ = "work_tasks"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id"),
        Index("ix_work_tasks_role_status", "role", "status"),
    )

    id: Mapped[intpk]
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    node_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(50), default="userTask")
    lane: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus), default=TaskStatus.ready)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    due_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    claimed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    completed_by_login: Mapped[str | None] = mapped_column(String(100))
    completed_at: Mapped[dt.datetime | None]
    completed_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    instance: Mapped[ProcessInstance] = relationship(back_populates="tasks", lazy="joined")
    claimed_by: Mapped[Person | None] = relationship(foreign_keys=[claimed_by_id])

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.ready, TaskStatus.claimed)

    def is_overdue(self, now: dt.datetime) -> bool:
        """True when the task is still open after its normative deadline."""
        return self.is_open and self.due_at is not None and self.due_at < now

    @property
    def unit_path(self) -> str:
        return self.instance.unit.path

    @property
    def lock_version(self) -> int:
        """The instance's lock: what a completion sends back as ``expected_lock``."""
        return self.instance.lock_version


class Timer(Base):
    """A timer event an instance waits for. Workers claim due rows (``claimed_until`` is a
    lease, so a crashed worker's timers are picked up again) and set ``fired_at``."""

    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id"),
        Index("ix_timers_pending", "fired_at", "cancelled_at", "due_at"),
    )

    id: Mapped[intpk]
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    node_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(500))
    calendar: Mapped[str] = mapped_column(String(20), default="calendar")
    due_at: Mapped[dt.datetime]
    created_at: Mapped[created_at]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[dt.datetime | None]
    fired_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]

    instance: Mapped[ProcessInstance] = relationship()


class CheckpointEvent(Base):
    """A case reached or completed a checkpoint. One table for the engine's own events
    (``source`` "etalon") and those regional systems push (``source`` their login).
    Append-only: rows are never updated."""

    __tablename__ = "checkpoint_events"
    __table_args__ = (
        UniqueConstraint("source", "event_id"),
        Index("ix_checkpoint_events_standard", "standard_key", "checkpoint_id", "occurred_at"),
        Index("ix_checkpoint_events_office", "office_id", "occurred_at"),
    )

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str] = mapped_column(String(200))
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[str] = mapped_column(String(200), index=True)
    standard_key: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("standard_versions.id"))
    checkpoint_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CheckpointKind] = mapped_column(enum_column(CheckpointKind))
    node_id: Mapped[str | None] = mapped_column(String(200))
    occurred_at: Mapped[dt.datetime]
    office_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    actor_login: Mapped[str | None] = mapped_column(String(100))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[created_at]


class CalendarDay(Base):
    """A day that differs from the five-day week in the production calendar an administrator
    loaded: ``holiday``, ``working`` (a transferred working weekend day) or ``short``."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(300), default="")
    loaded_at: Mapped[created_at]

"""Assignments: one model for every kind of "someone must do something by a date" — study of a
changed standard now; corrective assignments and change requests reuse it.

One row per person. A target (a role within a unit, or a whole unit) is expanded to its people
when issued; the rows of one issue share a `batch`. Every status change is a history row.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, intpk, utcnow
from models.org import Person, Unit


class AssignmentStatus(enum.StrEnum):
    issued = "issued"
    acknowledged = "acknowledged"
    done = "done"
    overdue = "overdue"
    escalated = "escalated"
    cancelled = "cancelled"


class Assignment(Base):
    """What `person` must do about `subject` (e.g. a standard version) by `due_at`."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_subject", "subject_type", "subject_id"),
        Index("ix_assignments_status_due", "status", "due_at"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(50), index=True)  # study, corrective, …
    batch: Mapped[str] = mapped_column(String(36), index=True)
    subject_type: Mapped[str] = mapped_column(String(50))  # standard_version, indicator, …
    subject_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    target_role: Mapped[str | None] = mapped_column(String(100))
    target_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    issuer_login: Mapped[str] = mapped_column(String(100))
    status: Mapped[AssignmentStatus] = mapped_column(
        Enum(AssignmentStatus, native_enum=False, length=20, validate_strings=True),
        default=AssignmentStatus.issued,
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[created_at]
    due_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[dt.datetime | None]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    events: Mapped[list[AssignmentEvent]] = relationship(
        back_populates="assignment", order_by="AssignmentEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status not in (AssignmentStatus.done, AssignmentStatus.cancelled)


class AssignmentEvent(Base):
    """One transition of an assignment (issue included), with who did it and why."""

    __tablename__ = "assignment_events"

    id: Mapped[intpk]
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    actor_login: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="events")

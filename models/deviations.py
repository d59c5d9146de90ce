"""The closed loop from indicators back to people and to the standard: detector settings and
runs, deviations (what a detector found, de-duplicated while open), change requests for the
standard itself and notifications an integration polls.

Corrective assignments, change-request assignments and daily digests are rows of the general
`assignments` table (kinds `corrective`, `change_request`, `digest`); the rows here say what
they are about.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, enum_column, intpk, utcnow
from models.org import Unit
from models.standards import Standard, StandardVersion


class DetectorConfig(Base):
    """Settings of one detector for a standard and indicator ("" = every one): thresholds,
    schedule ("daily 07:00", "every 60m") and the role in the accountable unit that receives
    the corrective assignment. Missing rows fall back to the detector's defaults."""

    __tablename__ = "detector_configs"
    __table_args__ = (UniqueConstraint("detector", "standard_key", "indicator_id"),)

    id: Mapped[intpk]
    detector: Mapped[str] = mapped_column(String(50))
    standard_key: Mapped[str] = mapped_column(String(200), default="")
    indicator_id: Mapped[str] = mapped_column(String(200), default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    schedule: Mapped[str] = mapped_column(String(50), default="")
    recipient_role: Mapped[str] = mapped_column(String(100), default="")
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LoopRun(Base):
    """One claimed run of a scheduled job (a detector over a standard, the digest of a day,
    the change-request check) for one schedule slot: the unique key lets exactly one of
    several workers run it."""

    __tablename__ = "loop_runs"
    __table_args__ = (UniqueConstraint("job", "scope", "slot"),)

    id: Mapped[intpk]
    job: Mapped[str] = mapped_column(String(50))
    scope: Mapped[str] = mapped_column(String(200))
    slot: Mapped[str] = mapped_column(String(40))
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[created_at]
    finished_at: Mapped[dt.datetime | None]
    found: Mapped[int] = mapped_column(default=0)


class DeviationStatus(enum.StrEnum):
    open = "open"
    recovered = "recovered"  # back in the corridor (or no case left); awaiting closure
    closed = "closed"


class Deviation(Base):
    """What a detector found for a unit (and, for people detectors, an employee). `open_key`
    equals `key` until the deviation is closed, so a deviation that is still open is never
    opened twice."""

    __tablename__ = "deviations"
    __table_args__ = (Index("ix_deviations_detector_standard", "detector", "standard_key"),)

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(500), index=True)
    open_key: Mapped[str | None] = mapped_column(String(500), unique=True)
    detector: Mapped[str] = mapped_column(String(50))
    standard_key: Mapped[str] = mapped_column(String(200))
    indicator_id: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    person_login: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[DeviationStatus] = mapped_column(
        enum_column(DeviationStatus), default=DeviationStatus.open
    )
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    cases: Mapped[list[Any]] = mapped_column(JSON, default=list)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipient_role: Mapped[str] = mapped_column(String(100), default="manager")
    escalation_level: Mapped[int] = mapped_column(default=0)
    before_value: Mapped[float | None] = mapped_column(Float)
    after_value: Mapped[float | None] = mapped_column(Float)
    effective: Mapped[bool | None]
    detected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recovered_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    unit: Mapped[Unit] = relationship()


class ChangeRequestStatus(enum.StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"


class ChangeRequest(Base):
    """A request to revise a standard: the same indicator was red in several regions. Accepted,
    it links the draft version created from it."""

    __tablename__ = "change_requests"

    id: Mapped[intpk]
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"))
    indicator_id: Mapped[str] = mapped_column(String(200))
    open_key: Mapped[str | None] = mapped_column(String(500), unique=True)
    status: Mapped[ChangeRequestStatus] = mapped_column(
        enum_column(ChangeRequestStatus), default=ChangeRequestStatus.open
    )
    title: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    draft_version_id: Mapped[int | None] = mapped_column(ForeignKey("standard_versions.id"))

    standard: Mapped[Standard] = relationship()
    version: Mapped[StandardVersion] = relationship(foreign_keys=[version_id])
    draft_version: Mapped[StandardVersion | None] = relationship(foreign_keys=[draft_version_id])


class Notification(Base):
    """Something a person should learn (an assignment issued or escalated, an indicator back in
    its corridor, a change request): rows an integration polls by id."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_person_id_id", "person_id", "id"),)

    id: Mapped[intpk]
    event: Mapped[str] = mapped_column(String(50))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at]
    read_at: Mapped[dt.datetime | None]

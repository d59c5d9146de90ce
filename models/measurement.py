"""Measurement tables: per-case traces with their conformance, indicator observations (what a
value is made of, for drill-down), additive rollups per unit and period, employee-days of
count-per-employee indicators and the integrated quality index.

Raw checkpoint events stay in ``checkpoint_events``; everything here is derived from them,
incrementally, as events arrive.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk, utcnow


class CaseTrace(Base):
    """The state of one case (per source and standard): its checkpoint events in time order,
    the indicator contributions already counted, and the conformance of the trace against the
    standard version the case runs under."""

    __tablename__ = "case_traces"
    __table_args__ = (
        UniqueConstraint("source", "standard_key", "case_id"),
        Index("ix_case_traces_standard_office", "standard_key", "office_path"),
    )

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(100))
    standard_key: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("standard_versions.id"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    office_path: Mapped[str] = mapped_column(String(512), default="")
    started_at: Mapped[dt.datetime | None]
    last_at: Mapped[dt.datetime | None]
    # [[checkpoint_id, iso timestamp, kind], ...] sorted by time: the trace conformance reads.
    events: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    # Keys of indicator contributions already added to rollups (pairs are counted once).
    counted: Mapped[list[str]] = mapped_column(JSON, default=list)
    fitness: Mapped[float | None] = mapped_column(Float)
    skipped: Mapped[list[str]] = mapped_column(JSON, default=list)
    out_of_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    breaches: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IndicatorObservation(Base):
    """One contribution of a case to an indicator (a paired duration, a flagged case, an
    event at a counted checkpoint, a stage). Rollups sum these; drill-down lists them."""

    __tablename__ = "indicator_observations"
    __table_args__ = (
        Index("ix_indicator_observations_lookup", "standard_key", "indicator_id", "day"),
    )

    id: Mapped[intpk]
    standard_key: Mapped[str] = mapped_column(String(200))
    indicator_id: Mapped[str] = mapped_column(String(200))
    case_trace_id: Mapped[int] = mapped_column(ForeignKey("case_traces.id", ondelete="CASCADE"))
    case_id: Mapped[str] = mapped_column(String(200))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    office_path: Mapped[str] = mapped_column(String(512), default="")
    day: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    within: Mapped[bool | None]
    flagged: Mapped[bool | None]
    actor_login: Mapped[str | None] = mapped_column(String(100))


class IndicatorRollup(Base):
    """Additive aggregates of one indicator for one unit (office, region or federation) and one
    period (day, week from Monday, month). Queries read only these rows."""

    __tablename__ = "indicator_rollups"
    __table_args__ = (
        UniqueConstraint("standard_key", "indicator_id", "unit_id", "granularity", "period_start"),
        Index(
            "ix_indicator_rollups_query",
            "granularity",
            "unit_level",
            "standard_key",
            "period_start",
        ),
        # the quality index reads all indicators of a (unit, period) after each batch
        Index("ix_indicator_rollups_unit_period", "unit_id", "granularity", "period_start"),
    )

    id: Mapped[intpk]
    standard_key: Mapped[str] = mapped_column(String(200))
    indicator_id: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_level: Mapped[str] = mapped_column(String(20))
    unit_path: Mapped[str] = mapped_column(String(512))
    granularity: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    total_sq: Mapped[float] = mapped_column(Float, default=0.0)
    within: Mapped[int] = mapped_column(default=0)
    flagged: Mapped[int] = mapped_column(default=0)
    employee_days: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EmployeeDay(Base):
    """An employee worked on a count-per-employee indicator's checkpoint on a day: the
    denominator of "events per employee per day", counted once per (employee, day)."""

    __tablename__ = "employee_days"
    __table_args__ = (UniqueConstraint("standard_key", "indicator_id", "actor_login", "day"),)

    id: Mapped[intpk]
    standard_key: Mapped[str] = mapped_column(String(200))
    indicator_id: Mapped[str] = mapped_column(String(200))
    actor_login: Mapped[str] = mapped_column(String(100))
    day: Mapped[dt.date] = mapped_column(Date)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class QualityIndexValue(Base):
    """The integrated quality index of one service (standard) for one unit and period, stored
    with the indicator values, statuses, scores and weights it was computed from."""

    __tablename__ = "quality_index_values"
    __table_args__ = (
        UniqueConstraint("standard_key", "unit_id", "granularity", "period_start"),
        Index("ix_quality_index_values_query", "granularity", "unit_level", "period_start"),
    )

    id: Mapped[intpk]
    standard_key: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_level: Mapped[str] = mapped_column(String(20))
    unit_path: Mapped[str] = mapped_column(String(512))
    granularity: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EventFoldQueue(Base):
    """A stored pushed checkpoint event not yet folded into traces, conformance, observations,
    rollups and the quality index. Ingest adds a row in the event's own transaction; the fold
    (``engine.fold``) claims rows, folds their events and deletes the rows in one transaction,
    so an event is folded exactly once even with several workers. ``checkpoint_events`` itself
    stays append-only."""

    __tablename__ = "event_fold_queue"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("checkpoint_events.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )

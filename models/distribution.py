"""Distribution to regional systems: the change feed of publications and withdrawals,
webhook subscriptions with their deliveries and attempts, and adoption reports (which version
a region runs)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, enum_column, intpk, utcnow
from models.org import Person, Unit
from models.standards import Standard, StandardVersion


class ChangeKind(enum.StrEnum):
    published = "published"
    withdrawn = "withdrawn"


class DeliveryStatus(enum.StrEnum):
    pending = "pending"  # waiting for its next attempt
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # gave up after the last attempt


class PublicationEvent(Base):
    """One entry of the change feed. Its id is the cursor clients poll with: ids are allocated
    in commit order (see `standards.distribution`), so a poller never misses one."""

    __tablename__ = "publication_events"

    id: Mapped[intpk]
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind))
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"), index=True)
    standard_key: Mapped[str] = mapped_column(String(200))
    version_number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    effective_from: Mapped[dt.date | None]
    release_id: Mapped[int | None]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Webhook(Base):
    """A regional system's subscription to publication events. The secret signs deliveries;
    it is shown once, at creation, and never returned again."""

    __tablename__ = "webhooks"

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    deleted_at: Mapped[dt.datetime | None]

    unit: Mapped[Unit] = relationship()
    owner: Mapped[Person | None] = relationship()


class WebhookDelivery(Base):
    """One event to one webhook: a row, so pending deliveries survive a restart. Workers claim
    due rows with a lease (`claimed_until`)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[intpk]
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("publication_events.id"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[dt.datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None]
    created_at: Mapped[created_at]

    webhook: Mapped[Webhook] = relationship()
    event: Mapped[PublicationEvent] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.number", back_populates="delivery"
    )


class WebhookAttempt(Base):
    """One HTTP attempt of a delivery, with what the receiver answered."""

    __tablename__ = "webhook_attempts"

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int]
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(default=0)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempt_log")


class Adoption(Base):
    """Which version of a standard a region runs, as its regional system last reported."""

    __tablename__ = "adoptions"
    __table_args__ = (UniqueConstraint("standard_id", "unit_id"),)

    id: Mapped[intpk]
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"))
    source: Mapped[str] = mapped_column(String(20), default="acknowledged")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    standard: Mapped[Standard] = relationship()
    unit: Mapped[Unit] = relationship()
    version: Mapped[StandardVersion] = relationship()

"""The standards registry: standards, their numbered versions, releases, comments and the
decisions of the approval route."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from models.base import Base, created_at, enum_column, intpk, utcnow
from models.org import Person, Unit


class StandardKind(enum.StrEnum):
    process = "process"  # ЦМП
    organization = "organization"  # ЦМО


class StandardCategory(enum.StrEnum):
    main = "main"
    supporting = "supporting"


class VersionStatus(enum.StrEnum):
    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    published = "published"
    superseded = "superseded"
    withdrawn = "withdrawn"


class ReleaseStatus(enum.StrEnum):
    draft = "draft"
    published = "published"


class Standard(Base):
    """A standard under a stable key, e.g. `employment.job-seeker-registration`."""

    __tablename__ = "standards"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[StandardKind] = mapped_column(enum_column(StandardKind))
    category: Mapped[StandardCategory] = mapped_column(enum_column(StandardCategory))
    service_code: Mapped[str | None] = mapped_column(String(100), index=True)
    owning_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    process_id: Mapped[str | None] = mapped_column(String(200))
    trusted: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[created_at]

    owning_unit: Mapped[Unit] = relationship()
    versions: Mapped[list[StandardVersion]] = relationship(
        back_populates="standard", order_by="StandardVersion.number"
    )


class StandardVersion(Base):
    """An edition of a standard. Approved and published versions are immutable."""

    __tablename__ = "standard_versions"
    __table_args__ = (
        UniqueConstraint("standard_id", "number"),
        Index("ix_standard_versions_in_force", "standard_id", "status", "effective_from"),
    )

    id: Mapped[intpk]
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    number: Mapped[int]
    status: Mapped[VersionStatus] = mapped_column(enum_column(VersionStatus), index=True)
    bpmn: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    error_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime | None]
    effective_from: Mapped[dt.date | None]
    ended_at: Mapped[dt.datetime | None]  # superseded or withdrawn
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id"), index=True)
    approval_route: Mapped[str | None] = mapped_column(String(200))
    approval_instance_id: Mapped[int | None] = mapped_column(Integer, index=True)
    lock_version: Mapped[int] = mapped_column(default=1)

    standard: Mapped[Standard] = relationship(back_populates="versions")
    author: Mapped[Person | None] = relationship()
    release: Mapped[Release | None] = relationship(back_populates="versions")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def is_immutable(self) -> bool:
        return self.status not in (VersionStatus.draft,)

    @property
    def label(self) -> str:
        return f"{self.standard.key} v{self.number}"


class Release(Base):
    """Versions of several standards approved and published together, effective on one date."""

    __tablename__ = "releases"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(300))
    effective_date: Mapped[dt.date]
    status: Mapped[ReleaseStatus] = mapped_column(enum_column(ReleaseStatus), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[created_at]
    published_at: Mapped[dt.datetime | None]

    versions: Mapped[list[StandardVersion]] = relationship(back_populates="release")


class VersionComment(Base):
    """A comment on a version, or on one element of its diagram."""

    __tablename__ = "version_comments"

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"), index=True)
    element_id: Mapped[str | None] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    author: Mapped[Person | None] = relationship()


class ApprovalDecision(Base):
    """One decision at one stage of the approval route, with the route that was used."""

    __tablename__ = "approval_decisions"

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"), index=True)
    route: Mapped[str] = mapped_column(String(200))  # e.g. "etalon.standard-approval v1"
    stage: Mapped[str] = mapped_column(String(200))  # BPMN task id of the stage
    stage_name: Mapped[str] = mapped_column(String(500), default="")
    role: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(20))  # approve | return
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    actor: Mapped[Person | None] = relationship()


class Setting(Base):
    """Installation-wide settings an administrator changes, e.g. the active approval route."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

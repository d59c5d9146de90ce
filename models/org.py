"""Org structure and identity: units, people and the role grants that tie them together."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, intpk


class UnitLevel(enum.StrEnum):
    """Levels of the org tree, top to bottom (федерация → регион → ЦЗН → отдел)."""

    federation = "federation"
    region = "region"
    office = "office"
    department = "department"

    @property
    def depth(self) -> int:
        return list(UnitLevel).index(self)


class PersonKind(enum.StrEnum):
    human = "human"
    system = "system"  # a machine identity, e.g. a regional information system


class Role(enum.StrEnum):
    """System roles. Job roles from the lanes of standards are plain codes granted the same way."""

    administrator = "administrator"
    methodologist = "methodologist"
    approver = "approver"
    manager = "manager"
    employee = "employee"
    auditor = "auditor"
    regional_system = "regional_system"


class Unit(Base):
    """A node of the org tree. `path` is the materialised path of ids (`/1/4/17/`), so a subtree is
    one indexed prefix query on both databases."""

    __tablename__ = "units"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[UnitLevel] = mapped_column(Enum(UnitLevel, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(512), index=True, default="")
    created_at: Mapped[created_at]

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")

    def is_within(self, other: Unit) -> bool:
        """True when this unit is `other` or lies in its subtree."""
        return self.path.startswith(other.path)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit's parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]


class Person(Base):
    """A person or a machine identity. `password_hash` is reserved for web login."""

    __tablename__ = "people"

    id: Mapped[intpk]
    login: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[PersonKind] = mapped_column(
        Enum(PersonKind, native_enum=False, length=20), default=PersonKind.human
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[created_at]

    unit: Mapped[Unit] = relationship()
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="person", cascade="all, delete-orphan", foreign_keys="RoleGrant.person_id"
    )


class RoleGrant(Base):
    """`person` holds `role` in `unit` and its whole subtree."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("person_id", "role", "unit_id"),)

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(100), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[created_at]

    person: Mapped[Person] = relationship(back_populates="grants", foreign_keys=[person_id])
    unit: Mapped[Unit] = relationship()

    @property
    def is_system_role(self) -> bool:
        return self.role in Role.__members__


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored; the secret is shown once, at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]

    person: Mapped[Person] = relationship()

    def is_usable(self, now: dt.datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now

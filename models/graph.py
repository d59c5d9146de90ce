"""The log of registry changes the in-memory dependency graph follows.

Each publication or withdrawal appends a row; every process keeps a graph cache and applies
the rows it has not seen yet (`token` tells a row apart from a rolled-back one that had the
same id)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, intpk, utcnow


class GraphChange(Base):
    """A standard whose versions in force changed (published, withdrawn)."""

    __tablename__ = "graph_changes"

    id: Mapped[intpk]
    token: Mapped[str] = mapped_column(String(36))
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("standard_versions.id"))
    kind: Mapped[str] = mapped_column(String(20))  # publish | withdraw
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

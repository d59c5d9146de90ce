"""The knowledge base: documents attached to a standard version (and to its elements), and
the search index over standards, their elements and those documents."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from models.base import Base, created_at, intpk
from models.standards import StandardVersion


class AttachmentKind(enum.StrEnum):
    technology_card = "technology_card"  # технологическая карта
    form = "form"  # бланк / форма документа
    document = "document"  # any other document


class Attachment(Base):
    """A file attached to a version, or to one element of its diagram. Versioned with the
    version: immutable once the version is (only drafts take new attachments)."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_version_element", "version_id", "element_id"),)

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"))
    element_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[AttachmentKind] = mapped_column(
        Enum(AttachmentKind, native_enum=False, length=20, validate_strings=True)
    )
    ref: Mapped[str | None] = mapped_column(String(200))  # e.g. technology card TK-REG-02
    title: Mapped[str] = mapped_column(String(500))
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    text: Mapped[str] = deferred(mapped_column(Text, default="", nullable=False))
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[created_at]

    version: Mapped[StandardVersion] = relationship()


class SearchEntry(Base):
    """One searchable piece of a published version: the standard itself, one element, or one
    attachment. PostgreSQL searches it through a GIN index on `to_tsvector('russian', …)`;
    SQLite through an FTS5 table over `stems` (Snowball-stemmed words), see `standards.search`."""

    __tablename__ = "search_entries"
    __table_args__ = (
        # Russian morphology on PostgreSQL: the expression standards.search queries with.
        Index(
            "ix_search_entries_russian",
            text("to_tsvector('russian', (title || ' ') || body)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("standard_versions.id"), index=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # standard | element | attachment
    element_id: Mapped[str | None] = mapped_column(String(200))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"), index=True)
    title: Mapped[str] = mapped_column(String(1000))
    body: Mapped[str] = mapped_column(Text, default="")
    stems: Mapped[str] = mapped_column(Text, default="")

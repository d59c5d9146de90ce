"""Standards registry: standards, numbered versions (BPMN bytes, hash, summary, problems,
life-cycle timestamps, optimistic lock), releases, comments, approval decisions, settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:53:44.608338
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "published", name="releasestatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_releases_created_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
    )
    op.create_table(
        "standards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("process", "organization", name="standardkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum("main", "supporting", name="standardcategory", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("service_code", sa.String(length=100), nullable=True),
        sa.Column("owning_unit_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=True),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_standards_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["owning_unit_id"], ["units.id"], name=op.f("fk_standards_owning_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standards")),
        sa.UniqueConstraint("key", name=op.f("uq_standards_key")),
    )
    with op.batch_alter_table("standards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standards_owning_unit_id"), ["owning_unit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_standards_service_code"), ["service_code"], unique=False
        )

    op.create_table(
        "standard_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_review",
                "approved",
                "published",
                "superseded",
                "withdrawn",
                name="versionstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("bpmn", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("warning_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("approval_route", sa.String(length=200), nullable=True),
        sa.Column("approval_instance_id", sa.Integer(), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_standard_versions_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_standard_versions_release_id_releases")
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
            name=op.f("fk_standard_versions_standard_id_standards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard_versions")),
        sa.UniqueConstraint(
            "standard_id", "number", name=op.f("uq_standard_versions_standard_id_number")
        ),
    )
    with op.batch_alter_table("standard_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_standard_versions_approval_instance_id"),
            ["approval_instance_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_standard_versions_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            "ix_standard_versions_in_force",
            ["standard_id", "status", "effective_from"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_standard_versions_release_id"), ["release_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_standard_versions_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_standard_versions_standard_id"), ["standard_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_standard_versions_status"), ["status"], unique=False)

    op.create_table(
        "approval_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=200), nullable=False),
        sa.Column("stage_name", sa.String(length=500), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["people.id"], name=op.f("fk_approval_decisions_actor_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["standard_versions.id"],
            name=op.f("fk_approval_decisions_version_id_standard_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_decisions")),
    )
    with op.batch_alter_table("approval_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_decisions_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "version_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_version_comments_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["standard_versions.id"],
            name=op.f("fk_version_comments_version_id_standard_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_comments")),
    )
    with op.batch_alter_table("version_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_version_comments_version_id"), ["version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("version_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_version_comments_version_id"))

    op.drop_table("version_comments")
    with op.batch_alter_table("approval_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_decisions_version_id"))

    op.drop_table("approval_decisions")
    with op.batch_alter_table("standard_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_versions_status"))
        batch_op.drop_index(batch_op.f("ix_standard_versions_standard_id"))
        batch_op.drop_index(batch_op.f("ix_standard_versions_sha256"))
        batch_op.drop_index(batch_op.f("ix_standard_versions_release_id"))
        batch_op.drop_index("ix_standard_versions_in_force")
        batch_op.drop_index(batch_op.f("ix_standard_versions_author_id"))
        batch_op.drop_index(batch_op.f("ix_standard_versions_approval_instance_id"))

    op.drop_table("standard_versions")
    with op.batch_alter_table("standards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standards_service_code"))
        batch_op.drop_index(batch_op.f("ix_standards_owning_unit_id"))

    op.drop_table("standards")
    op.drop_table("releases")
    op.drop_table("settings")

"""The closed loop: detector settings and claimed runs, deviations (de-duplicated while open),
change requests for the standard and notifications. Corrective assignments, change-request
assignments and digests are rows of `assignments` (revision 0005).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detector_configs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("detector", sa.String(length=50), nullable=False),
        sa.Column("standard_key", sa.String(length=200), nullable=False),
        sa.Column("indicator_id", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.String(length=50), nullable=False),
        sa.Column("recipient_role", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_detector_configs")),
        sa.UniqueConstraint(
            "detector",
            "standard_key",
            "indicator_id",
            name=op.f("uq_detector_configs_detector_standard_key_indicator_id"),
        ),
    )
    op.create_table(
        "loop_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=50), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("slot", sa.String(length=40), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_runs")),
        sa.UniqueConstraint("job", "scope", "slot", name=op.f("uq_loop_runs_job_scope_slot")),
    )
    op.create_table(
        "deviations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("open_key", sa.String(length=500), nullable=True),
        sa.Column("detector", sa.String(length=50), nullable=False),
        sa.Column("standard_key", sa.String(length=200), nullable=False),
        sa.Column("indicator_id", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("person_login", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open", "recovered", "closed", name="deviationstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("cases", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("recipient_role", sa.String(length=100), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("before_value", sa.Float(), nullable=True),
        sa.Column("after_value", sa.Float(), nullable=True),
        sa.Column("effective", sa.Boolean(), nullable=True),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recovered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_deviations_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deviations")),
        sa.UniqueConstraint("open_key", name=op.f("uq_deviations_open_key")),
    )
    with op.batch_alter_table("deviations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deviations_detector_standard", ["detector", "standard_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deviations_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_deviations_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=50), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_notifications_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_notifications_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_notifications_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_index("ix_notifications_person_id_id", ["person_id", "id"], unique=False)

    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.String(length=200), nullable=False),
        sa.Column("open_key", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "accepted",
                "rejected",
                name="changerequeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=False),
        sa.Column("draft_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["draft_version_id"],
            ["standard_versions.id"],
            name=op.f("fk_change_requests_draft_version_id_standard_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standards.id"], name=op.f("fk_change_requests_standard_id_standards")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["standard_versions.id"],
            name=op.f("fk_change_requests_version_id_standard_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
        sa.UniqueConstraint("open_key", name=op.f("uq_change_requests_open_key")),
    )
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_change_requests_standard_id"), ["standard_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_requests_standard_id"))

    op.drop_table("change_requests")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_person_id_id")
        batch_op.drop_index(batch_op.f("ix_notifications_assignment_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("deviations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deviations_unit_id"))
        batch_op.drop_index(batch_op.f("ix_deviations_key"))
        batch_op.drop_index("ix_deviations_detector_standard")

    op.drop_table("deviations")
    op.drop_table("loop_runs")
    op.drop_table("detector_configs")

"""Execution engine: process instances (pinned version, specless state, optimistic lock,
subject), user tasks by role, timers with worker leases, checkpoint events (own and pushed),
the production calendar loaded by administrators.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:56:06.124445
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_days_year"), ["year"], unique=False)

    op.create_table(
        "process_instances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "running",
                "completed",
                "failed",
                "cancelled",
                name="instancestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("supporting_version_ids", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("subject_type", sa.String(length=50), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
            name=op.f("fk_process_instances_standard_id_standards"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["people.id"], name=op.f("fk_process_instances_started_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_process_instances_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["standard_versions.id"],
            name=op.f("fk_process_instances_version_id_standard_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_instances")),
    )
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_instances_standard_id"), ["standard_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_process_instances_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_process_instances_subject", ["subject_type", "subject_id"], unique=False
        )
        batch_op.create_index(
            "ix_process_instances_unit_status", ["unit_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_process_instances_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "checkpoint_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("standard_key", sa.String(length=200), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("checkpoint_id", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("reached", "completed", name="checkpointkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("node_id", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column("actor_login", sa.String(length=100), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_checkpoint_events_instance_id_process_instances"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["units.id"], name=op.f("fk_checkpoint_events_office_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["units.id"], name=op.f("fk_checkpoint_events_region_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["standard_versions.id"],
            name=op.f("fk_checkpoint_events_version_id_standard_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_events")),
        sa.UniqueConstraint(
            "source", "event_id", name=op.f("uq_checkpoint_events_source_event_id")
        ),
    )
    with op.batch_alter_table("checkpoint_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkpoint_events_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_checkpoint_events_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index(
            "ix_checkpoint_events_office", ["office_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_checkpoint_events_region_id"), ["region_id"], unique=False
        )
        batch_op.create_index(
            "ix_checkpoint_events_standard",
            ["standard_key", "checkpoint_id", "occurred_at"],
            unique=False,
        )

    op.create_table(
        "timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("spiff_task_id", sa.String(length=36), nullable=False),
        sa.Column("node_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("calendar", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_timers_instance_id_process_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint(
            "instance_id", "spiff_task_id", name=op.f("uq_timers_instance_id_spiff_task_id")
        ),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timers_instance_id"), ["instance_id"], unique=False)
        batch_op.create_index(
            "ix_timers_pending", ["fired_at", "cancelled_at", "due_at"], unique=False
        )

    op.create_table(
        "work_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("spiff_task_id", sa.String(length=36), nullable=False),
        sa.Column("node_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("lane", sa.String(length=500), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "ready",
                "claimed",
                "completed",
                "cancelled",
                name="taskstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_by_login", sa.String(length=100), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claimed_by_id"], ["people.id"], name=op.f("fk_work_tasks_claimed_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["people.id"], name=op.f("fk_work_tasks_completed_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_work_tasks_instance_id_process_instances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_tasks")),
        sa.UniqueConstraint(
            "instance_id", "spiff_task_id", name=op.f("uq_work_tasks_instance_id_spiff_task_id")
        ),
    )
    with op.batch_alter_table("work_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_work_tasks_instance_id"), ["instance_id"], unique=False
        )
        batch_op.create_index("ix_work_tasks_role_status", ["role", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_work_tasks_role_status")
        batch_op.drop_index(batch_op.f("ix_work_tasks_instance_id"))

    op.drop_table("work_tasks")
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_pending")
        batch_op.drop_index(batch_op.f("ix_timers_instance_id"))

    op.drop_table("timers")
    with op.batch_alter_table("checkpoint_events", schema=None) as batch_op:
        batch_op.drop_index("ix_checkpoint_events_standard")
        batch_op.drop_index(batch_op.f("ix_checkpoint_events_region_id"))
        batch_op.drop_index("ix_checkpoint_events_office")
        batch_op.drop_index(batch_op.f("ix_checkpoint_events_instance_id"))
        batch_op.drop_index(batch_op.f("ix_checkpoint_events_case_id"))

    op.drop_table("checkpoint_events")
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instances_version_id"))
        batch_op.drop_index("ix_process_instances_unit_status")
        batch_op.drop_index("ix_process_instances_subject")
        batch_op.drop_index(batch_op.f("ix_process_instances_status"))
        batch_op.drop_index(batch_op.f("ix_process_instances_standard_id"))

    op.drop_table("process_instances")
    with op.batch_alter_table("calendar_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_days_year"))

    op.drop_table("calendar_days")

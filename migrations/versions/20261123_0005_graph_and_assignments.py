"""Dependency graph change log (what each process's in-memory graph follows) and the assignment
model (study assignments first; corrective assignments and change requests reuse it).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("batch", sa.String(length=36), nullable=False),
        sa.Column("subject_type", sa.String(length=50), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("target_role", sa.String(length=100), nullable=True),
        sa.Column("target_unit_id", sa.Integer(), nullable=True),
        sa.Column("issuer_id", sa.Integer(), nullable=True),
        sa.Column("issuer_login", sa.String(length=100), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "issued",
                "acknowledged",
                "done",
                "overdue",
                "escalated",
                "cancelled",
                name="assignmentstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["people.id"], name=op.f("fk_assignments_issuer_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_assignments_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["target_unit_id"], ["units.id"], name=op.f("fk_assignments_target_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_assignments_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_batch"), ["batch"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_assignments_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(
            "ix_assignments_subject", ["subject_type", "subject_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignments_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "assignment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_login", sa.String(length=100), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["people.id"], name=op.f("fk_assignment_events_actor_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_assignment_events_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_events")),
    )
    with op.batch_alter_table("assignment_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_events_assignment_id"), ["assignment_id"], unique=False
        )

    op.create_table(
        "graph_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standards.id"], name=op.f("fk_graph_changes_standard_id_standards")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["standard_versions.id"],
            name=op.f("fk_graph_changes_version_id_standard_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_changes")),
    )
    with op.batch_alter_table("graph_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_graph_changes_standard_id"), ["standard_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("graph_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_graph_changes_standard_id"))

    op.drop_table("graph_changes")
    with op.batch_alter_table("assignment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_events_assignment_id"))

    op.drop_table("assignment_events")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_unit_id"))
        batch_op.drop_index("ix_assignments_subject")
        batch_op.drop_index("ix_assignments_status_due")
        batch_op.drop_index(batch_op.f("ix_assignments_person_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_kind"))
        batch_op.drop_index(batch_op.f("ix_assignments_batch"))

    op.drop_table("assignments")

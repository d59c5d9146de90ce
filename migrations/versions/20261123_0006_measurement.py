"""Measurement: case traces with conformance, indicator observations and rollups, employee-days
of count-per-employee indicators and the integrated quality index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 16:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "employee_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_key", sa.String(length=200), nullable=False),
        sa.Column("indicator_id", sa.String(length=200), nullable=False),
        sa.Column("actor_login", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["units.id"], name=op.f("fk_employee_days_office_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee_days")),
        sa.UniqueConstraint(
            "standard_key",
            "indicator_id",
            "actor_login",
            "day",
            name=op.f("uq_employee_days_standard_key_indicator_id_actor_login_day"),
        ),
    )
    op.create_table(
        "indicator_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_key", sa.String(length=200), nullable=False),
        sa.Column("indicator_id", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_level", sa.String(length=20), nullable=False),
        sa.Column("unit_path", sa.String(length=512), nullable=False),
        sa.Column("granularity", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("total_sq", sa.Float(), nullable=False),
        sa.Column("within", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("employee_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_indicator_rollups_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_rollups")),
        sa.UniqueConstraint(
            "standard_key",
            "indicator_id",
            "unit_id",
            "granularity",
            "period_start",
            name=op.f(
                "uq_indicator_rollups_standard_key_indicator_id_unit_id_granularity_period_start"
            ),
        ),
    )
    with op.batch_alter_table("indicator_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_rollups_query",
            ["granularity", "unit_level", "standard_key", "period_start"],
            unique=False,
        )
        batch_op.create_index(
            "ix_indicator_rollups_unit_period",
            ["unit_id", "granularity", "period_start"],
            unique=False,
        )

    op.create_table(
        "quality_index_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_key", sa.String(length=200), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_level", sa.String(length=20), nullable=False),
        sa.Column("unit_path", sa.String(length=512), nullable=False),
        sa.Column("granularity", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_quality_index_values_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_index_values")),
        sa.UniqueConstraint(
            "standard_key",
            "unit_id",
            "granularity",
            "period_start",
            name=op.f("uq_quality_index_values_standard_key_unit_id_granularity_period_start"),
        ),
    )
    with op.batch_alter_table("quality_index_values", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quality_index_values_query",
            ["granularity", "unit_level", "period_start"],
            unique=False,
        )

    op.create_table(
        "case_traces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("standard_key", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("office_path", sa.String(length=512), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("counted", sa.JSON(), nullable=False),
        sa.Column("fitness", sa.Float(), nullable=True),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("out_of_order", sa.JSON(), nullable=False),
        sa.Column("breaches", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["units.id"], name=op.f("fk_case_traces_office_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["standard_versions.id"],
            name=op.f("fk_case_traces_version_id_standard_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_traces")),
        sa.UniqueConstraint(
            "source",
            "standard_key",
            "case_id",
            name=op.f("uq_case_traces_source_standard_key_case_id"),
        ),
    )
    with op.batch_alter_table("case_traces", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_traces_standard_office", ["standard_key", "office_path"], unique=False
        )

    op.create_table(
        "indicator_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("standard_key", sa.String(length=200), nullable=False),
        sa.Column("indicator_id", sa.String(length=200), nullable=False),
        sa.Column("case_trace_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("office_path", sa.String(length=512), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("within", sa.Boolean(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=True),
        sa.Column("actor_login", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_trace_id"],
            ["case_traces.id"],
            name=op.f("fk_indicator_observations_case_trace_id_case_traces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["units.id"], name=op.f("fk_indicator_observations_office_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_observations")),
    )
    with op.batch_alter_table("indicator_observations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_observations_lookup",
            ["standard_key", "indicator_id", "day"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_observations", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_observations_lookup")

    op.drop_table("indicator_observations")
    with op.batch_alter_table("case_traces", schema=None) as batch_op:
        batch_op.drop_index("ix_case_traces_standard_office")

    op.drop_table("case_traces")
    with op.batch_alter_table("quality_index_values", schema=None) as batch_op:
        batch_op.drop_index("ix_quality_index_values_query")

    op.drop_table("quality_index_values")
    with op.batch_alter_table("indicator_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_rollups_unit_period")
        batch_op.drop_index("ix_indicator_rollups_query")

    op.drop_table("indicator_rollups")
    op.drop_table("employee_days")

"""The fold queue of pushed checkpoint events: ingest stores events and queues their ids; the
fold (`etalon worker`, `etalon events fold`) turns them into traces, conformance and rollups
and deletes the queue rows. `checkpoint_events` stays append-only.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_fold_queue",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["checkpoint_events.id"],
            name=op.f("fk_event_fold_queue_event_id_checkpoint_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_fold_queue")),
    )


def downgrade() -> None:
    op.drop_table("event_fold_queue")

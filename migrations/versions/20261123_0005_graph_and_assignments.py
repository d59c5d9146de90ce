"""Dependency graph revision counter and the assignment model (study assignments first;
corrective assignments and change requests reuse it).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 18:00:00.000000
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Tables are added once the models settle."""


def downgrade() -> None:
    """Nothing to undo yet."""

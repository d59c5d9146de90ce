"""Distribution and knowledge base: change feed, webhooks and deliveries, adoption reports,
attachments, full-text search index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Tables are added in the following commits of the distribution work."""


def downgrade() -> None:
    """Nothing to undo yet."""

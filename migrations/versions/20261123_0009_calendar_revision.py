"""The production calendar's revision: a setting that changes whenever an administrator loads
a year, so a step of a case asks one small row instead of reading every loaded day. Databases
with loaded years get their first revision here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 21:00:00.000000
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KEY = "calendar.revision"
settings = sa.table(
    "settings",
    sa.column("key", sa.String()),
    sa.column("value", sa.JSON()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    loaded = op.get_bind().execute(sa.text("SELECT count(*) FROM calendar_days")).scalar()
    if loaded:
        now = dt.datetime.now(dt.UTC)
        if op.get_bind().dialect.name == "sqlite":
            now = now.replace(tzinfo=None)  # as models.base.UtcDateTime stores it there
        op.bulk_insert(settings, [{"key": KEY, "value": uuid.uuid4().hex, "updated_at": now}])


def downgrade() -> None:
    op.execute(settings.delete().where(settings.c.key == KEY))

"""Alembic environment: online migrations against the configured URL or a given connection."""

from __future__ import annotations

from alembic import context

import models
from models import make_engine
from models.base import UtcDateTime

config = context.config
target_metadata = models.Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by table copy
        compare_type=True,
        render_item=_render_item,
    )


def _render_item(type_, obj, autogen_context):
    """Render our column types as plain SQLAlchemy ones, so revisions never import models."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = make_engine(url)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Etalon migrations run online only.")
run_migrations_online()

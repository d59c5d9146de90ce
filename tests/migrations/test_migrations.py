"""Migrations: upgrade → `alembic check` → downgrade to base → upgrade, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from migrations import alembic_config
from models import Base, make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, new_database) -> str:
    return new_database(request.param, "etalon_migrations")


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_one_head_and_dated_files():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.module.__file__.split("/")[-1][:8].isdigit(), revision.revision
        assert revision.doc and revision.doc.strip(), f"{revision.revision} needs a message"


def test_upgrade_check_downgrade_upgrade(empty_database):
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    assert _tables(empty_database) == set(Base.metadata.tables)
    command.check(config)  # raises when models and migrations disagree
    command.downgrade(config, "base")
    assert _tables(empty_database) == set()
    command.upgrade(config, "head")
    assert _tables(empty_database) == set(Base.metadata.tables)

"""Migrations: upgrade → `alembic check` → downgrade to base → upgrade, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from engine.calendar_store import REVISION_SETTING, working_calendar
from migrations import alembic_config
from models import Base, Setting, make_engine


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


def test_loaded_calendar_years_get_a_revision(empty_database):
    """0009: a database with loaded calendar days gets the revision working_calendar asks for,
    and the calendar it counts on is the loaded one; the downgrade takes the revision away."""
    config = alembic_config(empty_database)
    command.upgrade(config, "0008")
    engine = make_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO calendar_days (day, year, kind, name, loaded_at) "
                    "VALUES ('2031-01-02', 2031, 'holiday', 'test', '2026-11-23 10:00:00')"
                )
            )
        command.upgrade(config, "0009")
        with Session(engine) as session:
            assert session.get(Setting, REVISION_SETTING).value
            assert working_calendar(session).days[dt.date(2031, 1, 2)] == "holiday"
        command.downgrade(config, "0008")
        with Session(engine) as session:
            assert session.get(Setting, REVISION_SETTING) is None
    finally:
        engine.dispose()

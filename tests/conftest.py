"""Fixtures: every database test runs on SQLite and on a real PostgreSQL, inside a transaction
that is rolled back (the SQLAlchemy "join an external transaction" recipe), so `commit()` in the
code under test behaves as in production and nothing leaks between tests."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session

from api import create_app
from api.cli import sample_org
from engine import identity, org
from engine.access import Actor
from migrations import alembic_config
from models import Person, make_engine
from standards.seeding import load_sample_library
from tests.postgres import PostgresUnavailable, TemporaryPostgres

POSTGRES_ID = re.compile(r"\[.*\bpostgresql\b.*\]")
REQUIRE_POSTGRESQL = os.environ.get("ETALON_REQUIRE_POSTGRESQL") == "1"
_postgres_tests = {"passed": 0, "failed": 0, "skipped": 0}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TemporaryPostgres | str]:
    """A running PostgreSQL: an URL from ETALON_TEST_DATABASE_URL, or a temporary server."""
    if url := os.environ.get("ETALON_TEST_DATABASE_URL"):
        yield url
        return
    try:
        server = TemporaryPostgres.start()
    except PostgresUnavailable as exc:
        if REQUIRE_POSTGRESQL:
            pytest.fail(f"PostgreSQL is required but could not start: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def new_database(postgres_server, tmp_path_factory) -> Callable[[str, str], str]:
    """Make an empty database of a kind (`sqlite` or `postgresql`) and return its URL."""

    def make(kind: str, name: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.db')}"
        if isinstance(postgres_server, str):
            if name != "etalon_test":
                pytest.skip("extra databases need the temporary PostgreSQL server")
            return postgres_server
        return postgres_server.create_database(name)

    return make


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_kind(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(request, database_kind, tmp_path_factory) -> str:
    """A database migrated to head with the sample data of `etalon seed` committed: the org
    structure and the sample library (first versions published, later ones drafts)."""
    if database_kind == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'etalon.db'}"
    else:
        url = request.getfixturevalue("new_database")("postgresql", "etalon_test")
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as session:
        org.import_org(session, Actor.system("tests"), sample_org())
        load_sample_library(session, Actor.system("tests"))
        session.commit()
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def db_engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(db_engine) -> Iterator[Connection]:
    connection = db_engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(connection) -> Iterator[Session]:
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield session
    session.close()


@pytest.fixture
def app(connection):
    return create_app({"DATABASE_CONNECTION": connection, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def system() -> Actor:
    return Actor.system("tests")


@pytest.fixture
def token_for(session) -> Callable[[str], dict[str, str]]:
    """Headers with a fresh bearer token for a login of the sample org."""

    def make(login: str) -> dict[str, str]:
        person = session.scalars(select(Person).where(Person.login == login)).one()
        _, secret = identity.create_token(
            session, Actor.system("tests"), person, expires_in=dt.timedelta(hours=1)
        )
        session.flush()
        return {"Authorization": f"Bearer {secret}"}

    return make


def pytest_runtest_logreport(report) -> None:
    if not POSTGRES_ID.search(report.nodeid):
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _postgres_tests[report.outcome] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    counts = _postgres_tests
    terminalreporter.write_line(
        f"PostgreSQL tests: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
    )

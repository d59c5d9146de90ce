"""Engines and sessions for SQLite (the zero-set-up default) and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the settings Etalon relies on (foreign keys and WAL on SQLite)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(connection) -> None:
    # pysqlite would BEGIN only before the first INSERT/UPDATE/DELETE, so a SAVEPOINT issued
    # earlier would open (and its RELEASE commit) a transaction of its own: nested
    # transactions and rolled-back test transactions would leak. Begin explicitly instead,
    # on the driver's connection (through SQLAlchemy's execution it costs 12 µs, here 1).
    connection.connection.driver_connection.execute("BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_session_factory(bind) -> sessionmaker[Session]:
    return sessionmaker(bind=bind, expire_on_commit=False)

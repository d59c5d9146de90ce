"""Statements compiled once per database and run straight on the DB-API cursor.

A step of a case is a handful of small statements. Through SQLAlchemy each costs ~20 µs of
cache-key work, execution context and result objects around the ~2 µs the driver needs
(measured on SQLite), and an ORM load of a task with its instance ~0.4 ms. The statements of
the step path are still written as Core constructs against the tables — checked, and
compiled by SQLAlchemy for each dialect with its casts and parameter style — but compiled
once and executed here, with SQLAlchemy's own conversions of parameters and result columns
(time zones, JSON, enums). They run in the session's transaction on its connection.

What they skip: SQLAlchemy's execution events (``echo`` logging among them) and the ORM's
identity map — a caller that writes a row the session may hold loaded says so with
:func:`reflect`.

Inside :func:`batched`, statements are sent without waiting for each other's results where
the driver can (psycopg's pipeline mode): on PostgreSQL a step's writes and its
compare-and-set cost one round trip instead of one each.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Dialect, Engine, Table, bindparam, event, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter names in order (qmark style), else None
    # (name in the SQL, name given by the caller or None for a literal, the literal's value,
    # conversion) of each parameter
    binds: tuple[tuple[str, str | None, Any, Processor], ...]
    results: tuple[Processor, ...]  # conversion of each result column


class Prepared:
    """One Core statement, compiled on first use for each dialect.

    ``encoded``: parameters that arrive already in the column's stored form (JSON text
    built by the caller) and skip the column type's conversion.
    """

    def __init__(self, statement: ClauseElement, *, encoded: Iterable[str] = ()) -> None:
        self.statement = statement
        self.encoded = frozenset(encoded)
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        defaulted = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
        if defaulted:  # SQLAlchemy would compute them per execution; nothing here does
            raise ValueError(f"give the columns with Python-side defaults a value: {defaulted}")
        binds = tuple(
            (
                name,
                None if bind.expanding or bind.unique else bind.key,
                bind.value,
                None if bind.key in self.encoded else _bind_processor(bind.type, dialect),
            )
            for bind, name in compiled.bind_names.items()
        )
        columns = getattr(self.statement, "selected_columns", None)
        if columns is None:  # INSERT/UPDATE … RETURNING
            columns = getattr(self.statement, "_returning", ())
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        positional = tuple(compiled.positiontup or ()) if compiled.positional else None
        return _Compiled(compiled.string, positional, binds, results)

    def _parameters(self, compiled: _Compiled, values: Mapping[str, Any]) -> Any:
        converted = {}
        for name, key, literal, processor in compiled.binds:
            value = values[key] if key is not None else literal
            converted[name] = processor(value) if processor is not None else value
        if compiled.positional is None:
            return converted
        return tuple(converted[name] for name in compiled.positional)

    def execute(self, session: Session, values: Mapping[str, Any]) -> Any:
        """Run with ``values`` (by parameter name); the DB-API cursor."""
        return self._run(session, values, many=False)

    def execute_many(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per row of ``rows`` (INSERTs of several rows)."""
        if len(rows) == 1:  # the usual step: psycopg's executemany costs a pipeline sync
            self._run(session, rows[0], many=False).close()
        elif rows:
            self._run(session, rows, many=True).close()

    def _run(self, session: Session, values: Any, *, many: bool) -> Any:
        connection = session.connection()
        dialect = connection.dialect
        compiled = self._for(dialect)
        cursor = connection.connection.driver_connection.cursor()
        try:
            if many:
                cursor.executemany(compiled.sql, [self._parameters(compiled, v) for v in values])
            else:
                cursor.execute(compiled.sql, self._parameters(compiled, values))
        except dialect.loaded_dbapi.Error as exc:  # as SQLAlchemy raises it (IntegrityError…)
            cursor.close()
            raise _wrapped(dialect, compiled.sql, values, exc) from exc
        return cursor

    def rowcount(self, session: Session, values: Mapping[str, Any]) -> int:
        """Run an UPDATE/DELETE; how many rows it matched (in a batch: what is queued is sent
        first — see :func:`rowcount_of` to read it later instead)."""
        cursor = self.execute(session, values)
        count = rowcount_of(session, cursor)
        cursor.close()
        return count

    def rows(self, session: Session, values: Mapping[str, Any]) -> list[tuple]:
        """Run a SELECT (or a statement with RETURNING); its rows, converted."""
        cursor = self.execute(session, values)
        dialect = session.connection().dialect
        compiled = self._for(dialect)
        try:
            fetched = cursor.fetchall()  # in a batch: sends what is queued first
        except dialect.loaded_dbapi.Error as exc:
            raise _wrapped(dialect, compiled.sql, values, exc) from exc
        finally:
            cursor.close()
        if not any(compiled.results):
            return [tuple(row) for row in fetched]
        processors = compiled.results
        return [
            tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True))
            for row in fetched
        ]

    def first(self, session: Session, values: Mapping[str, Any]) -> tuple | None:
        """The first row of :meth:`rows`, or None."""
        rows = self.rows(session, values)
        return rows[0] if rows else None


_BATCH = "etalon.prepared.batch"  # Connection.info: the pipeline of the open batch
_BATCH_SQL = "(a batch of prepared statements)"  # what an error of the batch names


@contextmanager
def batched(session: Session) -> Iterator[None]:
    """Send the prepared statements run inside together where the driver can: psycopg's
    pipeline mode on PostgreSQL (a statement does not wait for the one before; one round
    trip when the block ends or a result is read). SQLite has no round trips to save: the
    statements run as usual. Errors of queued statements surface, as SQLAlchemy raises them
    (IntegrityError…), at the latest when the block ends.

    Only prepared statements may run inside: SQLAlchemy's own execution (the ORM, an
    autoflush) reads a cursor's result at once and would see none, so it is refused
    (RuntimeError). Pending ORM changes are flushed before the batch begins."""
    session.flush()
    connection = session.connection()
    if connection.dialect.driver != "psycopg" or _BATCH in connection.info:
        yield
        return
    if connection.engine not in _guarded:
        event.listen(connection.engine, "before_cursor_execute", _refuse_inside_batch)
        _guarded.add(connection.engine)
    try:
        with connection.connection.driver_connection.pipeline() as pipeline:
            connection.info[_BATCH] = pipeline
            try:
                yield
            finally:
                del connection.info[_BATCH]
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(connection.dialect, _BATCH_SQL, None, exc) from exc


def rowcount_of(session: Session, cursor: Any) -> int:
    """How many rows the statement run on ``cursor`` matched; in a batch, the statements
    queued so far are sent and their results awaited first."""
    connection = session.connection()
    pipeline = connection.info.get(_BATCH)
    if pipeline is not None and cursor.rowcount < 0:
        try:
            pipeline.sync()
        except connection.dialect.loaded_dbapi.Error as exc:
            raise _wrapped(connection.dialect, _BATCH_SQL, None, exc) from exc
    return cursor.rowcount


def _wrapped(dialect: Dialect, sql: str, values: Any, exc: Exception) -> DBAPIError:
    return DBAPIError.instance(sql, values, exc, dialect.loaded_dbapi.Error, dialect=dialect)


_guarded: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines that refuse SQLAlchemy in a batch


def _refuse_inside_batch(connection, _cursor, statement, *_args) -> None:
    if _BATCH in connection.info:
        raise RuntimeError(
            "a statement through SQLAlchemy inside a batch of prepared statements "
            f"(its result would be lost): {statement[:200]}"
        )


def column_values(table: Table, *names: str) -> dict[str, BindParameter]:
    """``.values()`` of an INSERT/UPDATE: a parameter per column, named and typed like it."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


def _bind_processor(type_: Any, dialect: Dialect) -> Processor:
    return type_.dialect_impl(dialect).bind_processor(dialect)


def reflect(
    session: Session,
    model: type,
    id_: int,
    values: Mapping[str, Any],
    *,
    expire: Sequence[str] = (),
) -> None:
    """Show ``values``, just written with a prepared statement, on the ``model`` row ``id_``
    if the session holds it loaded: as stored, not as a change to flush (if it has unsaved
    changes of its own, the written attributes are expired: reloaded when next read).
    ``expire``: attributes the write made stale in other ways (a collection that gained rows)."""
    obj = session.identity_map.get(session.identity_key(model, id_))
    if obj is None:
        return
    if inspect(obj).modified:
        session.expire(obj, [*values, *expire])
        return
    for name, value in values.items():
        set_committed_value(obj, name, value)
    if expire:
        session.expire(obj, list(expire))

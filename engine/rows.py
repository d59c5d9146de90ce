"""Writing loaded rows with one plain UPDATE instead of the session's unit of work.

A step of a case changes a few columns of rows the session already holds (the instance's
state, the completed task). :func:`write_columns` sends one UPDATE and makes the loaded
object show the values as stored, so no flush has to work out what changed. Like the flush,
it is a compare-and-set on the mapper's version column when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, Update, bindparam, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError


def write_columns(session: Session, obj: Any, values: Mapping[str, Any]) -> None:
    """Store ``values`` in ``obj``'s row.

    A stored row without unflushed changes gets one UPDATE (where its version column, if
    the mapper has one, still holds the loaded version; the version is then bumped), and the
    object shows the values as stored. Otherwise the values are assigned and the session's
    flush writes them. StaleDataError when another transaction changed the row first.
    """
    state = inspect(obj)
    if not state.persistent or state.modified:
        for name, value in values.items():
            setattr(obj, name, value)
        return
    values = dict(values)
    expected: dict[str, Any] = {}
    version = state.mapper.version_id_col
    if version is not None:
        expected[version.key] = getattr(obj, version.key)
        values[version.key] = expected[version.key] + 1
    statement = _update_statement(type(obj).__table__, tuple(values), tuple(expected))
    params = {f"v_{name}": value for name, value in values.items()}
    params |= {f"w_{name}": value for name, value in expected.items()}
    params["w_id"] = obj.id
    if session.execute(statement, params).rowcount != 1:
        raise StaleDataError(f"{type(obj).__name__} {obj.id} was changed by someone else")
    for name, value in values.items():
        set_committed_value(obj, name, value)


_statements: dict[tuple, Update] = {}


def _update_statement(table: Table, names: tuple[str, ...], expected: tuple[str, ...]) -> Update:
    """One statement object per table and set of columns: a statement built afresh for every
    call costs SQLAlchemy its cache key (~0.1 ms) each time."""
    key = (table.name, names, expected)
    statement = _statements.get(key)
    if statement is None:
        where = [table.c.id == bindparam("w_id")]
        where += [table.c[name] == bindparam(f"w_{name}") for name in expected]
        values = {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names}
        statement = _statements[key] = update(table).where(*where).values(values)
    return statement

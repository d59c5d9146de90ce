"""Writing loaded rows with one plain UPDATE instead of the session's unit of work.

A step of a case changes a few columns of rows the session already holds (the instance's
state, the completed task). :func:`write_columns` sends one UPDATE and makes the loaded
object show the values as stored, so no flush has to work out what changed; with
``expected`` it is a compare-and-set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, Update, bindparam, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value


def can_write_columns(obj: Any) -> bool:
    """True when ``obj`` is a stored row without unflushed changes of its own (otherwise
    assign the attributes and let the flush write them)."""
    state = inspect(obj)
    return state.persistent and not state.modified


def write_columns(
    session: Session,
    obj: Any,
    values: Mapping[str, Any],
    expected: Mapping[str, Any] | None = None,
) -> bool:
    """UPDATE ``obj``'s row with ``values`` where it still has ``expected``; False when it
    did not (another transaction changed it first), and then ``obj`` is left as it was."""
    expected = expected or {}
    statement = _update_statement(type(obj).__table__, tuple(values), tuple(expected))
    params = {f"v_{name}": value for name, value in values.items()}
    params |= {f"w_{name}": value for name, value in expected.items()}
    params["w_id"] = obj.id
    if session.execute(statement, params).rowcount != 1:
        return False
    for name, value in values.items():
        set_committed_value(obj, name, value)
    return True


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

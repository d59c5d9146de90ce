"""Claiming due rows among several workers with a lease.

A row is claimable when the caller's conditions hold and its lease (`claimed_until`) is free
or has run out; a worker that dies leaves its rows to be claimed again when the lease ends.
On PostgreSQL the claim is `SELECT … FOR UPDATE SKIP LOCKED` (workers never wait for each
other); on SQLite, whose writers are serialised anyway, one atomic `UPDATE … WHERE`. The
caller commits at once, so the claim is visible to the other workers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session


def lease_free(model: Any, now: dt.datetime) -> ColumnElement[bool]:
    return or_(model.claimed_until.is_(None), model.claimed_until < now)


def claim_rows(
    session: Session,
    model: Any,
    conditions: Sequence[ColumnElement[bool]],
    *,
    order_by: ColumnElement[Any],
    worker: str,
    now: dt.datetime,
    lease: dt.timedelta,
    limit: int,
) -> list[int]:
    """Claim up to `limit` rows of `model` (with `id`, `claimed_by`, `claimed_until`) that
    meet `conditions`, oldest `order_by` first; return their ids."""
    token = f"{worker[:60]}:{uuid.uuid4().hex[:12]}"
    where = (*conditions, lease_free(model, now))
    values = {"claimed_by": token, "claimed_until": now + lease}
    candidates = select(model.id).where(*where).order_by(order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(candidates.with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(model)
                .where(model.id.in_(ids))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        return ids
    session.execute(
        update(model)
        .where(model.id.in_(candidates.scalar_subquery()), *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(select(model.id).where(model.claimed_by == token)))

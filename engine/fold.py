"""The fold: pushed checkpoint events, once stored and queued by ingest, become case traces
with their conformance, indicator observations, rollups and the quality index — through
``engine.rollups.apply_events``, the one code path the engine's own events take too.

Ingest (``engine.ingest``) stores a batch and adds the ids of the new events to
``event_fold_queue`` in the same transaction. Folding claims queued ids, folds their events
and deletes the queue rows in one transaction: a failure rolls the claim back with the fold,
so every event is folded exactly once. Several folders may run at once — PostgreSQL claims
with ``FOR UPDATE SKIP LOCKED``, SQLite has one writer at a time — and the case traces they
share are locked by ``apply_events`` itself.

The ``etalon worker`` job folds the backlog in batches of ``FOLD_BATCH`` events, each batch
committed on its own, for at most ``JOB_SECONDS`` per pass (so timers are not starved);
``etalon events fold`` folds everything now; ``backlog`` says how much is waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.access import Actor, require_role
from engine.rollups import EventRecord, apply_events
from models import CheckpointEvent, EventFoldQueue, Role

logger = logging.getLogger(__name__)

FOLD_BATCH = 5000
JOB_SECONDS = 30.0
#: who may see the backlog: pushers (are my events in the figures yet?), readers of the
#: figures and administrators (operations)
BACKLOG_READERS = (Role.regional_system, Role.auditor, Role.manager, Role.administrator)

_CLAIM = (
    "DELETE FROM event_fold_queue WHERE event_id IN (SELECT event_id FROM event_fold_queue "
    "ORDER BY event_id LIMIT :limit{lock}) RETURNING event_id"
)


@dataclass(frozen=True)
class Backlog:
    """Stored events waiting for the fold: how many, and since when (the oldest's arrival)."""

    pending: int
    oldest_recorded_at: dt.datetime | None

    def to_dict(self) -> dict[str, object]:
        oldest = self.oldest_recorded_at
        return {
            "pending": self.pending,
            "oldest_recorded_at": oldest.isoformat() if oldest else None,
        }


def backlog(session: Session) -> Backlog:
    """How many stored events are not folded yet, and when the oldest of them arrived."""
    pending, first = session.execute(select(func.count(), func.min(EventFoldQueue.event_id))).one()
    oldest = None
    if first is not None:  # ids grow with time, so the smallest queued id is about the oldest
        oldest = session.scalar(
            select(CheckpointEvent.recorded_at).where(CheckpointEvent.id == first)
        )
    return Backlog(pending, oldest)


def event_backlog(session: Session, actor: Actor) -> Backlog:
    """The backlog for an actor allowed to see it (``BACKLOG_READERS``)."""
    require_role(actor, *BACKLOG_READERS)
    return backlog(session)


def claim_queued(session: Session, limit: int) -> list[int]:
    """Take up to ``limit`` queued event ids off the queue, in the caller's transaction (a
    rollback puts them back). Rows another transaction holds are skipped on PostgreSQL."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    statement = text(_CLAIM.format(lock=" FOR UPDATE SKIP LOCKED" if postgresql else ""))
    return sorted(session.scalars(statement, {"limit": limit}))


def _records(session: Session, ids: Sequence[int]) -> list[EventRecord]:
    table = CheckpointEvent.__table__
    columns = (table.c.source, table.c.case_id, table.c.standard_key, table.c.version_id,
               table.c.checkpoint_id, table.c.occurred_at, table.c.office_id,
               table.c.actor_login, table.c.attributes, table.c.kind)  # fmt: skip
    records = []
    for start in range(0, len(ids), 10_000):
        chunk = ids[start : start + 10_000]
        for row in session.execute(select(*columns).where(table.c.id.in_(chunk))):
            records.append(EventRecord.of(row))
    return records


def fold_events(session: Session, ids: Sequence[int]) -> int:
    """Fold the stored events ``ids`` (already taken off the queue); return how many."""
    records = _records(session, ids)
    apply_events(session, records)
    return len(records)


def fold_queued(session: Session, *, batch: int = FOLD_BATCH, limit: int | None = None) -> int:
    """Fold queued events in the caller's transaction, ``batch`` at a time, until the queue
    is empty (or ``limit`` events are folded); return how many were folded."""
    folded = 0
    while limit is None or folded < limit:
        size = batch if limit is None else min(batch, limit - folded)
        ids = claim_queued(session, size)
        if not ids:
            break
        folded += fold_events(session, ids)
    return folded


def fold_backlog(
    session_factory: Callable[[], Session],
    *,
    batch: int = FOLD_BATCH,
    seconds: float | None = None,
) -> int:
    """Fold the backlog one committed transaction per batch until it is empty or ``seconds``
    have passed; return how many events were folded."""
    started = time.monotonic()
    folded = 0
    while seconds is None or time.monotonic() - started < seconds:
        with session_factory() as session:
            ids = claim_queued(session, batch)
            if not ids:
                break
            count = fold_events(session, ids)
            session.commit()
        folded += count
    if folded:
        rate = folded / max(time.monotonic() - started, 1e-9)
        logger.info("folded %d events (%.0f/s)", folded, rate)
    return folded


def fold_job(session_factory: Callable[[], Session], worker: str) -> int:
    """The worker's periodic job: fold the backlog for at most ``JOB_SECONDS``."""
    try:
        return fold_backlog(session_factory, seconds=JOB_SECONDS)
    except OperationalError as exc:
        # A deadlock or a lost connection: the batch rolled back and stays queued for the
        # next pass.
        logger.warning("worker %s: fold postponed: %s", worker, exc.orig or exc)
        return 0

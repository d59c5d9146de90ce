"""The timer worker behind ``etalon worker``: claim due timers, fire each in its own
transaction, repeat. Several workers may run against one database at once.

Like the CLI, the worker owns its transactions: a claim is committed before firing starts,
and each firing commits (or rolls back) on its own, so one broken instance never blocks the
others. An instance whose timer cannot run is marked failed with the error.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.access import Actor
from engine.assignments import flag_overdue_job
from engine.errors import DomainError
from engine.fold import fold_job
from engine.timers import claim_due_timers, fire_timer
from models import InstanceStatus, ProcessInstance, Timer

logger = logging.getLogger(__name__)

#: Periodic jobs of higher layers, run after the timers in every pass: `job(session_factory,
#: worker) -> items done`. The engine must not import `standards`, so modules there append
#: their job here when imported (e.g. webhook deliveries: `standards.webhook_delivery`).
PERIODIC_JOBS: list[Callable[[Callable[[], Session], str], int]] = []
PERIODIC_JOBS.append(flag_overdue_job)  # assignments past their due date become overdue
PERIODIC_JOBS.append(fold_job)  # pushed events into traces, conformance, rollups (engine.fold)


@dataclass(frozen=True)
class WorkerPass:
    """What one pass did."""

    claimed: int
    fired: int
    failed: int


def default_worker_name() -> str:
    """host:pid:thread, unique among the workers of a deployment."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def run_worker_pass(
    session_factory: Callable[[], Session], worker: str | None = None, *, batch: int = 50
) -> WorkerPass:
    """Claim the timers due now and fire them; return the counts."""
    worker = worker or default_worker_name()
    actor = Actor.system(f"worker:{worker}"[:100])
    with session_factory() as session:
        ids = claim_due_timers(session, worker, limit=batch)
        session.commit()
    fired = failed = 0
    for timer_id in ids:
        with session_factory() as session:
            try:
                if fire_timer(session, actor, timer_id, worker):
                    fired += 1
                session.commit()
            except (StaleDataError, IntegrityError):
                # The instance moved on meanwhile (a person completed a task): try again later.
                session.rollback()
                _release(session, timer_id)
            except DomainError as exc:
                session.rollback()
                failed += 1
                _mark_failed(session, timer_id, exc.message)
    if ids:
        logger.info("worker %s: %d claimed, %d fired, %d failed", worker, len(ids), fired, failed)
    for job in PERIODIC_JOBS:
        try:
            job(session_factory, worker)
        except Exception:  # one broken job must not stop the timers or the other jobs
            logger.exception("worker %s: periodic job %s failed", worker, job.__name__)
    return WorkerPass(len(ids), fired, failed)


def run_worker(
    session_factory: Callable[[], Session],
    *,
    once: bool = False,
    interval: float = 5.0,
    stop: threading.Event | None = None,
    worker: str | None = None,
) -> int:
    """Run passes every ``interval`` seconds until ``stop`` is set (or one pass with ``once``);
    return how many timers fired."""
    stop = stop or threading.Event()
    total = 0
    while True:
        result = run_worker_pass(session_factory, worker)
        total += result.fired
        if once or stop.wait(0 if result.claimed else interval):
            return total


def _release(session: Session, timer_id: int) -> None:
    session.execute(update(Timer).where(Timer.id == timer_id).values(claimed_until=None))
    session.commit()


def _mark_failed(session: Session, timer_id: int, message: str) -> None:
    timer = session.get(Timer, timer_id)
    if timer is None:
        return
    instance = session.get(ProcessInstance, timer.instance_id)
    if instance is not None:
        instance.status = InstanceStatus.failed
        instance.error = f"timer {timer.node_id}: {message}"[:2000]
    timer.cancelled_at = timer.claimed_until
    session.commit()
    logger.warning("instance %s failed at timer %s: %s", timer.instance_id, timer.node_id, message)

"""The worker behind ``etalon worker``: claim due timers, fire each in its own transaction,
run the periodic jobs, repeat. Several workers may run against one database at once.

Like the CLI, the worker owns its transactions: a claim is committed before firing starts,
and each firing commits (or rolls back) on its own, so one broken instance never blocks the
others. An instance whose timer cannot run is marked failed with the error.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.access import Actor
from engine.errors import DomainError
from engine.timers import claim_due_timers, fire_timer
from models import InstanceStatus, ProcessInstance, Timer

logger = logging.getLogger(__name__)

#: A periodic job, run after the timers in every pass: `job(session_factory, worker) -> items
#: done`. Jobs claim their own work, so any number of workers may run them. The full list is
#: assembled where every layer is visible: `api.jobs.WORKER_JOBS`.
Job = Callable[[Callable[[], Session], str], int]


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
    session_factory: Callable[[], Session],
    worker: str | None = None,
    *,
    batch: int = 50,
    jobs: Sequence[Job] = (),
) -> WorkerPass:
    """Claim the timers due now and fire them, then run `jobs`; return the timer counts."""
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
    for job in jobs:
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
    jobs: Sequence[Job] = (),
) -> int:
    """Run passes every ``interval`` seconds until ``stop`` is set (or one pass with ``once``);
    return how many timers fired."""
    stop = stop or threading.Event()
    total = 0
    while True:
        result = run_worker_pass(session_factory, worker, jobs=jobs)
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

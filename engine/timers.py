"""Due timers: claiming them safely among several workers, and firing one.

A claim is a lease (``engine.leases``): a worker that dies leaves its timers to be claimed
again when the lease runs out. Firing checks the row again and the instance's lock, so a
timer fires at most once.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor
from engine.calendar_store import working_calendar
from engine.leases import claim_rows
from engine.runtime import restore_instance_workflow, save_instance_progress
from models import InstanceStatus, ProcessInstance, Timer, utcnow

logger = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(minutes=5)


def claim_due_timers(
    session: Session,
    worker: str,
    *,
    now: dt.datetime | None = None,
    limit: int = 50,
    lease: dt.timedelta = DEFAULT_LEASE,
) -> list[int]:
    """Claim up to ``limit`` due timers for ``worker``; return their ids. The caller commits
    at once, so the claim is visible to other workers."""
    now = now or utcnow()
    ids = claim_rows(
        session,
        Timer,
        (Timer.fired_at.is_(None), Timer.cancelled_at.is_(None), Timer.due_at <= now),
        order_by=Timer.due_at,
        worker=worker,
        now=now,
        lease=lease,
        limit=limit,
    )
    if ids:
        logger.info("worker %s claimed %d due timers", worker, len(ids))
    return ids


def fire_timer(session: Session, actor: Actor, timer_id: int, worker: str | None = None) -> bool:
    """Fire a claimed timer and run its instance on; False when there was nothing to fire
    (fired or cancelled meanwhile, claimed by another worker, instance no longer running)."""
    timer = session.get(Timer, timer_id, with_for_update=_row_lock(session))
    if timer is None or timer.fired_at is not None or timer.cancelled_at is not None:
        return False
    if worker is not None and not (timer.claimed_by or "").startswith(f"{worker[:60]}:"):
        return False
    instance: ProcessInstance = timer.instance
    if instance.status != InstanceStatus.running:
        timer.cancelled_at = utcnow()
        return False
    calendar = working_calendar(session)
    workflow, runnable = restore_instance_workflow(session, instance, calendar)
    timer.fired_at = utcnow()
    if timer.spiff_task_id not in {t.task_id for t in workflow.waiting_timers()}:
        timer.fired_at = None
        timer.cancelled_at = utcnow()
        return False
    workflow.fire_timer(timer.spiff_task_id)
    save_instance_progress(
        session, instance, workflow, runnable, calendar=calendar, actor_login=actor.login
    )
    session.flush()
    audit.record(
        session,
        actor,
        "timer.fire",
        timer,
        unit_id=instance.unit_id,
        instance_id=instance.id,
        node_id=timer.node_id,
    )
    return True


def _row_lock(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"

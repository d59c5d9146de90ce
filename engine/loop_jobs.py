"""The loop's periodic jobs in `etalon worker` (listed in `api.jobs.WORKER_JOBS`): detectors
on their schedules, the daily digest each working day, escalation of
overdue corrective assignments. Each claims its slot in `loop_runs` first (one worker runs it)
and commits on its own, so one broken standard does not block the others.

Every function takes `now` so tests move the clock instead of waiting for it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from engine.access import Actor
from engine.detectors.base import load_configs, standards_in_force
from engine.detectors.runner import DETECTORS, run_detector, settings_getter
from engine.detectors.schedule import claim_run, finish_run, slot_of
from engine.digest import issue_digests
from engine.escalation import escalate_overdue
from engine.indicators import local_day
from models import utcnow

logger = logging.getLogger(__name__)

DIGEST_SCHEDULE = "daily 06:00"


def run_scheduled_detectors(
    session_factory: Callable[[], Session], worker_name: str, now: dt.datetime | None = None
) -> int:
    """Run every (detector, standard) whose schedule slot has not run yet; return findings."""
    now = now or utcnow()
    actor = Actor.system(f"worker:{worker_name}"[:100])
    with session_factory() as session:
        configs = load_configs(session)
        standards = standards_in_force(session, local_day(now))
        session.expunge_all()
    found = 0
    for standard in standards:
        for name in DETECTORS:
            settings = settings_getter(configs, name, standard.standard_key)("")
            if not settings.enabled:
                continue
            with session_factory() as session:
                run_id = claim_run(
                    session,
                    name,
                    standard.standard_key,
                    slot_of(settings.schedule, now),
                    worker_name,
                )
                session.commit()
                if run_id is None:
                    continue
                try:
                    result = run_detector(session, actor, name, standard, now=now, configs=configs)
                    finish_run(session, run_id, result.findings)
                    session.commit()
                    found += result.findings
                except Exception:
                    session.rollback()
                    logger.exception("detector %s on %s failed", name, standard.standard_key)
    return found


def run_daily_digest(
    session_factory: Callable[[], Session], worker_name: str, now: dt.datetime | None = None
) -> int:
    """Issue the digest once per working day, after DIGEST_SCHEDULE."""
    now = now or utcnow()
    slot = slot_of(DIGEST_SCHEDULE, now)
    if slot != local_day(now).isoformat():
        return 0  # before 06:00: yesterday's slot has passed already
    with session_factory() as session:
        run_id = claim_run(session, "digest", "*", slot, worker_name)
        session.commit()
        if run_id is None:
            return 0
        issued = issue_digests(session, Actor.system(f"worker:{worker_name}"[:100]), now)
        finish_run(session, run_id, len(issued))
        session.commit()
        return len(issued)


def run_escalation(
    session_factory: Callable[[], Session], worker_name: str, now: dt.datetime | None = None
) -> int:
    """Escalate overdue corrective assignments (every pass; the UPDATE claims the rows)."""
    with session_factory() as session:
        issued = escalate_overdue(
            session, Actor.system(f"worker:{worker_name}"[:100]), now or utcnow()
        )
        session.commit()
        return issued

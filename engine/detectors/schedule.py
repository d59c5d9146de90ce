"""Schedules of the loop's jobs and their claims. A schedule is "daily HH:MM" (Moscow time) or
"every N minutes" / "every Nm" / "every Nh"; its *slot* for a moment is the latest start not
after it. A job runs once per (job, scope, slot): the first worker to insert the `loop_runs`
row runs it, the others see the row and skip — safe with any number of workers."""

from __future__ import annotations

import datetime as dt
import logging
import re

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.errors import Invalid
from engine.indicators import LOCAL_TZ
from engine.upsert import insert_ignore_returning
from models import LoopRun, utcnow

logger = logging.getLogger(__name__)

_DAILY = re.compile(r"^daily (\d{1,2}):(\d{2})$")
_EVERY = re.compile(r"^every (\d+) ?(m|min|minutes|h|hours)$")


def check_schedule(schedule: str) -> str:
    """The schedule itself when it is understood, else `Invalid`."""
    daily, every = _DAILY.match(schedule), _EVERY.match(schedule)
    if daily and int(daily[1]) < 24 and int(daily[2]) < 60:
        return schedule
    if every and int(every[1]) > 0:
        return schedule
    raise Invalid(
        f"Schedule {schedule!r} is not understood.",
        {"schedule": ['"daily HH:MM" or "every N minutes" / "every Nh"']},
    )


def slot_of(schedule: str, now: dt.datetime) -> str:
    """The slot of `now` under `schedule`: the date of the latest daily start, or the start
    of the current interval (UTC, ISO)."""
    check_schedule(schedule)
    daily = _DAILY.match(schedule)
    if daily:
        local = now.astimezone(LOCAL_TZ)
        start = local.replace(hour=int(daily[1]), minute=int(daily[2]), second=0, microsecond=0)
        day = local.date() if local >= start else local.date() - dt.timedelta(days=1)
        return day.isoformat()
    every = _EVERY.match(schedule)
    minutes = int(every[1]) * (60 if every[2].startswith("h") else 1)
    epoch = int(now.timestamp()) // (minutes * 60) * minutes * 60
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M")


def claim_run(session: Session, job: str, scope: str, slot: str, worker: str) -> int | None:
    """Claim (job, scope, slot); the id of the new run, or None when another worker has it.
    The caller commits at once so the claim is visible to the others."""
    rows = insert_ignore_returning(
        session,
        LoopRun.__table__,
        [
            {
                "job": job,
                "scope": scope,
                "slot": slot,
                "worker": worker[:100],
                "started_at": utcnow(),
                "found": 0,
            }
        ],
        ("job", "scope", "slot"),
        returning=("id",),
    )
    return rows[0][0] if rows else None


def finish_run(session: Session, run_id: int, found: int) -> None:
    session.execute(
        update(LoopRun).where(LoopRun.id == run_id).values(finished_at=utcnow(), found=found)
    )

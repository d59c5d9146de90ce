"""The daily digest: each working day every employee gets an informational task, like seed
000's example (ИСУ, задача #21712) —

    Информируем, что по данным из информационных систем на утро 12.04.2022
    - в работе у Вас находится 70 обращений
    - распределено, но не взято Вами в работу 23 обращения
    - за предыдущий рабочий день поступили ответы на СМЭВ со сроком ожидания более 4 дней
      по 11 обращениям

with the three tables of cases. Yesterday's digests are completed when today's are issued.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Actor
from engine.assignments import OPEN, Recipient, change_status, issue_assignments
from engine.calendar_store import working_calendar
from engine.detectors.base import plural
from engine.detectors.cases import DEFAULTS as CASE_DEFAULTS
from engine.detectors.cases import INTERAGENCY
from engine.indicators import LOCAL_TZ, local_day
from engine.notifications import notify_assignments
from engine.rollups import version_measures
from models import Assignment, AssignmentStatus, CheckpointEvent, CheckpointKind, Person

logger = logging.getLogger(__name__)

DIGEST = "digest"
LOOKBACK_DAYS = 60


@dataclass
class PersonDigest:
    """The three tables of one person's digest."""

    in_work: list[dict[str, Any]] = field(default_factory=list)
    not_taken: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)


def _terminal(session: Session, version_id: int | None, cache: dict) -> frozenset[str]:
    if version_id not in cache:
        measures = version_measures(session, version_id) if version_id else None
        model = measures.model if measures else None
        cache[version_id] = (
            frozenset(c for c in model.checkpoints if not any(a == c for a, _ in model.precedes))
            if model
            else frozenset()
        )
    return cache[version_id]


def collect(
    session: Session, now: dt.datetime, *, wait_days: int | None = None
) -> dict[str, PersonDigest]:
    """Login → digest, from the checkpoint events of the last LOOKBACK_DAYS up to `now`."""
    settings = CASE_DEFAULTS[INTERAGENCY]
    request, response = settings["request"], settings["response"]
    wait_days = settings["days"] if wait_days is None else wait_days
    calendar = working_calendar(session)
    previous = local_day(now) - dt.timedelta(days=1)
    while not calendar.is_working_day(previous):
        previous -= dt.timedelta(days=1)
    rows = session.execute(
        select(CheckpointEvent)
        .where(
            CheckpointEvent.occurred_at >= now - dt.timedelta(days=LOOKBACK_DAYS),
            CheckpointEvent.occurred_at <= now,
        )
        .order_by(CheckpointEvent.occurred_at, CheckpointEvent.id)
    ).scalars()
    cases: dict[tuple[str, str, str], list[CheckpointEvent]] = defaultdict(list)
    for event in rows:
        cases[(event.source, event.standard_key, event.case_id)].append(event)
    digests: dict[str, PersonDigest] = defaultdict(PersonDigest)
    terminal_cache: dict = {}
    for (_, standard_key, case_id), events in cases.items():
        last = events[-1]
        holder = next((e.actor_login for e in reversed(events) if e.actor_login), None)
        row = {
            "case_id": case_id,
            "standard": standard_key,
            "started": events[0].occurred_at.isoformat(),
            "last": last.occurred_at.isoformat(),
            "days": (now - events[0].occurred_at).days,
            "comment": f"{standard_key}: {last.checkpoint_id}",
        }
        if holder and last.checkpoint_id not in _terminal(session, last.version_id, terminal_cache):
            if last.kind == CheckpointKind.reached:
                digests[holder].not_taken.append(row)
            else:
                digests[holder].in_work.append(row)
        sent = next((e for e in events if e.checkpoint_id == request), None)
        answer = next((e for e in events if e.checkpoint_id == response), None)
        if sent and answer and sent.actor_login and local_day(answer.occurred_at) == previous:
            waited = (answer.occurred_at - sent.occurred_at).total_seconds() / 86400
            if waited > wait_days:
                digests[sent.actor_login].answers.append(
                    {
                        **row,
                        "started": sent.occurred_at.isoformat(),
                        "last": answer.occurred_at.isoformat(),
                        "days": round(waited, 1),
                    }
                )
    return dict(digests)


def digest_text(day: dt.date, digest: PersonDigest, wait_days: int) -> str:
    """The description of the informational task in seed 000's words."""
    n_work, n_new, n_answers = len(digest.in_work), len(digest.not_taken), len(digest.answers)
    return "\n".join(
        [
            f"Информируем, что по данным из информационных систем на утро {day:%d.%m.%Y}",
            f"- в работе у Вас находится {n_work} "
            f"{plural(n_work, 'обращение', 'обращения', 'обращений')}",
            f"- распределено, но не взято Вами в работу {n_new} "
            f"{plural(n_new, 'обращение', 'обращения', 'обращений')}",
            "- за предыдущий рабочий день поступили ответы на СМЭВ со сроком ожидания более "
            f"{wait_days} {plural(wait_days, 'дня', 'дней', 'дней')} по {n_answers} "
            f"{plural(n_answers, 'обращению', 'обращениям', 'обращениям')}",
            "",
            "Детальная информация указана ниже в деталях отклонений.",
        ]
    )


def issue_digests(session: Session, actor: Actor, now: dt.datetime) -> list[Assignment]:
    """Complete the open digests of earlier days and issue today's, one per active person
    with cases; nothing on a non-working day."""
    day = local_day(now)
    calendar = working_calendar(session)
    if not calendar.is_working_day(day):
        return []
    for old in session.scalars(
        select(Assignment).where(Assignment.kind == DIGEST, Assignment.status.in_(OPEN))
    ):
        if old.subject_id.split(":")[0] < day.isoformat():
            change_status(session, actor, old, AssignmentStatus.done, comment="завершена")
    wait_days = CASE_DEFAULTS[INTERAGENCY]["days"]
    digests = collect(session, now, wait_days=wait_days)
    people = {
        p.login: p
        for p in session.scalars(
            select(Person).where(Person.login.in_(list(digests)), Person.is_active.is_(True))
        )
    }
    end_of_day = dt.datetime.combine(day, dt.time(23, 59), LOCAL_TZ).astimezone(dt.UTC)
    issued: list[Assignment] = []
    for login, digest in sorted(digests.items()):
        person = people.get(login)
        if person is None:
            continue
        issued += issue_assignments(
            session,
            actor,
            kind=DIGEST,
            subject_type=DIGEST,
            subject_id=f"{day.isoformat()}:{person.id}",
            title=f"Информационная задача на {day:%d.%m.%Y}",
            recipients=[Recipient(person, person.unit)],
            due_at=end_of_day,
            payload={
                "day": day.isoformat(),
                "calculated": (day - dt.timedelta(days=1)).isoformat(),
                "text": digest_text(day, digest, wait_days),
                "counts": {
                    "in_work": len(digest.in_work),
                    "not_taken": len(digest.not_taken),
                    "answers": len(digest.answers),
                },
                "in_work": digest.in_work[:200],
                "not_taken": digest.not_taken[:200],
                "answers": digest.answers[:200],
            },
            comment="ежедневная информационная задача",
            issuer_roles=None,
        )
    notify_assignments(session, "digest.issued", issued, day=day.isoformat())
    logger.info("digest %s: %d informational task(s)", day, len(issued))
    return issued

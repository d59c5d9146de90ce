"""Detectors over open cases (their traces), one finding per office, like seed 000's
algorithms: cases past a stage deadline, cases assigned but not taken into work, cases
waiting on an inter-agency (СМЭВ) answer longer than N days."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.calendar_store import working_calendar
from engine.detectors.base import Detection, Finding, InForce, Settings, plural
from engine.durations import Duration
from engine.indicators import LOCAL_TZ
from engine.rollups import version_measures
from models import CaseTrace, CheckpointEvent, CheckpointKind, Unit

STAGE = "stage_deadline"
NOT_TAKEN = "not_taken"
INTERAGENCY = "interagency_wait"
DEFAULTS = {
    STAGE: {"min_cases": 1, "lookback_days": 90},
    NOT_TAKEN: {"working_days": 1, "min_cases": 1, "lookback_days": 30},
    INTERAGENCY: {
        "days": 4,
        "min_cases": 1,
        "lookback_days": 60,
        "request": "CP_REQUEST_SENT",
        "response": "CP_RESPONSE_RECEIVED",
    },
}
MAX_CASES = 100
_GENERIC_ACTIONS = {
    STAGE: "Проверить обращения с превышением срока этапа и перераспределить их между "
    "специалистами с учётом загрузки",
    NOT_TAKEN: "Проконтролировать взятие в работу распределённых обращений, при отсутствии "
    "специалиста перераспределить их",
    INTERAGENCY: "Направить ведомству-поставщику обращение о нарушении срока ответа на запрос СМЭВ",
}


def _traces(session: Session, standard: InForce, now: dt.datetime, days: int) -> list[CaseTrace]:
    return list(
        session.scalars(
            select(CaseTrace).where(
                CaseTrace.standard_key == standard.standard_key,
                CaseTrace.last_at >= now - dt.timedelta(days=days),
                CaseTrace.office_id.is_not(None),
            )
        )
    )


def _events(trace: CaseTrace) -> list[tuple[str, dt.datetime, str]]:
    return [(cp, dt.datetime.fromisoformat(at), kind) for cp, at, kind in trace.events]


def _due(calendar: WorkingCalendar, start: dt.datetime, duration: Duration, kind: str):
    return calendar.due(start.astimezone(LOCAL_TZ), duration, kind)


def related_actions(standard: InForce, checkpoints: Iterable[str], generic: str) -> list[str]:
    """The actions of the indicators measured on `checkpoints`; the detector's own when the
    standard prescribes none."""
    wanted = set(checkpoints)
    actions: list[str] = []
    for raw in standard.summary.get("indicators") or ():
        if wanted & {raw.get("from"), raw.get("to"), raw.get("checkpoint")}:
            actions += [a for a in raw.get("actions") or () if a not in actions]
    return actions or [generic]


def detect_stage_deadlines(
    session: Session, standard: InForce, now: dt.datetime, settings_for: Callable[[str], Settings]
) -> Detection:
    """Open cases that reached a deadline's `from` checkpoint and are past its due time without
    reaching `to` (nor moving on past it), per office."""
    settings = settings_for("")
    measures = version_measures(session, standard.version_id)
    if not settings.enabled or measures is None or not measures.model.deadlines:
        return Detection(())
    model = measures.model
    calendar = working_calendar(session)
    terminal = {c for c in model.checkpoints if not any(a == c for a, _ in model.precedes)}
    names = {
        d.get("id"): d.get("name") or d.get("id") for d in standard.summary.get("deadlines") or ()
    }
    by_office: dict[int, list[dict]] = defaultdict(list)
    for trace in _traces(session, standard, now, int(settings.get("lookback_days"))):
        events = _events(trace)
        seen = {cp for cp, _, _ in events}
        if seen & terminal:
            continue
        for deadline in model.deadlines:
            start = next((at for cp, at, _ in events if cp == deadline.from_checkpoint), None)
            if start is None or deadline.to_checkpoint in seen:
                continue
            later = {cp for cp, at, _ in events if at > start and cp != deadline.from_checkpoint}
            if any((cp, deadline.to_checkpoint) not in model.precedes for cp in later):
                continue  # the case went another way: this stage does not apply to it
            due = _due(calendar, start, deadline.duration, deadline.calendar)
            if due < now:
                by_office[trace.office_id].append(
                    {
                        "case_id": trace.case_id,
                        "stage": names.get(deadline.id, deadline.id),
                        "started": start.isoformat(),
                        "due": due.isoformat(),
                    }
                )
    checkpoints = [c for d in model.deadlines for c in (d.from_checkpoint, d.to_checkpoint)]
    return _per_office(
        session,
        standard,
        STAGE,
        by_office,
        settings,
        lambda n: (
            f"по {n} {plural(n, 'обращению', 'обращениям', 'обращениям')} превышен срок этапа"
        ),
        related_actions(standard, checkpoints, _GENERIC_ACTIONS[STAGE]),
    )


def detect_not_taken(
    session: Session, standard: InForce, now: dt.datetime, settings_for: Callable[[str], Settings]
) -> Detection:
    """Cases whose last event is a checkpoint `reached` (assigned to someone) and not completed
    within `working_days` working days, per office, with the employee they wait for."""
    settings = settings_for("")
    if not settings.enabled:
        return Detection(())
    calendar = working_calendar(session)
    limit = int(settings.get("working_days"))
    waiting: list[tuple[CaseTrace, str, dt.datetime]] = []
    for trace in _traces(session, standard, now, int(settings.get("lookback_days"))):
        events = _events(trace)
        if not events:
            continue
        checkpoint, at, kind = events[-1]
        if kind == CheckpointKind.reached and calendar.add_working_days(at, limit) < now:
            waiting.append((trace, checkpoint, at))
    actors = _actors(session, [(t.case_id, cp, at) for t, cp, at in waiting])
    by_office: dict[int, list[dict]] = defaultdict(list)
    for trace, checkpoint, at in waiting:
        by_office[trace.office_id].append(
            {
                "case_id": trace.case_id,
                "checkpoint": standard.checkpoint_name(checkpoint),
                "assigned": at.isoformat(),
                "employee": actors.get((trace.case_id, checkpoint)),
            }
        )
    return _per_office(
        session,
        standard,
        NOT_TAKEN,
        by_office,
        settings,
        lambda n: (
            f"распределено, но не взято в работу более {limit} раб. дн. — {n} "
            f"{plural(n, 'обращение', 'обращения', 'обращений')}"
        ),
        [_GENERIC_ACTIONS[NOT_TAKEN]],
    )


def _actors(session: Session, keys: list[tuple[str, str, dt.datetime]]) -> dict:
    found: dict[tuple[str, str], str | None] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.execute(
            select(
                CheckpointEvent.case_id, CheckpointEvent.checkpoint_id, CheckpointEvent.actor_login
            )
            .where(
                CheckpointEvent.case_id.in_([k[0] for k in chunk]),
                CheckpointEvent.kind == CheckpointKind.reached,
            )
            .order_by(CheckpointEvent.occurred_at)
        )
        for case_id, checkpoint, login in rows:
            found[(case_id, checkpoint)] = login
    return found


def detect_interagency_wait(
    session: Session, standard: InForce, now: dt.datetime, settings_for: Callable[[str], Settings]
) -> Detection:
    """Cases that sent an inter-agency request and have had no answer for more than `days`
    calendar days, per office (standards without the request checkpoint are skipped)."""
    settings = settings_for("")
    request, response = settings.get("request"), settings.get("response")
    declared = {c.get("id") for c in standard.summary.get("checkpoints") or ()}
    if not settings.enabled or request not in declared:
        return Detection(())
    days = int(settings.get("days"))
    by_office: dict[int, list[dict]] = defaultdict(list)
    for trace in _traces(session, standard, now, int(settings.get("lookback_days"))):
        events = _events(trace)
        sent = next((at for cp, at, _ in events if cp == request), None)
        if sent is None or any(cp == response for cp, _, _ in events):
            continue
        waited = (now - sent).total_seconds() / 86400
        if waited > days:
            by_office[trace.office_id].append(
                {"case_id": trace.case_id, "sent": sent.isoformat(), "days": round(waited, 1)}
            )
    return _per_office(
        session,
        standard,
        INTERAGENCY,
        by_office,
        settings,
        lambda n: (
            f"ожидают ответа на запрос СМЭВ более {days} "
            f"{plural(days, 'дня', 'дней', 'дней')} — {n} "
            f"{plural(n, 'обращение', 'обращения', 'обращений')}"
        ),
        related_actions(standard, [request, response], _GENERIC_ACTIONS[INTERAGENCY]),
    )


def _per_office(session, standard, detector, by_office, settings, phrase, actions) -> Detection:
    units = {}
    if by_office:
        units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(list(by_office))))}
    findings = []
    for office_id, cases in sorted(by_office.items()):
        if len(cases) < int(settings.get("min_cases")):
            continue
        unit = units[office_id]
        n = len(cases)
        findings.append(
            Finding(
                key=f"{detector}:{standard.standard_key}:{office_id}",
                detector=detector,
                standard_key=standard.standard_key,
                unit_id=office_id,
                title=f"«{standard.title}», «{unit.name}»: {phrase(n)}"[:500],
                description=(
                    f"Информируем, что по данным из информационных систем в подразделении "
                    f"«{unit.name}» по стандарту «{standard.title}» {phrase(n)}. "
                    "Детальная информация указана в деталях отклонения."
                ),
                figures={"value": n, "cases_counted": n, "thresholds": dict(settings.thresholds)},
                cases=cases[:MAX_CASES],
                actions=actions,
                value=float(n),
            )
        )
    return Detection(tuple(findings))

"""Realistic, deterministic checkpoint event streams for the sample library over the sample org.

For every published standard with checkpoints (except the internal approval route) and every
office, cases start on working days at a seasonal rate — more in January and after holidays,
fewer in summer, a Monday peak — during working hours. Each case walks the standard's flow
(gateways chosen at random, return loops now and then), emitting an event at each checkpoint
after a stage delay drawn around a share of the step's norm. A few offices deviate: slower
stages, more returns. Events go through the ingest path (``engine.ingest.ingest_events``) and
are folded at the end (``engine.fold``), so traces, conformance, rollups and the quality index
are updated exactly as for a regional system and are there when the simulation returns. The
same seed gives the same events (and re-running is idempotent).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.extract import extract
from bpmn.loading import load_document
from bpmn.model import Definitions, Process
from engine.access import Actor
from engine.calendar import WorkingCalendar
from engine.calendar_store import working_calendar
from engine.conformance import flow_successors
from engine.fold import fold_queued
from engine.indicators import LOCAL_TZ, definitions_of
from engine.ingest import ingest_events
from models import Standard, StandardVersion, Unit, UnitLevel, VersionStatus

logger = logging.getLogger(__name__)

SOURCE = "simulation"
SEASON = {1: 1.35, 2: 1.2, 3: 1.1, 4: 1.0, 5: 0.9, 6: 0.8,
          7: 0.7, 8: 0.75, 9: 1.05, 10: 1.0, 11: 1.0, 12: 0.9}  # fmt: skip
# Cases started per office per working day at scale 1.
DAILY_CASES = {
    "employment.job-seeker-registration": 10.0,
    "employment.unemployment-benefit": 2.0,
    "employment.office-model": 30.0,
    "social.support-measure": 2.0,
    "social.interagency-request": 2.0,
    "appeals.citizen-appeal": 0.5,
    "contact-center.call-handling": 45.0,  # contact centres only
}
CONTACT_CENTRE_STANDARDS = {"contact-center.call-handling"}
# Offices that deviate: stage durations × slowness, flag (return, loss, …) odds × returns.
DEVIANTS = {
    "R48-GRZ": {"slowness": 1.9, "returns": 1.5},
    "R71-NMS": {"slowness": 1.1, "returns": 6.0},
    "R54-BRD": {"slowness": 1.5, "returns": 3.0},
}
BATCH = 5000


@dataclass(frozen=True)
class SimulationPlan:
    start: dt.date = dt.date(2026, 1, 1)
    months: int = 3
    seed: int = 1
    scale: float = 1.0

    @property
    def end(self) -> dt.date:
        """The first day after the simulated range."""
        total = self.start.month - 1 + self.months
        return self.start.replace(year=self.start.year + total // 12, month=total % 12 + 1, day=1)


@dataclass(frozen=True)
class SimulationReport:
    events: int
    accepted: int
    duplicates: int
    rejected: int
    cases: int
    seconds: float
    folded: int = 0


@dataclass(frozen=True)
class _Standard:
    key: str
    process: Process
    succ: dict[str, set[str]]
    starts: tuple[str, ...]
    checkpoint_of: dict[str, tuple[str, tuple[str, ...]]]  # node → (checkpoint, attributes)
    norms: dict[str, tuple[float, bool]]  # checkpoint → (seconds of norm, working time?)
    flags: dict[str, float]  # flag attribute → base probability
    per_employee: float  # target of a count-per-employee indicator: sizes the staff
    fields: dict[str, Any]  # attribute → field definition


def _standard(key: str, version: StandardVersion) -> _Standard | None:
    definitions: Definitions = extract(load_document(version.bpmn, source=key))
    processes = definitions.processes
    with_checkpoints = (p for p in processes if any(n.checkpoints for n in p.flow_nodes))
    process = next(with_checkpoints, None)
    if process is None:
        return None
    succ = flow_successors(process)
    starts = tuple(n.id for n in process.flow_nodes if n.type == "startEvent" and not n.parent_id)
    checkpoint_of, norms, fields = {}, {}, {}
    for node in process.flow_nodes:
        for field in node.fields:
            if field.name:
                fields[field.name] = field
        for cp in node.checkpoints:
            checkpoint_of[node.id] = (cp.id, cp.attributes)
            deadline = node.deadline
            if deadline is not None and deadline.duration is not None:
                d = deadline.duration
                working = deadline.calendar != "calendar"
                day = 8 * 3600 if working else 86400  # a working day has 8 working hours
                norms[cp.id] = (d.days * day + d.hours * 3600 + d.minutes * 60 + d.seconds, working)
    flags, per_employee = {}, 6.0
    for indicator in definitions_of(version.summary or {}):
        if indicator.kind == "count_per_employee" and indicator.target:
            per_employee = indicator.target
        if indicator.kind == "share_with_flag" and indicator.flag:
            bound = indicator.green if indicator.green is not None else 2.0
            flags[indicator.flag] = max(bound, 0.5) * 0.7 / 100
    return _Standard(key, process, succ, starts, checkpoint_of, norms, flags, per_employee, fields)


def _walk(std: _Standard, rng: random.Random, loop_odds: float) -> list[tuple[str, tuple]]:
    """Checkpoints a case passes: a random walk from a start event along the flow."""
    node = rng.choice(std.starts) if std.starts else None
    visited: set[str] = set()
    passed: list[tuple[str, tuple]] = []
    boundary = {n.id for n in std.process.flow_nodes if n.attached_to}
    for _ in range(80):
        if node is None:
            break
        if node in std.checkpoint_of:
            passed.append(std.checkpoint_of[node])
        visited.add(node)
        options = sorted(std.succ.get(node, ()) - boundary)
        if not options:
            break
        fresh = [o for o in options if o not in visited]
        back = [o for o in options if o in visited]
        if back and (not fresh or rng.random() < loop_odds):
            node = rng.choice(back)
        else:
            node = rng.choice(fresh)
    return passed


def _value(field: Any, rng: random.Random) -> Any:
    kind = getattr(field, "type", None)
    if kind == "boolean":
        return rng.random() < 0.1
    if kind == "enum" and field.values:
        return rng.choice(field.values)
    if kind == "integer":
        return rng.randint(0, 3)
    if kind == "number":
        return round(rng.uniform(1_000, 50_000), 2)
    if kind == "date":
        return "2026-12-01"
    return "—"


class _Clock:
    """Moves a case's time forward by a stage delay, on working or plain time."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar

    def advance(self, moment: dt.datetime, seconds: float, working: bool) -> dt.datetime:
        if not working:
            return moment + dt.timedelta(seconds=seconds)
        return self.calendar.add_working_hours(moment, dt.timedelta(seconds=seconds))


def _working_days(
    calendar: WorkingCalendar, plan: SimulationPlan
) -> Iterator[tuple[dt.date, float]]:
    day = plan.start
    while day < plan.end:
        if calendar.is_working_day(day):
            factor = SEASON[day.month]
            if calendar.day_kind(day - dt.timedelta(days=1)) == "holiday":
                factor *= 1.4  # the backlog of a holiday
            factor *= {0: 1.15, 4: 0.9}.get(day.weekday(), 1.0)
            yield day, factor
        day += dt.timedelta(days=1)


def _cases_of_day(
    std: _Standard,
    office: Unit,
    day: dt.date,
    factor: float,
    plan: SimulationPlan,
    clock: _Clock,
    horizon: dt.datetime,
) -> list[dict[str, Any]]:
    rng = random.Random(f"{plan.seed}:{std.key}:{office.code}:{day.isoformat()}")
    deviant = DEVIANTS.get(office.code, {})
    slowness, returns = deviant.get("slowness", 1.0), deviant.get("returns", 1.0)
    mean = DAILY_CASES[std.key] * plan.scale * factor
    count = max(0, round(rng.gauss(mean, math.sqrt(mean))))
    # An office staffs a service for about its norm of cases per employee and day.
    staff = max(1, round(mean / std.per_employee * rng.uniform(0.9, 1.2)))
    events = []
    for number in range(count):
        case_id = f"{office.code}-{day:%Y%m%d}-{number:04d}"
        minute = int(rng.triangular(0, 8 * 60, 90))
        moment = dt.datetime.combine(day, dt.time(9), LOCAL_TZ) + dt.timedelta(minutes=minute)
        flagged = False
        for index, (checkpoint, attributes) in enumerate(_walk(std, rng, 0.08 * returns)):
            if index:
                norm, working = std.norms.get(checkpoint, (1200.0, False))
                # Stages take about a third of their norm, with a long tail.
                delay = norm * rng.lognormvariate(math.log(0.3), 0.5) * slowness
                moment = clock.advance(moment, delay, working)
            if moment >= horizon:
                break  # the case is still running at the end of the simulated range
            values = {}
            for name in attributes:
                if name in std.flags:
                    values[name] = not flagged and rng.random() < std.flags[name] * returns
                    flagged = flagged or values[name]
                else:
                    values[name] = _value(std.fields.get(name), rng)
            events.append(
                {
                    "event_id": f"sim{plan.seed}:{std.key}:{case_id}:{index}",
                    "case_id": case_id,
                    "standard": std.key,
                    "checkpoint_id": checkpoint,
                    "occurred_at": moment.isoformat(),
                    "office": office.code,
                    "actor": f"sim.{office.code.lower()}.{rng.randint(1, staff)}",
                    "attributes": values,
                }
            )
    return events


def simulated_events(
    session: Session, plan: SimulationPlan, *, now: dt.datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The plan's events in day order, generated lazily."""
    calendar = working_calendar(session)
    clock = _Clock(calendar)
    horizon = min(
        dt.datetime.combine(plan.end, dt.time(0), LOCAL_TZ), now or dt.datetime.now(dt.UTC)
    )
    standards = []
    for key in DAILY_CASES:
        version = session.scalars(
            select(StandardVersion)
            .join(Standard, Standard.id == StandardVersion.standard_id)
            .where(Standard.key == key, StandardVersion.status == VersionStatus.published)
            .order_by(StandardVersion.number)
        ).first()
        std = _standard(key, version) if version is not None else None
        if std is not None:
            standards.append(std)
    offices = list(
        session.scalars(select(Unit).where(Unit.level == UnitLevel.office).order_by(Unit.code))
    )
    for day, factor in _working_days(calendar, plan):
        for office in offices:
            contact_centre = office.code.endswith("-KC")
            for std in standards:
                if (std.key in CONTACT_CENTRE_STANDARDS) != contact_centre:
                    continue
                yield from _cases_of_day(std, office, day, factor, plan, clock, horizon)


def simulate(
    session: Session,
    plan: SimulationPlan,
    *,
    progress: Callable[[int], None] | None = None,
    now: dt.datetime | None = None,
) -> SimulationReport:
    """Generate the plan's events, ingest them in batches and fold the backlog (the caller
    commits)."""
    started = time.perf_counter()
    actor = Actor.system(SOURCE)
    totals = {"events": 0, "accepted": 0, "duplicates": 0, "rejected": 0}
    cases: set[str] = set()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        report = ingest_events(session, actor, batch, source=SOURCE)
        totals["events"] += report.received
        totals["accepted"] += report.accepted
        totals["duplicates"] += len(report.duplicates)
        totals["rejected"] += len(report.rejected)
        if report.rejected:
            logger.warning("simulation: rejected %s", report.rejected[:3])
        batch.clear()
        if progress:
            progress(totals["events"])

    for event in simulated_events(session, plan, now=now):
        batch.append(event)
        cases.add(event["case_id"] + event["standard"])
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    folded = fold_queued(session)  # the backlog, so figures are there when the command ends
    seconds = time.perf_counter() - started
    logger.info("simulation: %s in %.1f s", totals, seconds)
    return SimulationReport(cases=len(cases), seconds=round(seconds, 2), folded=folded, **totals)

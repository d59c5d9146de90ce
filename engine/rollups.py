"""Incremental measurement: every stored checkpoint event (pushed or the engine's own) updates
its case's trace and conformance, the indicator observations it completes and the additive
rollups of the office, its region and the federation for the day, week and month — in the
same transaction, per batch, so a query never reads raw events.

Pairs are found through the case trace (first/last times per checkpoint), not by scanning
events; each contribution has a key stored on the trace so it is counted exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bpmn.extract import extract
from bpmn.loading import load_document
from engine.calendar import WorkingCalendar
from engine.calendar_store import working_calendar
from engine.conformance import ConformanceModel, build_conformance_model, check_case
from engine.durations import Duration, parse_duration
from engine.indicators import (
    GRANULARITIES,
    LOCAL_TZ,
    STAGE_PREFIX,
    IndicatorDefinition,
    definitions_of,
    local_day,
    period_start,
    plain_duration,
)
from engine.quality_index import refresh_quality_index
from engine.upsert import insert_ignore_returning, insert_rows, update_by_id, upsert_rollups
from models import (
    CaseTrace,
    EmployeeDay,
    IndicatorObservation,
    StandardVersion,
    Unit,
    UnitLevel,
)
from models.base import utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventRecord:
    """A stored checkpoint event as measurement needs it."""

    source: str
    case_id: str
    standard_key: str
    version_id: int | None
    checkpoint_id: str
    occurred_at: dt.datetime
    office_id: int | None
    actor_login: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "completed"  # per-event indicators and stages count completions only

    @classmethod
    def of(cls, row: Any) -> EventRecord:
        """From a `CheckpointEvent` (or a row of its columns)."""
        kind = row.kind
        return cls(
            source=row.source,
            case_id=row.case_id,
            standard_key=row.standard_key,
            version_id=row.version_id,
            checkpoint_id=row.checkpoint_id,
            occurred_at=row.occurred_at,
            office_id=row.office_id,
            actor_login=row.actor_login,
            attributes=row.attributes or {},
            kind=str(getattr(kind, "value", kind)),
        )


@dataclass(frozen=True)
class VersionMeasures:
    """What measurement needs of a version, built once per version and cached."""

    version_id: int
    indicators: tuple[IndicatorDefinition, ...]
    step_deadlines: Mapping[str, tuple[Duration, str]]
    model: ConformanceModel


_MEASURES: dict[tuple[int, str], VersionMeasures] = {}


def version_measures(session: Session, version_id: int) -> VersionMeasures | None:
    """Indicators, per-checkpoint deadlines and the conformance model of a version."""
    version = session.get(StandardVersion, version_id)
    if version is None:
        return None
    key = (version.id, version.sha256)
    if key not in _MEASURES:
        summary = version.summary or {}
        steps = {}
        for checkpoint in summary.get("checkpoints") or ():
            deadline = checkpoint.get("deadline") or {}
            if deadline.get("iso") and deadline.get("valid", True):
                steps[checkpoint["id"]] = (
                    parse_duration(deadline["iso"]),
                    deadline.get("calendar") or "working",
                )
        definitions = extract(load_document(version.bpmn, source=f"version {version.id}"))
        main = (summary.get("processes") or [{}])[0].get("id")
        _MEASURES[key] = VersionMeasures(
            version.id,
            definitions_of(summary),
            steps,
            build_conformance_model(definitions, version.standard.process_id or main),
        )
    return _MEASURES[key]


def measures_for(session: Session, version_ids: Iterable[int]) -> dict[int, VersionMeasures]:
    """Measures of several versions with one query (cached by id and content hash)."""
    ids = sorted(set(version_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(StandardVersion.id, StandardVersion.sha256).where(StandardVersion.id.in_(ids))
    ).all()
    result = {}
    for version_id, digest in rows:
        cached = _MEASURES.get((version_id, digest))
        measures = cached or version_measures(session, version_id)
        if measures is not None:
            result[version_id] = measures
    return result


@dataclass
class _Batch:
    """Deltas of one batch, written at its end with one statement per table."""

    rollups: dict[tuple, list[float]] = field(default_factory=dict)
    observations: list[dict[str, Any]] = field(default_factory=list)
    employee_days: dict[tuple, tuple] = field(default_factory=dict)


def _lineage(session: Session) -> dict[int, list[tuple[int, str, str]]]:
    """office id → [(unit id, level, path)] for the office, its region and the federation."""
    rows = session.execute(
        select(Unit.id, Unit.level, Unit.path, Unit.parent_id).where(
            Unit.level.in_(
                (UnitLevel.federation, UnitLevel.region, UnitLevel.office, UnitLevel.department)
            )
        )
    ).all()
    by_id = {r.id: r for r in rows}
    lineage: dict[int, list[tuple[int, str, str]]] = {}
    for row in rows:
        if row.level != UnitLevel.office:
            continue
        chain = [(row.id, "office", row.path)]
        for ancestor_id in reversed([int(p) for p in row.path.strip("/").split("/")[:-1]]):
            ancestor = by_id.get(ancestor_id)
            if ancestor is not None:
                chain.append((ancestor.id, str(ancestor.level), ancestor.path))
        lineage[row.id] = chain
    for row in rows:  # the engine runs cases in departments too: they count for their office
        if row.level == UnitLevel.department and row.parent_id in lineage:
            lineage[row.id] = lineage[row.parent_id]
    return lineage


def apply_events(
    session: Session, events: Sequence[EventRecord], *, refresh_index: bool = True
) -> int:
    """Fold newly stored events into traces, conformance, observations and rollups.

    Call once per batch with events that were actually stored (not duplicates). Returns the
    number of cases touched.
    """
    events = [e for e in events if e.office_id is not None]
    if not events:
        return 0
    calendar = working_calendar(session)
    lineage = _lineage(session)
    traces = _load_traces(session, events)
    measures_of = measures_for(session, {t.version_id for t in traces.values() if t.version_id})
    batch = _Batch()
    by_case: dict[tuple[str, str, str], list[EventRecord]] = defaultdict(list)
    for event in events:
        by_case[(event.source, event.standard_key, event.case_id)].append(event)
    for key, case_events in by_case.items():
        trace = traces[key]
        measures = measures_of.get(trace.version_id)
        if trace.office_id in lineage:  # store the office, not a department
            trace.office_id = lineage[trace.office_id][0][0]
        chain = lineage.get(trace.office_id or case_events[0].office_id) or []
        trace.office_path = chain[0][2] if chain else ""
        ordered = sorted(case_events, key=lambda e: e.occurred_at)
        _fold_case(trace, ordered, measures, calendar, batch)
    update_by_id(session, CaseTrace.__table__, [t.changes() for t in traces.values()])
    _add_rollups(session, batch, lineage)
    insert_rows(session, IndicatorObservation.__table__, batch.observations)
    touched = upsert_rollups(session, batch.rollups)
    if refresh_index:
        refresh_quality_index(session, {(k[0], k[2], k[4], k[5]) for k in touched})
    return len(by_case)


@dataclass
class _Trace:
    """A case trace row as plain data while a batch is folded into it."""

    id: int
    source: str
    standard_key: str
    case_id: str
    version_id: int | None
    office_id: int | None
    office_path: str
    events: list[list[Any]]
    counted: list[str]
    fitness: float | None = None
    skipped: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)
    started_at: dt.datetime | None = None
    last_at: dt.datetime | None = None

    def changes(self) -> dict[str, Any]:
        names = ("office_id", "office_path", "events", "counted", "fitness", "skipped",
                 "out_of_order", "breaches", "started_at", "last_at")  # fmt: skip
        return {"id": self.id, **{n: getattr(self, n) for n in names}, "updated_at": utcnow()}


_TRACE_COLUMNS = ("id", "source", "standard_key", "case_id", "version_id", "office_id",
                  "office_path", "events", "counted")  # fmt: skip


def _load_traces(
    session: Session, events: Sequence[EventRecord]
) -> dict[tuple[str, str, str], _Trace]:
    keys = {(e.source, e.standard_key, e.case_id) for e in events}
    first = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        first.setdefault((event.source, event.standard_key, event.case_id), event)
    # Create missing traces without racing a concurrent batch, then lock them all.
    insert_ignore_returning(
        session,
        CaseTrace.__table__,
        [
            {
                "source": k[0],
                "standard_key": k[1],
                "case_id": k[2],
                "version_id": first[k].version_id,
                "office_id": first[k].office_id,
                "office_path": "",
                "events": [],
                "counted": [],
                "skipped": [],
                "out_of_order": [],
                "breaches": [],
                "updated_at": utcnow(),
            }
            for k in sorted(keys)
        ],
        ("source", "standard_key", "case_id"),
    )
    table = CaseTrace.__table__
    found: dict[tuple[str, str, str], _Trace] = {}
    key_list = sorted(keys)
    for start in range(0, len(key_list), 1000):
        chunk = key_list[start : start + 1000]
        query = (
            select(*(table.c[name] for name in _TRACE_COLUMNS))
            .where(tuple_(table.c.source, table.c.standard_key, table.c.case_id).in_(chunk))
            .order_by(table.c.id)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        for row in session.execute(query):
            trace = _Trace(*row)
            found[(trace.source, trace.standard_key, trace.case_id)] = trace
    return found


def _fold_case(
    trace: _Trace,
    new: Sequence[EventRecord],
    measures: VersionMeasures | None,
    calendar: WorkingCalendar,
    batch: _Batch,
) -> None:
    before = [(cp, dt.datetime.fromisoformat(at), kind) for cp, at, kind in trace.events]
    counted = set(trace.counted)
    office_id = trace.office_id or new[0].office_id
    trace.office_id = office_id
    everything = before + [(e.checkpoint_id, e.occurred_at, e.kind) for e in new]
    everything.sort(key=lambda x: x[1])
    merged = [(cp, at) for cp, at, _ in everything]
    completed = [at for _, at, kind in everything if kind == "completed"]
    first: dict[str, dt.datetime] = {}
    for cp, at in merged:
        first.setdefault(cp, at)

    def observe(indicator: str, day: dt.date, event: EventRecord | None = None, **values) -> None:
        batch.observations.append(
            {
                "standard_key": trace.standard_key,
                "indicator_id": indicator,
                "case_trace_id": trace.id,
                "case_id": trace.case_id,
                "office_id": office_id,
                "office_path": "",
                "day": day,
                "value": values.get("value"),
                "within": values.get("within"),
                "flagged": values.get("flagged"),
                "actor_login": event.actor_login if event else None,
            }
        )

    if measures is not None:
        for definition in measures.indicators:
            _contribute(definition, trace, new, first, counted, calendar, observe, batch)
        _stages(measures, trace, new, completed, calendar, batch)
        result = check_case(measures.model, merged, lambda s, d, c: _due(calendar, s, d, c))
        trace.fitness = result.fitness
        trace.skipped = list(result.skipped)
        trace.out_of_order = list(result.out_of_order)
        trace.breaches = list(result.breaches)
    trace.events = [[cp, at.isoformat(), kind] for cp, at, kind in everything]
    trace.counted = sorted(counted)
    trace.started_at, trace.last_at = merged[0][1], merged[-1][1]


def _due(calendar: WorkingCalendar, start: dt.datetime, duration: Duration, kind: str):
    local = start.astimezone(LOCAL_TZ)
    return calendar.due(local, duration, kind)


def _contribute(definition, trace, new, first, counted, calendar, observe, batch) -> None:
    kind, key = definition.kind, definition.id
    if kind in ("duration", "share_within_deadline"):
        start, end = first.get(definition.from_checkpoint), first.get(definition.to_checkpoint)
        if key in counted or start is None or end is None or end < start:
            return
        counted.add(key)
        day = local_day(end)
        if kind == "duration":
            value = _duration_value(calendar, start, end, definition.unit)
            _delta(batch, trace, key, day, count=1, total=value, total_sq=value * value)
            observe(key, day, value=value)
        else:
            deadline = definition.deadline
            within = deadline is None or end <= _due(calendar, start, deadline, definition.calendar)
            _delta(batch, trace, key, day, count=1, within=int(within))
            observe(key, day, within=within)
        return
    for event in new:
        if event.checkpoint_id != definition.checkpoint or event.kind != "completed":
            continue
        day = local_day(event.occurred_at)
        if kind == "share_with_flag":
            if key in counted:
                continue
            counted.add(key)
            flagged = bool(event.attributes.get(definition.flag or ""))
            _delta(batch, trace, key, day, count=1, flagged=int(flagged))
            observe(key, day, event, flagged=flagged)
        elif kind == "count_per_employee":
            actor = event.actor_login or f"{event.source}:unknown"
            _delta(batch, trace, key, day, count=1)
            batch.employee_days.setdefault(
                (trace.standard_key, key, actor, day), (trace.office_id, trace.standard_key)
            )
            observe(key, day, event, value=1.0)
        elif kind == "satisfaction":
            raw = event.attributes.get(definition.attribute or "")
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                continue
            value = float(raw)
            _delta(batch, trace, key, day, count=1, total=value, total_sq=value * value)
            observe(key, day, event, value=value)


def _duration_value(calendar, start: dt.datetime, end: dt.datetime, unit: str | None) -> float:
    if unit == "working_days":
        return float(
            calendar.working_days_between(start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ))
        )
    return round(plain_duration((end - start).total_seconds(), unit), 6)


def _stages(measures, trace, new, completed_times, calendar, batch) -> None:
    """Stage of a checkpoint = time since the previous event of the case; breached when the
    checkpoint node's own deadline is exceeded. Feeds the heatmap."""
    completions = sorted(completed_times)
    for event in new:
        if event.kind != "completed":
            continue
        previous = None
        for at in completions:
            if at >= event.occurred_at:
                break
            previous = at
        if previous is None:
            continue
        seconds = (event.occurred_at - previous).total_seconds()
        deadline = measures.step_deadlines.get(event.checkpoint_id)
        breached = deadline is not None and event.occurred_at > _due(
            calendar, previous, deadline[0], deadline[1]
        )
        _delta(
            batch,
            trace,
            STAGE_PREFIX + event.checkpoint_id,
            local_day(event.occurred_at),
            count=1,
            total=seconds,
            total_sq=seconds * seconds,
            flagged=int(breached),
        )


_FIELDS = ("count", "total", "total_sq", "within", "flagged", "employee_days")


def _delta(batch: _Batch, trace: _Trace, indicator: str, day: dt.date, **values) -> None:
    key = (trace.standard_key, indicator, trace.office_id, day)
    sums = batch.rollups.setdefault(key, [0, 0.0, 0.0, 0, 0, 0])
    for i, name in enumerate(_FIELDS):
        sums[i] += values.get(name, 0)


def _add_rollups(session: Session, batch: _Batch, lineage) -> None:
    """Turn per-(office, day) deltas into rows for every level and granularity."""
    new_days = insert_ignore_returning(
        session,
        EmployeeDay.__table__,
        [
            {
                "standard_key": k[0],
                "indicator_id": k[1],
                "actor_login": k[2],
                "day": k[3],
                "office_id": v[0],
            }
            for k, v in sorted(batch.employee_days.items())
        ],
        ("standard_key", "indicator_id", "actor_login", "day"),
        returning=("standard_key", "indicator_id", "office_id", "day"),
    )
    for standard_key, indicator_id, office_id, day in new_days:
        key = (standard_key, indicator_id, office_id, day)
        batch.rollups.setdefault(key, [0, 0.0, 0.0, 0, 0, 0])[5] += 1
    expanded: dict[tuple, list[float]] = {}
    paths = {}
    for (standard_key, indicator, office_id, day), sums in batch.rollups.items():
        for unit_id, level, path in lineage.get(office_id, ()):
            paths[unit_id] = (level, path)
            for granularity in GRANULARITIES:
                key = (
                    standard_key,
                    indicator,
                    unit_id,
                    level,
                    granularity,
                    period_start(day, granularity),
                    path,
                )
                total = expanded.setdefault(key, [0, 0.0, 0.0, 0, 0, 0])
                for i in range(6):
                    total[i] += sums[i]
    office_paths = {uid: path for uid, (level, path) in paths.items() if level == "office"}
    for obs in batch.observations:
        obs["office_path"] = office_paths.get(obs["office_id"], "")
    batch.rollups = expanded

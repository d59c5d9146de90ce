"""Ingest of pushed checkpoint events: validation, scope, idempotence, and what the stored
events become once folded — case traces with conformance, rollups on three levels, the
quality index."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from engine import org
from engine.access import load_actor
from engine.errors import Forbidden, Invalid
from engine.fold import fold_queued
from engine.ingest import MAX_BATCH, ingest_events
from models import CaseTrace, CheckpointEvent, IndicatorRollup, Person, QualityIndexValue

KEY = "employment.job-seeker-registration"
MSK = dt.timezone(dt.timedelta(hours=3))


def ingest(session, actor, events):
    """Ingest and fold, as `etalon worker` would right after."""
    report = ingest_events(session, actor, events)
    fold_queued(session)
    return report


def actor_of(session, login):
    person = session.scalars(select(Person).where(Person.login == login)).one()
    return load_actor(session, person.id)


def event(n, case, checkpoint, at, office="R48-LIP", **extra):
    return {
        "event_id": f"e-{n}",
        "case_id": case,
        "standard": KEY,
        "checkpoint_id": checkpoint,
        "occurred_at": at.isoformat(),
        "office": office,
        "actor": "reg.lip",
        **extra,
    }


def case_events(case="c-1", start=dt.datetime(2026, 3, 2, 10, tzinfo=MSK), n=0, returned=False):
    return [
        event(n + 1, case, "CP_APPLICATION", start, attributes={"channel": "epgu"}),
        event(n + 2, case, "CP_DOCS_CHECKED", start + dt.timedelta(hours=1),
              attributes={"returned": returned}),
        event(n + 3, case, "CP_REGISTERED", start + dt.timedelta(hours=3)),
    ]  # fmt: skip


def rollup(session, indicator, unit_code, granularity="day", day=dt.date(2026, 3, 2)):
    unit = org.unit_by_code(session, unit_code)
    return session.scalars(
        select(IndicatorRollup).where(
            IndicatorRollup.standard_key == KEY,
            IndicatorRollup.indicator_id == indicator,
            IndicatorRollup.unit_id == unit.id,
            IndicatorRollup.granularity == granularity,
            IndicatorRollup.period_start == day,
        )
    ).one_or_none()


def test_valid_events_are_stored_and_rolled_up_on_three_levels(session):
    ris = actor_of(session, "ris.lipetsk")
    report = ingest(session, ris, case_events())
    assert (report.received, report.accepted, report.rejected, report.refused) == (3, 3, (), ())
    stored = session.scalar(select(func.count()).where(CheckpointEvent.source == "ris.lipetsk"))
    assert stored == 3
    for unit in ("R48-LIP", "R48", "FED"):
        on_time = rollup(session, "IND_REG_ON_TIME", unit)
        assert (on_time.count, on_time.within) == (1, 1), unit
    month = rollup(session, "IND_REG_ON_TIME", "R48-LIP", "month", dt.date(2026, 3, 1))
    week = rollup(session, "IND_REG_ON_TIME", "R48-LIP", "week", dt.date(2026, 3, 2))
    assert month.count == week.count == 1
    per_employee = rollup(session, "IND_REGISTRATIONS_PER_EMPLOYEE", "R48-LIP")
    assert (per_employee.count, per_employee.employee_days) == (1, 1)
    returns = rollup(session, "IND_RETURNS", "R48-LIP")
    assert (returns.count, returns.flagged) == (1, 0)


def test_replay_is_idempotent(session):
    ris = actor_of(session, "ris.lipetsk")
    ingest(session, ris, case_events())
    again = ingest(session, ris, case_events())
    assert again.accepted == 0
    assert sorted(again.duplicates) == ["e-1", "e-2", "e-3"]
    assert rollup(session, "IND_REG_ON_TIME", "R48-LIP").count == 1
    assert rollup(session, "IND_REGISTRATIONS_PER_EMPLOYEE", "R48-LIP").count == 1


def test_invalid_events_are_listed_and_the_valid_rest_is_stored(session):
    ris = actor_of(session, "ris.lipetsk")
    at = dt.datetime(2026, 3, 2, 10, tzinfo=MSK)
    batch = [
        event(1, "c-1", "CP_APPLICATION", at),
        event(2, "c-1", "CP_NOPE", at),
        {**event(3, "c-1", "CP_REGISTERED", at), "occurred_at": "2026-03-02T10:00:00"},
        {**event(4, "", "CP_REGISTERED", at)},
        event(5, "c-1", "CP_DOCS_CHECKED", at, attributes={"colour": "red"}),
        event(6, "c-1", "CP_APPLICATION", at, office="R71-TUL"),
        "not an object",
    ]
    report = ingest(session, ris, batch)
    assert report.accepted == 1
    errors = {r["index"]: r["errors"] for r in report.rejected}
    assert set(errors) == {1, 2, 3, 4, 6}
    assert "checkpoint_id" in errors[1]
    assert "occurred_at" in errors[2]
    assert "case_id" in errors[3]
    assert "attributes" in errors[4]
    assert [r["office"] for r in report.refused] == ["R71-TUL"]


def test_only_regional_systems_push_and_batches_are_limited(session):
    with pytest.raises(Forbidden):
        ingest_events(session, actor_of(session, "auditor"), case_events())
    with pytest.raises(Invalid):
        ingest_events(session, actor_of(session, "ris.lipetsk"), [{}] * (MAX_BATCH + 1))


def test_conformance_is_stored_per_case_and_updated_as_events_arrive(session):
    ris = actor_of(session, "ris.lipetsk")
    at = dt.datetime(2026, 3, 2, 10, tzinfo=MSK)
    ingest(session, ris, [event(1, "c-9", "CP_REGISTERED", at)])
    trace = session.scalars(select(CaseTrace).where(CaseTrace.case_id == "c-9")).one()
    assert set(trace.skipped) == {"CP_APPLICATION", "CP_DOCS_CHECKED"}
    assert trace.fitness < 1
    # The missing checkpoints arrive late: no longer skipped, now out of order.
    ingest(
        session,
        ris,
        [
            event(2, "c-9", "CP_APPLICATION", at + dt.timedelta(hours=1)),
            event(3, "c-9", "CP_DOCS_CHECKED", at + dt.timedelta(hours=2)),
        ],
    )
    session.refresh(trace)
    assert trace.skipped == []
    assert set(trace.out_of_order) == {"CP_APPLICATION", "CP_DOCS_CHECKED"}
    conforming = case_events("c-10", n=10)
    ingest(session, ris, conforming)
    good = session.scalars(select(CaseTrace).where(CaseTrace.case_id == "c-10")).one()
    assert (good.fitness, good.skipped, good.out_of_order, good.breaches) == (1.0, [], [], [])


def test_a_late_registration_breaches_the_working_day_deadline(session):
    ris = actor_of(session, "ris.lipetsk")
    friday = dt.datetime(2026, 3, 6, 17, tzinfo=MSK)
    events = case_events("c-late", start=friday, n=20)
    # Monday 9 March is a holiday (8 March falls on a Sunday): due Tuesday 17:00.
    events[2]["occurred_at"] = (friday + dt.timedelta(days=5)).isoformat()  # Wednesday
    ingest(session, ris, events)
    trace = session.scalars(select(CaseTrace).where(CaseTrace.case_id == "c-late")).one()
    assert trace.breaches == ["DL_REGISTRATION"]
    late = rollup(session, "IND_REG_ON_TIME", "R48-LIP", day=dt.date(2026, 3, 11))
    assert (late.count, late.within) == (1, 0)


def test_quality_index_is_stored_with_its_components(session):
    ris = actor_of(session, "ris.lipetsk")
    ingest(session, ris, case_events())
    office = org.unit_by_code(session, "R48-LIP")
    value = session.scalars(
        select(QualityIndexValue).where(
            QualityIndexValue.standard_key == KEY,
            QualityIndexValue.unit_id == office.id,
            QualityIndexValue.granularity == "day",
        )
    ).one()
    components = {c["indicator_id"]: c for c in value.components}
    assert components["IND_REG_ON_TIME"]["value"] == 100.0
    assert components["IND_REG_ON_TIME"]["status"] == "green"
    assert value.score is not None and 0 <= value.score <= 100

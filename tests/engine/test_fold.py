"""The fold of pushed events: ingest queues, the fold turns the queue into traces and rollups
exactly once — in the caller's transaction, in the worker's pass, or at once with
``fold=True`` — and several folders at once never fold an event twice."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import Actor
from engine.fold import backlog, claim_queued, fold_backlog, fold_job, fold_queued
from engine.ingest import ingest_events
from engine.worker import run_worker_pass
from models import CaseTrace, EventFoldQueue, IndicatorRollup, make_engine
from standards.seeding import load_sample_library
from tests.engine.test_ingest import MSK, actor_of, case_events, rollup


def test_ingest_queues_and_the_fold_rolls_up_exactly_once(session):
    ris = actor_of(session, "ris.lipetsk")
    report = ingest_events(session, ris, case_events("c-q"))
    assert (report.accepted, report.queued) == (3, 3)
    assert backlog(session).pending == 3
    assert backlog(session).oldest_recorded_at is not None
    assert rollup(session, "IND_REG_ON_TIME", "R48-LIP") is None
    assert session.scalar(select(CaseTrace).where(CaseTrace.case_id == "c-q")) is None

    assert fold_queued(session) == 3
    assert backlog(session).pending == 0 and backlog(session).oldest_recorded_at is None
    on_time = rollup(session, "IND_REG_ON_TIME", "R48-LIP")
    assert (on_time.count, on_time.within) == (1, 1)
    assert fold_queued(session) == 0
    assert rollup(session, "IND_REG_ON_TIME", "R48-LIP").count == 1


def test_a_replay_queues_nothing(session):
    ris = actor_of(session, "ris.lipetsk")
    ingest_events(session, ris, case_events("c-r"))
    again = ingest_events(session, ris, case_events("c-r"))
    assert (again.accepted, again.queued, len(again.duplicates)) == (0, 0, 3)
    assert backlog(session).pending == 3


def test_fold_now_folds_in_the_same_transaction_without_queueing(session):
    ris = actor_of(session, "ris.lipetsk")
    report = ingest_events(session, ris, case_events("c-now"), fold=True)
    assert (report.accepted, report.queued) == (3, 0)
    assert backlog(session).pending == 0
    assert rollup(session, "IND_REG_ON_TIME", "R48-LIP").count == 1


def test_a_batch_folded_in_parts_gives_the_figures_of_one_fold(session):
    ris = actor_of(session, "ris.lipetsk")
    start = dt.datetime(2026, 3, 2, 10, tzinfo=MSK)
    events = [e for n in range(4) for e in case_events(f"c-p{n}", start=start, n=10 * n)]
    ingest_events(session, ris, events)
    assert fold_queued(session, batch=5, limit=5) == 5
    assert backlog(session).pending == 7
    assert fold_queued(session, batch=5) == 7
    on_time = rollup(session, "IND_REG_ON_TIME", "R48-LIP")
    assert (on_time.count, on_time.within) == (4, 4)
    traces = session.scalars(select(CaseTrace).where(CaseTrace.case_id.like("c-p%"))).all()
    assert sorted(t.fitness for t in traces) == [1.0] * 4


def test_a_claim_rolled_back_stays_queued(session):
    ris = actor_of(session, "ris.lipetsk")
    ingest_events(session, ris, case_events("c-b"))
    savepoint = session.begin_nested()
    assert len(claim_queued(session, 10)) == 3
    assert backlog(session).pending == 0
    savepoint.rollback()
    assert backlog(session).pending == 3


def test_the_worker_pass_folds_the_backlog(session, connection):
    ris = actor_of(session, "ris.lipetsk")
    ingest_events(session, ris, case_events("c-w"))
    session.flush()  # not commit: on SQLite that would release the test's outer savepoint

    def factory():
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    run_worker_pass(factory, "w1", jobs=(fold_job,))
    session.expire_all()
    assert backlog(session).pending == 0
    assert rollup(session, "IND_REG_ON_TIME", "R48-LIP").count == 1


def test_two_folders_fold_every_event_once_on_postgresql(committed_postgres):
    engine = committed_postgres
    system = Actor.system("tests")
    cases = 60
    with Session(engine) as session:
        load_sample_library(session, system)
        ris = actor_of(session, "ris.lipetsk")
        start = dt.datetime(2026, 3, 2, 10, tzinfo=MSK)
        events = [e for n in range(cases) for e in case_events(f"c{n}", start=start, n=10 * n)]
        ingest_events(session, ris, events)
        session.commit()

    folded: dict[str, int] = {}

    def work(name: str) -> None:
        worker_engine = make_engine(engine.url.render_as_string(hide_password=False))
        try:
            folded[name] = fold_backlog(lambda: Session(worker_engine), batch=7)
        finally:
            worker_engine.dispose()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert folded["a"] + folded["b"] == 3 * cases
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(EventFoldQueue)) == 0
        counts = session.scalars(
            select(IndicatorRollup.count).where(
                IndicatorRollup.indicator_id == "IND_REG_ON_TIME",
                IndicatorRollup.granularity == "day",
            )
        ).all()
        assert sorted(counts) == [cases] * 3  # office, region, federation

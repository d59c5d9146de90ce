"""Timers: rows on the working-day calendar, the worker firing them, several workers at once."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine import org
from engine.access import Actor
from engine.calendar_store import bundled_calendar
from engine.instances import start_instance
from engine.tasks import complete_task
from engine.worker import run_worker_pass
from models import AuditEntry, TaskStatus, Timer, WorkTask, make_engine, utcnow
from tests.engine.conftest import publish_library

REGISTRATION = "employment.job-seeker-registration"


def _waiting_for_registration(session, actor, version, unit):
    """An instance whose application was checked: Task_Register ready, its timer armed."""
    instance = start_instance(session, actor, version, unit)
    [task] = [t for t in instance.tasks if t.status == TaskStatus.ready]
    complete_task(session, actor, task.id, {"returned": False})
    return instance


def test_working_time_timer_fires_from_the_worker_once(session, connection, system):
    version = publish_library(session, REGISTRATION, 1)
    unit = org.unit_by_code(session, "R48-LIP")
    instance = _waiting_for_registration(session, system, version, unit)
    timer = session.scalars(select(Timer).where(Timer.instance_id == instance.id)).one()
    assert (timer.node_id, timer.calendar) == ("Timer_RegistrationOverdue", "working")
    local_due = timer.due_at.astimezone(dt.timezone(dt.timedelta(hours=3)))
    assert bundled_calendar().is_working_day(local_due.date())
    assert timer.due_at > utcnow() + dt.timedelta(hours=1)

    def factory():
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    assert run_worker_pass(factory, "w1").claimed == 0  # not due yet
    session.execute(
        update(Timer).where(Timer.id == timer.id).values(due_at=utcnow() - dt.timedelta(seconds=1))
    )
    session.flush()  # not commit: on SQLite that would release the test's outer savepoint
    result = run_worker_pass(factory, "w1")
    assert (result.claimed, result.fired, result.failed) == (1, 1, 0)
    session.expire_all()
    assert timer.fired_at is not None
    review = session.scalars(
        select(WorkTask).where(
            WorkTask.instance_id == instance.id, WorkTask.node_id == "Task_ReviewOverdue"
        )
    ).one()
    assert review.role == "czn_head" and review.status == TaskStatus.ready
    assert run_worker_pass(factory, "w1").claimed == 0


def test_a_timer_of_a_finished_step_is_cancelled(session, system):
    version = publish_library(session, REGISTRATION, 1)
    instance = _waiting_for_registration(
        session, system, version, org.unit_by_code(session, "R48-LIP")
    )
    task = next(t for t in instance.tasks if t.status == TaskStatus.ready)
    complete_task(session, system, task.id, {"registration_date": "2026-11-23"})
    timer = session.scalars(select(Timer).where(Timer.instance_id == instance.id)).one()
    assert timer.cancelled_at is not None and timer.fired_at is None


def test_two_workers_fire_every_timer_exactly_once_on_postgresql(committed_postgres):
    engine = committed_postgres
    system = Actor.system("tests")
    count = 24
    with Session(engine) as session:
        version = publish_library(session, REGISTRATION, 1)
        unit = org.unit_by_code(session, "R48-LIP")
        ids = [_waiting_for_registration(session, system, version, unit).id for _ in range(count)]
        session.execute(update(Timer).values(due_at=utcnow() - dt.timedelta(seconds=1)))
        session.commit()

    def work(name: str, fired: list[int]) -> None:
        worker_engine = make_engine(engine.url.render_as_string(hide_password=False))
        try:
            while True:
                result = run_worker_pass(lambda: Session(worker_engine), name, batch=3)
                fired.append(result.fired)
                if result.claimed == 0:
                    return
        finally:
            worker_engine.dispose()

    counts: dict[str, list[int]] = {"a": [], "b": []}
    threads = [threading.Thread(target=work, args=(n, counts[n])) for n in counts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(counts["a"]) + sum(counts["b"]) == count
    assert sum(counts["a"]) > 0 and sum(counts["b"]) > 0, counts
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(Timer.fired_at.is_(None))) == 0
        reviews = session.scalars(
            select(WorkTask.instance_id).where(WorkTask.node_id == "Task_ReviewOverdue")
        ).all()
        assert sorted(reviews) == sorted(ids)
        fires = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "timer.fire")
        )
        assert fires == count

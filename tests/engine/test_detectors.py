"""Detectors over cases and people, settings, schedules and claims, the daily digest and the
worker jobs — on controlled cases pushed for the Lipetsk office."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import Actor
from engine.detectors.base import number, plural, resolve_settings
from engine.detectors.runner import run_detectors
from engine.detectors.schedule import check_schedule, claim_run, slot_of
from engine.digest import issue_digests
from engine.errors import Invalid
from engine.loop_jobs import run_daily_digest, run_scheduled_detectors
from models import Assignment, AssignmentStatus, DetectorConfig, Deviation, LoopRun
from tests.engine.loop_data import INTERAGENCY, _at, digest_cases, push

MSK = dt.timezone(dt.timedelta(hours=3))
DAY = dt.date(2026, 10, 14)  # a Wednesday
NEXT_MORNING = dt.datetime(2026, 10, 15, 7, 30, tzinfo=MSK)


def test_slots_of_schedules():
    assert slot_of("daily 07:00", dt.datetime(2026, 10, 15, 6, 59, tzinfo=MSK)) == "2026-10-14"
    assert slot_of("daily 07:00", dt.datetime(2026, 10, 15, 7, 0, tzinfo=MSK)) == "2026-10-15"
    assert slot_of("every 60m", dt.datetime(2026, 10, 15, 9, 59, tzinfo=dt.UTC)) == (
        "2026-10-15T09:00"
    )
    assert slot_of("every 2h", dt.datetime(2026, 10, 15, 9, 59, tzinfo=dt.UTC)) == (
        "2026-10-15T08:00"
    )
    for wrong in ("daily 25:00", "hourly", "every 0m"):
        with pytest.raises(Invalid):
            check_schedule(wrong)


def test_settings_resolve_from_general_to_indicator_rows():
    rows = [
        DetectorConfig(detector="corridor", standard_key="", indicator_id="",
                       thresholds={"window_days": 14}, schedule="every 30m", recipient_role=""),
        DetectorConfig(detector="corridor", standard_key="s", indicator_id="",
                       thresholds={"min_cases": 3}, schedule="", recipient_role="czn_head"),
        DetectorConfig(detector="corridor", standard_key="s", indicator_id="I", enabled=False,
                       thresholds={"window_days": 7}, schedule="", recipient_role=""),
        DetectorConfig(detector="returns", standard_key="s", indicator_id="",
                       thresholds={"min_cases": 99}, schedule="", recipient_role=""),
    ]  # fmt: skip
    defaults = {"window_days": 30, "min_cases": 10}
    other = resolve_settings(rows, "corridor", defaults, "t", "I")
    assert (other.get("window_days"), other.get("min_cases"), other.schedule) == (
        14,
        10,
        "every 30m",
    )
    own = resolve_settings(rows, "corridor", defaults, "s", "J")
    assert (own.get("min_cases"), own.recipient_role, own.enabled) == (3, "czn_head", True)
    indicator = resolve_settings(rows, "corridor", defaults, "s", "I")
    assert (indicator.get("window_days"), indicator.get("min_cases"), indicator.enabled) == (
        7,
        3,
        False,
    )
    assert resolve_settings([], "corridor", defaults).schedule == "daily 07:00"


def test_russian_figures():
    assert [plural(n, "обращение", "обращения", "обращений") for n in (1, 3, 5, 11, 21, 112)] == [
        "обращение", "обращения", "обращений", "обращений", "обращение", "обращений"
    ]  # fmt: skip
    assert number(2.5, "percent") == "2,5 %" and number(-0.06) == "−0,06"
    assert number(None) == "—" and number(4.0, "working_days") == "4 раб. дн."


def test_case_detectors_find_late_untaken_and_waiting_cases(session):
    digest_cases(session, DAY)
    push(session, [
        {"event_id": "w-1", "case_id": "WAITING", "standard": INTERAGENCY,
         "checkpoint_id": "CP_REQUEST_SENT", "occurred_at": _at(DAY - dt.timedelta(days=5), 9),
         "office": "R48-LIP", "actor": "inspector.lip", "attributes": {"agency": "МВД"}},
    ])  # fmt: skip
    system = Actor.system("tests")
    now = NEXT_MORNING + dt.timedelta(days=1)
    runs = run_detectors(session, system, now=now,
                         detectors=["not_taken", "interagency_wait", "stage_deadline"])  # fmt: skip
    found = {
        d.detector: d
        for d in session.scalars(select(Deviation).where(Deviation.unit.has(code="R48-LIP")))
    }
    assert sum(r.findings for r in runs) == len(found) == 3
    untaken = found["not_taken"]
    assert untaken.cases == [
        {"case_id": "DG-NEW", "checkpoint": "Заявление проверено",
         "assigned": untaken.cases[0]["assigned"], "employee": "reg.lip"}
    ]  # fmt: skip
    assert "распределено, но не взято в работу более 1 раб. дн. — 1 обращение" in untaken.title
    waiting = found["interagency_wait"]
    assert [c["case_id"] for c in waiting.cases] == ["WAITING"]  # DG-SMEV has its answer
    assert waiting.actions[0] == "Направить ведомству-поставщику обращение о нарушении срока ответа"
    late = found["stage_deadline"]
    assert {(c["case_id"], c["stage"]) for c in late.cases} >= {("DG-WORK", "Срок регистрации")}
    (task,) = session.scalars(
        select(Assignment).where(Assignment.subject_id == str(untaken.id))
    ).all()
    assert task.person.login == "head.lip"


def test_daily_digest_in_seed_words_and_only_on_working_days(session):
    digest_cases(session, DAY)
    system = Actor.system("tests")
    assert issue_digests(session, system, dt.datetime(2026, 10, 17, 8, tzinfo=MSK)) == []  # Sat
    issued = {a.person.login: a for a in issue_digests(session, system, NEXT_MORNING)}
    reg = issued["reg.lip"].payload
    assert reg["text"].splitlines()[:4] == [
        "Информируем, что по данным из информационных систем на утро 15.10.2026",
        "- в работе у Вас находится 1 обращение",
        "- распределено, но не взято Вами в работу 1 обращение",
        "- за предыдущий рабочий день поступили ответы на СМЭВ со сроком ожидания более 4 дней "
        "по 0 обращениям",
    ]
    assert [c["case_id"] for c in reg["not_taken"]] == ["DG-NEW"]
    inspector = issued["inspector.lip"].payload
    assert inspector["counts"]["answers"] == 1 and inspector["answers"][0]["case_id"] == "DG-SMEV"
    assert "по 1 обращению" in inspector["text"]
    assert issued["reg.lip"].kind == "digest" and issued["reg.lip"].person.login == "reg.lip"
    # the next working day completes yesterday's informational tasks
    issue_digests(session, system, NEXT_MORNING + dt.timedelta(days=1))
    session.refresh(issued["reg.lip"])
    assert issued["reg.lip"].status == AssignmentStatus.done


def test_worker_jobs_run_once_per_slot(session, connection):
    digest_cases(session, DAY)
    session.flush()

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint",
                       expire_on_commit=False)  # fmt: skip

    now = NEXT_MORNING + dt.timedelta(days=1)
    first = run_scheduled_detectors(factory, "w1", now)
    assert first >= 2  # the untaken and the late registration
    assert run_scheduled_detectors(factory, "w2", now) == 0  # the slot is taken
    runs = session.scalar(select(func.count()).select_from(LoopRun).where(LoopRun.worker == "w1"))
    assert runs > 0
    assert run_daily_digest(factory, "w1", now) >= 2
    assert run_daily_digest(factory, "w2", now) == 0
    assert claim_run(session, "digest", "*", "2026-10-16", "w3") is None

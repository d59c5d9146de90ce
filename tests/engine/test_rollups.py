"""The engine's own checkpoint events feed measurement like pushed ones: a registration run on
the engine queues its events for the fold, which leaves a trace with its conformance and
rollups for the office, region and federation."""

from __future__ import annotations

from sqlalchemy import select

from engine import org
from engine.fold import backlog, fold_queued
from engine.instances import start_instance
from engine.tasks import complete_task
from models import CaseTrace, IndicatorObservation, IndicatorRollup, TaskStatus, WorkTask
from tests.engine.conftest import publish_library

REGISTRATION = "employment.job-seeker-registration"


def _open_task(session, instance):
    return session.scalars(
        select(WorkTask).where(
            WorkTask.instance_id == instance.id, WorkTask.status == TaskStatus.ready
        )
    ).one()


def test_an_engine_run_updates_trace_conformance_and_rollups(session, actor_of, grant):
    grant("career.lip", "employer_specialist", "R48-LIP")
    version = publish_library(session, REGISTRATION, 1)
    lipetsk = org.unit_by_code(session, "R48-LIP")
    reg = actor_of("reg.lip")
    instance = start_instance(session, reg, version, lipetsk, {"channel": "epgu"})
    complete_task(session, reg, _open_task(session, instance).id, {"returned": True})
    complete_task(session, reg, _open_task(session, instance).id, {"clarification": "паспорт"})
    complete_task(session, reg, _open_task(session, instance).id, {"returned": False})
    complete_task(
        session, reg, _open_task(session, instance).id, {"registration_date": "2026-11-23"}
    )
    complete_task(
        session, actor_of("career.lip"), _open_task(session, instance).id, {"vacancies_offered": 2}
    )
    queued = backlog(session).pending
    assert queued > 0
    assert (
        session.scalars(select(CaseTrace).where(CaseTrace.case_id == f"etalon-{instance.id}")).all()
        == []
    )  # nothing derived before the fold
    assert fold_queued(session) == queued

    trace = session.scalars(
        select(CaseTrace).where(CaseTrace.case_id == f"etalon-{instance.id}")
    ).one()
    assert trace.source == "etalon" and trace.office_id == lipetsk.id
    assert (trace.fitness, trace.skipped, trace.out_of_order) == (1.0, [], [])
    rows = session.scalars(
        select(IndicatorRollup).where(
            IndicatorRollup.standard_key == REGISTRATION,
            IndicatorRollup.indicator_id == "IND_REG_ON_TIME",
            IndicatorRollup.granularity == "month",
        )
    ).all()
    assert {r.unit_level for r in rows} == {"office", "region", "federation"}
    assert all((r.count, r.within) == (1, 1) for r in rows)
    returns = session.scalars(
        select(IndicatorObservation).where(
            IndicatorObservation.case_trace_id == trace.id,
            IndicatorObservation.indicator_id == "IND_RETURNS",
        )
    ).one()
    assert returns.flagged is True
    per_employee = session.scalars(
        select(IndicatorRollup).where(
            IndicatorRollup.indicator_id == "IND_REGISTRATIONS_PER_EMPLOYEE",
            IndicatorRollup.unit_id == lipetsk.id,
            IndicatorRollup.granularity == "day",
        )
    ).one()
    # reached and completed events are both stored; only the completion is counted
    assert (per_employee.count, per_employee.employee_days) == (1, 1)

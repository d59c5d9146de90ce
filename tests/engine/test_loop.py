"""The whole loop on simulated sample data, on both databases: deviations appear, corrective
assignments reach the managers of the accountable units, are not duplicated, escalate when
ignored, show the recovery and close as effective; the effectiveness report shows before and
after; K red regions open a change request whose acceptance creates a linked draft."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engine.access import Actor
from engine.corrective import CORRECTIVE, close_corrective
from engine.detectors.runner import run_detectors
from engine.effectiveness import effectiveness_report
from engine.escalation import escalate_overdue
from models import (
    Assignment,
    AssignmentStatus,
    ChangeRequestStatus,
    Deviation,
    DeviationStatus,
    Notification,
    RoleGrant,
    Unit,
    VersionStatus,
)
from standards.change_requests import CHANGE_REQUEST, decide_change_request, open_change_requests
from tests.engine.loop_data import (
    SUPPORT,
    T1,
    T2,
    recovered_returns,
    red_returns,
    simulate_sample,
)

KEY_PREFIX = f"corridor:{SUPPORT}:IND_RETURNS:"


def _corrective(session, deviation: Deviation) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .where(Assignment.kind == CORRECTIVE, Assignment.subject_id == str(deviation.id))
            .order_by(Assignment.id)
        )
    )


def _lipetsk_returns(session) -> Deviation:
    office = session.scalars(select(Unit).where(Unit.code == "R48-LIP")).one()
    return session.scalars(
        select(Deviation).where(Deviation.key == f"{KEY_PREFIX}{office.id}")
    ).one()


def test_the_loop_from_deviation_to_effective_closure(session, actor_of):
    simulate_sample(session)
    red_returns(session)
    system = Actor.system("worker:test")

    runs = run_detectors(session, system, now=T1)
    assert sum(r.findings for r in runs) > 0
    deviation = _lipetsk_returns(session)
    assert deviation.status == DeviationStatus.open
    assert deviation.figures["status"] == "red" and deviation.figures["value"] > 3.0
    assert deviation.figures["corridor"] == {"green": 2.0, "red": 3.0}
    assert {c["case_id"] for c in deviation.cases} >= {f"LIP-SEP-{n:03d}" for n in range(6)}
    assert deviation.actions[0] == "Разобрать с сотрудником причины возвратов на доработку"

    (assignment,) = _corrective(session, deviation)
    assert assignment.person.login == "head.lip" and assignment.status == AssignmentStatus.issued
    text = assignment.payload["text"]
    assert "Вид задачи: Задание на улучшение работы" in text
    assert "«Доля обращений, возвращённых на доработку»" in text and "ЦЗН" in text
    assert "1. Разобрать с сотрудником причины возвратов на доработку" in text
    assert "норма ≤ 2 %, критично > 3 %" in deviation.description

    # every corrective assignment goes to a manager granted on the accountable unit itself
    for a in session.scalars(select(Assignment).where(Assignment.kind == CORRECTIVE)):
        d = session.get(Deviation, int(a.subject_id))
        grants = session.scalars(
            select(RoleGrant).where(RoleGrant.person_id == a.person_id, RoleGrant.role == "manager")
        ).all()
        assert d.unit_id in {g.unit_id for g in grants}, (a.title, a.person.login)

    # the same deviation found again: no duplicate deviation, no new assignment
    before = session.scalars(select(Assignment.id).where(Assignment.kind == CORRECTIVE)).all()
    run_detectors(session, system, now=T1 + dt.timedelta(hours=2))
    after = session.scalars(select(Assignment.id).where(Assignment.kind == CORRECTIVE)).all()
    assert before == after
    assert len(_corrective(session, deviation)) == 1

    # ignored past its due date: escalates one level up, to the region's manager
    assert escalate_overdue(session, system, T1 + dt.timedelta(days=2)) == 0
    assert escalate_overdue(session, system, T1 + dt.timedelta(days=14)) > 0
    office_one, region_one = _corrective(session, deviation)
    assert office_one.status == AssignmentStatus.escalated
    assert region_one.person.login == "head.lipetsk"
    assert region_one.payload["escalation_level"] == 1 and deviation.escalation_level == 1
    assert "эскалирована" in region_one.payload["text"]
    assert escalate_overdue(session, system, T1 + dt.timedelta(days=14)) == 0  # claimed once

    # October without returns: the indicator is back in its corridor
    recovered_returns(session)
    run_detectors(session, system, now=T2, detectors=["corridor"], standard_key=SUPPORT)
    session.refresh(deviation)
    assert deviation.status == DeviationStatus.recovered and deviation.after_value == 0.0
    for a in _corrective(session, deviation):
        session.refresh(a)
        assert a.payload["recovered"]["value"] == 0.0
        assert a.events[-1].comment.startswith("Показатель вернулся в коридор")
    assert session.scalars(
        select(Notification).where(
            Notification.event == "deviation.recovered",
            Notification.assignment_id == office_one.id,
        )
    ).one()

    closed = close_corrective(session, actor_of("head.lip"), office_one.id, now=T2)
    assert closed.status == AssignmentStatus.done
    session.refresh(region_one)
    assert region_one.status == AssignmentStatus.done
    assert deviation.status == DeviationStatus.closed and deviation.effective is True
    assert deviation.open_key is None

    rows = {r.unit_code: r for r in effectiveness_report(session, system, now=T2)}
    lipetsk = rows["R48-LIP"]
    assert lipetsk.closed_effective >= 1 and lipetsk.escalated >= 1
    assert lipetsk.assignments_issued >= 2 and lipetsk.assignments_closed >= 2
    change = next(
        i
        for i in lipetsk.indicators
        if (i.standard_key, i.indicator_id) == (SUPPORT, "IND_RETURNS")
    )
    assert change.before > 3.0 and change.after == 0.0
    # the manager of another region sees none of Lipetsk's rows
    tula_rows = effectiveness_report(session, actor_of("head.tula"), now=T2)
    assert all(not r.unit_code.startswith("R48") for r in tula_rows)


def test_red_in_several_regions_opens_a_change_request_and_acceptance_creates_a_draft(
    session, actor_of
):
    simulate_sample(session)
    system = Actor.system("worker:test")
    opened = open_change_requests(session, system, T1)
    assert opened, "the simulated deviating offices make some indicator red in 2 regions"
    for request in opened:
        regions = request.evidence["regions"]
        assert len(regions) >= 2 and all(r["status"] == "red" for r in regions)
        assert request.evidence["period"]["months"] == ["2026-08-01", "2026-09-01"]
    assert open_change_requests(session, system, T1) == []  # no duplicate while open

    request = opened[0]
    tasks = session.scalars(
        select(Assignment).where(
            Assignment.kind == CHANGE_REQUEST, Assignment.subject_id == str(request.id)
        )
    ).all()
    # the methodologists of the owning unit (FED)
    assert {t.person.login for t in tasks} == {"methodologist", "methodologist2"}

    latest = max(v.number for v in request.standard.versions)
    decided = decide_change_request(
        session, actor_of("methodologist"), request.id, accept=True, now=T1
    )
    assert decided.status == ChangeRequestStatus.accepted
    draft = decided.draft_version
    assert draft.number == latest + 1 and draft.status == VersionStatus.draft
    assert f"запрос на изменение стандарта №{request.id}" in draft.bpmn.decode()
    assert draft.summary["indicators"] == request.version.summary["indicators"]
    for task in tasks:
        session.refresh(task)
        assert task.status == AssignmentStatus.done

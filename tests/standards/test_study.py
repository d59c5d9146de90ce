"""Publishing a second version: the impact report and study assignments for exactly the
affected people; manual issue, confirmation, completion per unit, overdue flagging."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine import assignments, org
from engine.errors import Forbidden, InvalidTransition, NotFound
from models import Assignment, AssignmentStatus, StandardVersion, utcnow
from standards import study
from standards.impact_review import impact_of
from tests.standards.conftest import REGISTRATION

CAREER = {
    "career.lip": "R48-LIP",
    "career.elc": "R48-ELC",
    "career.grz": "R48-GRZ",
    "career.tul": "R71-TUL",
    "career.nms": "R71-NMS",
    "career.nsk": "R54-NSK",
    "career.brd": "R54-BRD",
}


def _second_version(session, standard) -> StandardVersion:
    return session.scalars(
        select(StandardVersion).where(
            StandardVersion.standard_id == standard(REGISTRATION).id, StandardVersion.number == 2
        )
    ).one()


def _study_of(session, version) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment).where(
                Assignment.kind == study.STUDY, Assignment.subject_id == str(version.id)
            )
        )
    )


@pytest.fixture
def published_v2(session, standard, publish_now):
    version = _second_version(session, standard)
    publish_now(version)
    return version


def test_publishing_v2_explains_the_impact(session, published_v2):
    report = impact_of(session, published_v2)
    assert (report.from_number, report.to_number) == (1, 2)
    assert set(report.roles) == {"career_consultant", "employer_specialist"}
    texts = [item.text for item in report.items]
    moved = (
        "роль «Карьерный консультант»: операция «Подобрать и предложить варианты подходящей "
        "работы» передана от роли «Специалист по работе с работодателями» — срок 2 рабочих дня "
        "→ 1 рабочий день"
    )
    assert any(t.startswith(moved) for t in texts), texts
    assert (
        "роль «Специалист по работе с работодателями»: операция «Подобрать и предложить "
        "варианты подходящей работы» передана роли «Карьерный консультант»" in texts
    )
    assert any("новая операция «Провести профилирование" in t for t in texts)
    indicator = report.of_kind("indicator")
    assert [i.element_id for i in indicator] == ["IND_OFFER_DURATION"]
    assert "целевое значение 4 → 2" in indicator[0].text
    assert any("Срок предложения вариантов" in d.text for d in report.of_kind("deadline"))
    callers = report.of_kind("caller")
    assert [c.node for c in callers] == ["process:EmploymentOfficeModel"]
    regions = {r.node for r in report.of_kind("region")}
    assert regions == {"region:R48", "region:R71", "region:R54"}
    ranks = [item.rank for item in report.items]
    assert ranks == sorted(ranks) and report.items[0].kind == "role"
    assert "registration_specialist" not in report.roles
    assert report.to_text().startswith("Влияние изменений employment.job-seeker-registration")


def test_publishing_v2_assigns_study_to_exactly_the_affected_people(session, published_v2):
    issued = _study_of(session, published_v2)
    got = {a.person.login: a.unit.code for a in issued}
    assert got == CAREER
    first = next(a for a in issued if a.person.login == "career.lip")
    assert first.status == AssignmentStatus.issued
    assert first.issuer_login == "tests"
    assert first.due_at > utcnow() + dt.timedelta(days=4)
    material = first.payload
    assert set(material["roles"]) == {"career_consultant", "employer_specialist"}
    assert any("передана от роли" in line for line in material["changes"])
    assert material["role_views"]["career_consultant"] == "/api/v1/roles/career_consultant"
    assert [e.to_status for e in first.events] == ["issued"]


def test_confirm_and_completion_per_unit(session, published_v2, actor):
    issued = {a.person.login: a for a in _study_of(session, published_v2)}
    mine = issued["career.lip"]
    with pytest.raises(Forbidden):  # the manager sees it but only the assignee confirms
        study.confirm_study(session, actor("head.lip"), mine.id)
    for login in ("career.elc", "reg.lip", "head.tul"):  # not theirs, not in their scope
        with pytest.raises(NotFound):
            assignments.get_assignment(session, actor(login), mine.id)
    study.confirm_study(session, actor("career.lip"), mine.id, comment="прочитал")
    assert mine.status == AssignmentStatus.done and mine.closed_at is not None
    assert [e.to_status for e in mine.events] == ["issued", "done"]
    with pytest.raises(InvalidTransition):
        study.confirm_study(session, actor("career.lip"), mine.id)
    standard = published_v2.standard
    rows = study.study_completion(session, actor("head.lipetsk"), standard, 2)
    by_code = {r.unit_code: (r.total, r.done) for r in rows}
    assert by_code == {"R48-LIP": (1, 1), "R48-ELC": (1, 0), "R48-GRZ": (1, 0)}
    office_view = study.study_completion(session, actor("head.lip"), standard, 2)
    assert [r.unit_code for r in office_view] == ["R48-LIP"]


def test_manual_issue_to_a_role_and_to_a_unit(session, published_v2, actor):
    standard = published_v2.standard
    office = org.unit_by_code(session, "R48-LIP")
    issued = study.issue_study(
        session, actor("head.lip"), standard, 2, unit=office, role="registration_specialist"
    )
    assert [a.person.login for a in issued] == ["reg.lip"]
    assert issued[0].target_role == "registration_specialist"
    everybody = study.issue_study(session, actor("head.lip"), standard, 2, unit=office)
    # career.lip and reg.lip hold an open study assignment already: not issued twice
    assert {a.person.login for a in everybody} == {"clerk.lip", "head.lip", "inspector.lip"}
    with pytest.raises(NotFound):
        study.issue_study(
            session, actor("head.lip"), standard, 2, unit=org.unit_by_code(session, "R48-ELC")
        )
    with pytest.raises(Forbidden):
        study.issue_study(session, actor("reg.lip"), standard, 2, unit=office)


def test_worker_flags_overdue(session, published_v2, system, actor):
    later = utcnow() + dt.timedelta(days=30)
    assert assignments.flag_overdue(session, system, later) == len(CAREER)
    overdue = _study_of(session, published_v2)
    assert {a.status for a in overdue} == {AssignmentStatus.overdue}
    assert overdue[0].events[-1].to_status == "overdue"
    assert assignments.flag_overdue(session, system, later) == 0
    study.confirm_study(
        session, actor("career.tul"), next(a.id for a in overdue if a.person.login == "career.tul")
    )


def test_a_first_version_assigns_nothing(session, published_v2):
    # the sample library's first versions were published by the seed: no study for them
    first = session.scalars(
        select(StandardVersion).where(
            StandardVersion.standard_id == published_v2.standard_id, StandardVersion.number == 1
        )
    ).one()
    assert _study_of(session, first) == []

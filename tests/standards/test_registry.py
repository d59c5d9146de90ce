"""Standards and versions: upload, validation on arrival, drafts, immutability, in force."""

from __future__ import annotations

import datetime as dt

import pytest

from bpmn.errors import BpmnError
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from models import StandardKind, VersionStatus
from standards import registry
from tests.standards.conftest import REGISTRATION, library_file


def test_seed_publishes_the_library_and_keeps_later_versions_as_drafts(session, standard):
    registration = standard(REGISTRATION)
    statuses = {v.number: v.status for v in registration.versions}
    assert statuses == {1: VersionStatus.published, 2: VersionStatus.draft}
    assert registry.version_in_force(session, registration).number == 1
    for key in ("social.support-measure", "social.interagency-request", "etalon.standard-approval"):
        assert registry.version_in_force(session, standard(key)) is not None


def test_upload_validates_and_stores_a_draft(session, draft):
    version = draft()
    assert version.number == 3 and version.status == VersionStatus.draft
    assert version.error_count == 0
    assert {c["id"] for c in version.summary["checkpoints"]} >= {"CP_APPLICATION", "CP_PROFILED"}
    assert version.author.login == "methodologist2"


def test_identical_bytes_create_nothing(session, standard, actor):
    registration = standard()
    result = registry.upload_version(
        session, actor("methodologist"), registration, library_file(REGISTRATION, 2)
    )
    assert result.created is False and result.version.number == 2


def test_unloadable_file_is_refused_and_nothing_is_stored(session, standard, actor):
    registration = standard()
    with pytest.raises(BpmnError) as refused:
        registry.upload_version(
            session, actor("methodologist"), registration, b"<definitions><process"
        )
    assert refused.value.problems[0].code == "xml.syntax"
    assert refused.value.problems[0].line == 1
    session.expire(registration)
    assert len(registration.versions) == 2


def test_file_with_errors_is_kept_as_draft_with_problems(session, draft):
    broken = library_file(REGISTRATION, 2).replace(
        b'targetRef="Task_Register"', b'targetRef="Task_Missing"', 1
    )
    version = draft(broken)
    assert version.status == VersionStatus.draft and version.error_count >= 1
    dangling = [p for p in version.problems if "Task_Missing" in p["message"]]
    assert dangling and dangling[0]["severity"] == "error"
    assert dangling[0]["line"] and dangling[0]["element_id"]


def test_file_without_the_standards_process_is_an_error(session, draft):
    other = library_file("appeals.citizen-appeal", 1)
    version = draft(other)
    codes = {p["code"] for p in version.problems}
    assert "standard.process_missing" in codes


def test_draft_can_be_fixed_in_place_but_approved_versions_are_immutable(
    session, draft, actor, publish_now
):
    version = draft()
    fixed = registry.replace_draft(
        session, actor("methodologist2"), version, library_file(REGISTRATION, 2) + b"\n\n"
    )
    assert fixed.created and version.sha256 == fixed.version.sha256
    publish_now(version)
    with pytest.raises(Conflict, match="can no longer change"):
        registry.replace_draft(
            session, actor("methodologist2"), version, library_file(REGISTRATION, 1)
        )


def test_only_methodologists_in_scope_upload(session, standard, actor):
    with pytest.raises(Forbidden):
        registry.upload_version(session, actor("auditor"), standard(), b"<x/>")


def test_drafts_are_hidden_from_people_outside_the_registry(session, standard, actor):
    registration = standard()
    employee = actor("reg.lip")
    assert registry.get_standard(session, employee, REGISTRATION) is registration
    assert registry.get_version(session, employee, registration, 1).number == 1
    with pytest.raises(NotFound):
        registry.get_version(session, employee, registration, 2)
    assert [v.number for v in registry.visible_versions(employee, registration)] == [1]


def test_keys_are_checked(session, actor):
    from engine.org import unit_by_code

    with pytest.raises(Invalid):
        registry.create_standard(
            session,
            actor("methodologist"),
            key="Bad Key",
            title="x",
            kind=StandardKind.process,
            owning_unit=unit_by_code(session, "FED"),
        )
    with pytest.raises(Conflict):
        registry.create_standard(
            session,
            actor("methodologist"),
            key=REGISTRATION,
            title="x",
            kind=StandardKind.process,
            owning_unit=unit_by_code(session, "FED"),
        )


def test_version_in_force_follows_effective_dates(session, draft, standard, publish_now):
    registration = standard()
    later = dt.date.today() + dt.timedelta(days=30)
    version = draft()
    publish_now(version, effective=later)
    assert registry.version_in_force(session, registration).number == 1
    assert registry.version_in_force(session, registration, later).number == version.number
    assert registration.versions[0].status == VersionStatus.published  # superseded on `later`


def test_publication_effective_today_supersedes_the_previous_version(
    session, draft, standard, publish_now
):
    version = draft()
    publish_now(version)
    first = standard().versions[0]
    assert first.status == VersionStatus.superseded and first.ended_at is not None
    assert registry.version_in_force(session, standard()).number == version.number


def test_listing_filters(session, actor):
    methodologist = actor("methodologist")
    supporting = session.scalars(
        registry.visible_standards(methodologist, registry.StandardFilter(category="supporting"))
    ).all()
    assert [s.key for s in supporting] == ["social.interagency-request"]
    found = session.scalars(
        registry.visible_standards(methodologist, registry.StandardFilter(text="обращени"))
    ).all()
    assert {s.key for s in found} >= {"appeals.citizen-appeal", "contact-center.call-handling"}
    drafts = session.scalars(
        registry.visible_standards(methodologist, registry.StandardFilter(status="draft"))
    ).all()
    assert REGISTRATION in {s.key for s in drafts}

"""Releases: atomic publication, the call-activity rule, withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import Conflict, InvalidTransition
from models import ReleaseStatus, VersionStatus
from standards import registry, releases
from standards.seeding import approve_as_system
from tests.standards.conftest import library_file

SUPPORT = "social.support-measure"
INTERAGENCY = "social.interagency-request"


def _draft(session, actor, standard, key, number=2, suffix=b"\n"):
    version = registry.upload_version(
        session, actor("methodologist2"), standard(key), library_file(key, number) + suffix
    ).version
    session.flush()
    return version


def test_a_main_process_and_its_supporting_process_publish_together(
    session, system, actor, standard
):
    main = _draft(session, actor, standard, SUPPORT)
    supporting = _draft(session, actor, standard, INTERAGENCY)
    for version in (main, supporting):
        approve_as_system(session, system, version)
    release = releases.create_release(
        session,
        actor("methodologist2"),
        name="Меры поддержки 2027",
        effective_date=dt.date.today(),
        versions=[main, supporting],
    )
    releases.publish_release(session, actor("mintrud"), release)
    assert release.status == ReleaseStatus.published
    assert {v.status for v in (main, supporting)} == {VersionStatus.published}
    assert registry.version_in_force(session, standard(SUPPORT)).id == main.id


def test_publication_is_all_or_nothing(session, system, actor, standard):
    approved = _draft(session, actor, standard, SUPPORT)
    approve_as_system(session, system, approved)
    still_draft = _draft(session, actor, standard, INTERAGENCY)
    release = releases.create_release(
        session,
        system,
        name="half",
        effective_date=dt.date.today(),
        versions=[approved, still_draft],
    )
    with pytest.raises(InvalidTransition, match="must be approved"):
        releases.publish_release(session, actor("mintrud"), release)
    assert approved.status == VersionStatus.approved
    assert release.status == ReleaseStatus.draft


def test_refused_when_a_call_activity_has_nothing_in_force(session, system, actor, standard):
    supporting = standard(INTERAGENCY)
    releases.withdraw_version(session, actor("mintrud"), supporting.versions[0], reason="пересмотр")
    main = _draft(session, actor, standard, SUPPORT)
    approve_as_system(session, system, main)
    release = releases.create_release(
        session, system, name="alone", effective_date=dt.date.today(), versions=[main]
    )
    with pytest.raises(Conflict, match="InteragencyRequest") as refused:
        releases.publish_release(session, actor("mintrud"), release)
    assert refused.value.details["missing"] == [f"{main.label} calls InteragencyRequest"]
    assert main.status == VersionStatus.approved


def test_only_approvers_publish_and_only_published_versions_are_withdrawn(
    session, system, actor, standard
):
    version = _draft(session, actor, standard, "appeals.citizen-appeal")
    approve_as_system(session, system, version)
    release = releases.create_release(
        session, system, name="r", effective_date=dt.date.today(), versions=[version]
    )
    from engine.errors import Forbidden

    with pytest.raises(Forbidden):
        releases.publish_release(session, actor("methodologist"), release)
    with pytest.raises(InvalidTransition):
        releases.withdraw_version(session, actor("mintrud"), version, reason="x")
    releases.publish_release(session, actor("mintrud"), release)
    with pytest.raises(InvalidTransition):
        releases.publish_release(session, actor("mintrud"), release)
    releases.withdraw_version(session, actor("mintrud"), version, reason="ошибка")
    assert version.status == VersionStatus.withdrawn


def test_two_versions_of_one_standard_cannot_share_a_release(session, system, actor, standard):
    first = _draft(session, actor, standard, SUPPORT)
    second = _draft(session, actor, standard, SUPPORT, suffix=b"\n\n")
    with pytest.raises(Conflict, match="two versions"):
        releases.create_release(
            session, system, name="dup", effective_date=dt.date.today(), versions=[first, second]
        )

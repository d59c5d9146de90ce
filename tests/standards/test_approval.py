"""The approval route on the engine: stages by role, returns, resubmission, the author rule,
one transition when two approvers act at once."""

from __future__ import annotations

import threading

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cli import sample_org
from api.errors import is_write_contention
from engine import org
from engine.access import Actor, load_actor
from engine.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from migrations import alembic_config
from models import ApprovalDecision, Person, Standard, VersionStatus, make_engine
from standards import approval, registry
from standards.seeding import load_sample_library
from tests.standards.conftest import REGISTRATION, library_file

STAGES = ["lead_methodologist", "rostrud_expert", "mintrud_approver"]


def test_full_route_with_a_return(session, draft, actor):
    version = draft()
    author = actor("methodologist2")
    approval.submit_version(session, author, version)
    assert version.status == VersionStatus.in_review
    assert version.approval_route == "etalon.standard-approval v1"
    assert approval.current_stage(session, version).role == "lead_methodologist"

    with pytest.raises(Invalid, match="comment"):
        approval.decide(session, actor("methodologist"), version, decision="return")
    outcome = approval.decide(
        session, actor("methodologist"), version, decision="return", comment="Уточнить срок"
    )
    assert version.status == VersionStatus.draft
    assert outcome.next_stage.role == "author"

    with pytest.raises(Invalid, match="comment"):
        approval.submit_version(session, author, version)  # the rework task asks what was fixed
    approval.submit_version(session, author, version, comment="Срок уточнён")
    roles = []
    for login in ("methodologist", "rostrud", "mintrud"):
        roles.append(approval.current_stage(session, version).role)
        approval.decide(session, actor(login), version, decision="approve")
    assert roles == STAGES
    assert version.status == VersionStatus.approved and version.approved_at is not None
    history = session.scalars(
        select(ApprovalDecision).where(ApprovalDecision.version_id == version.id)
    ).all()
    assert [(d.stage, d.decision) for d in history] == [
        ("Task_ExpertReview", "return"),
        ("Task_ExpertReview", "approve"),
        ("Task_Conformance", "approve"),
        ("Task_Approve", "approve"),
    ]
    assert {d.route for d in history} == {"etalon.standard-approval v1"}


def test_author_never_approves_their_own_version(session, draft, actor):
    version = draft(login="methodologist")  # who is also the lead methodologist
    approval.submit_version(session, actor("methodologist"), version)
    with pytest.raises(Forbidden, match="author"):
        approval.decide(session, actor("methodologist"), version, decision="approve")


def test_only_the_stage_role_decides(session, draft, actor):
    version = draft()
    approval.submit_version(session, actor("methodologist2"), version)
    with pytest.raises(Forbidden):
        approval.decide(session, actor("mintrud"), version, decision="approve")
    with pytest.raises(Forbidden):
        approval.decide(session, actor("reg.lip"), version, decision="approve")


def test_wrong_transitions_name_the_allowed_ones(session, draft, actor, standard):
    version = draft()
    with pytest.raises(InvalidTransition) as not_in_review:
        approval.decide(session, actor("methodologist"), version, decision="approve")
    assert not_in_review.value.details["allowed"] == ["submit"]
    published = standard().versions[0]
    with pytest.raises(InvalidTransition) as not_draft:
        approval.submit_version(session, actor("methodologist2"), published)
    assert not_draft.value.details["allowed"] == ["withdraw"]


def test_versions_with_errors_cannot_be_submitted(session, draft, actor):
    broken = library_file(REGISTRATION, 2).replace(
        b'targetRef="Task_Register"', b'targetRef="Task_Missing"', 1
    )
    version = draft(broken)
    with pytest.raises(Invalid, match="validation error") as refused:
        approval.submit_version(session, actor("methodologist2"), version)
    assert refused.value.errors["problems"]


def test_switching_the_route(session, actor):
    with pytest.raises(NotFound):
        approval.set_route(session, actor("admin"), "no.such-route")
    with pytest.raises(Conflict):  # a draft-only standard cannot route approvals
        draft_only = session.scalars(select(Standard).where(Standard.key == REGISTRATION)).one()
        draft_only.versions[0].status = VersionStatus.withdrawn
        session.flush()
        approval.set_route(session, actor("admin"), REGISTRATION)
    with pytest.raises(Forbidden):
        approval.set_route(session, actor("methodologist"), "etalon.standard-approval")
    route = approval.set_route(session, actor("admin"), "etalon.standard-approval")
    assert route.standard.key == "etalon.standard-approval"


@pytest.fixture
def committed_database(request, database_kind, new_database):
    """A database of its own with committed data: concurrent sessions must see it."""
    url = new_database(database_kind, "etalon_race")
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as session:
        org.import_org(session, Actor.system("tests"), sample_org())
        load_sample_library(session, Actor.system("tests"))
        session.commit()
    yield engine
    engine.dispose()


def test_two_approvers_at_once_make_exactly_one_transition(committed_database):
    engine = committed_database
    with Session(engine) as session:
        system = Actor.system("tests")
        fed = org.unit_by_code(session, "FED")
        second = org.create_person(
            session, system, login="rostrud2", name="Второй эксперт", unit=fed
        )
        org.grant_role(session, system, second, "rostrud_expert", fed)
        standard = session.scalars(select(Standard).where(Standard.key == REGISTRATION)).one()
        author = load_actor(session, _person(session, "methodologist2"))
        version = registry.upload_version(
            session, author, standard, library_file(REGISTRATION, 2) + b"\n"
        ).version
        approval.submit_version(session, author, version)
        lead = load_actor(session, _person(session, "methodologist"))
        approval.decide(session, lead, version, decision="approve")
        session.commit()
        version_id = version.id

    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def decide(login: str) -> None:
        with Session(engine) as session:
            actor = load_actor(session, _person(session, login))
            version = session.get(registry.StandardVersion, version_id)
            approval.current_stage(session, version)  # both load the same state first
            barrier.wait()
            try:
                approval.decide(session, actor, version, decision="approve")
                session.commit()
                results[login] = "ok"
            except Conflict:
                session.rollback()
                results[login] = "conflict"
            except Exception as exc:
                session.rollback()
                # SQLite refuses the second writer outright (the API answers 409 for it too).
                results[login] = "conflict" if is_write_contention(exc) else repr(exc)

    threads = [threading.Thread(target=decide, args=(login,)) for login in ("rostrud", "rostrud2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results.values()) == ["conflict", "ok"], results
    with Session(engine) as session:
        decisions = session.scalars(
            select(ApprovalDecision).where(
                ApprovalDecision.version_id == version_id,
                ApprovalDecision.stage == "Task_Conformance",
            )
        ).all()
        assert len(decisions) == 1
        version = session.get(registry.StandardVersion, version_id)
        assert approval.current_stage(session, version).role == "mintrud_approver"


def _person(session: Session, login: str) -> int:
    return session.scalars(select(Person.id).where(Person.login == login)).one()

"""Instances and tasks through the domain operations, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import org
from engine.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from engine.instances import (
    InstanceFilter,
    Subject,
    get_instance,
    instance_history,
    query_instances,
    start_instance,
)
from engine.tasks import claim_task, complete_task, get_task, query_my_tasks
from models import (
    CheckpointEvent,
    InstanceStatus,
    TaskStatus,
    Timer,
    VersionStatus,
    WorkTask,
)
from tests.engine.conftest import linear_bpmn, publish, publish_library

REGISTRATION = "employment.job-seeker-registration"


@pytest.fixture
def lipetsk(session):
    return org.unit_by_code(session, "R48-LIP")


@pytest.fixture
def registration(session, grant):
    grant("head.lip", "czn_head", "R48-LIP")
    grant("career.lip", "employer_specialist", "R48-LIP")
    return publish_library(session, REGISTRATION, 1)


def open_tasks(session, instance):
    return list(
        session.scalars(
            select(WorkTask).where(
                WorkTask.instance_id == instance.id,
                WorkTask.status.in_([TaskStatus.ready, TaskStatus.claimed]),
            )
        )
    )


def test_registration_runs_to_the_end_with_tasks_by_role(session, actor_of, lipetsk, registration):
    reg = actor_of("reg.lip")
    instance = start_instance(session, reg, registration, lipetsk, {"channel": "epgu"})
    assert instance.status == InstanceStatus.running
    [task] = open_tasks(session, instance)
    assert (task.node_id, task.role) == ("Task_CheckApplication", "registration_specialist")
    assert task.due_at is not None and task.due_at > instance.started_at
    assert {f["name"] for f in task.fields} == {"returned", "channel"}
    mine = session.scalars(query_my_tasks(reg)).all()
    assert task in mine
    assert task not in session.scalars(query_my_tasks(actor_of("career.lip"))).all()

    complete_task(session, reg, task.id, {"returned": False, "channel": "czn"})
    [task] = open_tasks(session, instance)
    assert task.node_id == "Task_Register"
    assert session.scalars(select(Timer).where(Timer.instance_id == instance.id)).one().due_at
    complete_task(session, reg, task.id, {"registration_date": "2026-11-23"})
    [task] = open_tasks(session, instance)
    assert task.role == "employer_specialist"
    with pytest.raises(Forbidden):
        complete_task(session, reg, get_task(session, actor_of("career.lip"), task.id).id, {})
    complete_task(session, actor_of("career.lip"), task.id, {"vacancies_offered": 3})

    assert instance.status == InstanceStatus.completed
    timer = session.scalars(select(Timer).where(Timer.instance_id == instance.id)).one()
    assert timer.cancelled_at is not None and timer.fired_at is None
    events = session.scalars(
        select(CheckpointEvent)
        .where(CheckpointEvent.instance_id == instance.id)
        .order_by(CheckpointEvent.id)
    ).all()
    reached = [e.checkpoint_id for e in events if e.kind == "reached"]
    assert reached == [
        "CP_APPLICATION",
        "CP_DOCS_CHECKED",
        "CP_REGISTERED",
        "CP_VACANCIES_OFFERED",
        "CP_DONE",
    ]
    offered = next(
        e for e in events if e.checkpoint_id == "CP_VACANCIES_OFFERED" and e.kind == "completed"
    )
    assert offered.attributes == {"vacancies_offered": 3}
    assert offered.actor_login == "career.lip"
    assert offered.office_id == lipetsk.id
    assert offered.region_id == org.unit_by_code(session, "R48").id
    assert offered.standard_key == REGISTRATION
    history = instance_history(session, instance)
    assert [t.completed_by_login for t in history.completed_tasks] == [
        "reg.lip",
        "reg.lip",
        "career.lip",
    ]


def test_start_needs_a_published_version_an_office_and_scope(
    session, actor_of, lipetsk, registration, system
):
    reg = actor_of("reg.lip")
    with pytest.raises(NotFound):
        start_instance(session, reg, registration, org.unit_by_code(session, "R71-TUL"))
    with pytest.raises(Forbidden):
        start_instance(session, actor_of("auditor"), registration, lipetsk)
    with pytest.raises(Invalid):
        start_instance(session, reg, registration, org.unit_by_code(session, "R48-LIP-REG"))
    draft = publish(session, "draft.std", linear_bpmn(1), status=VersionStatus.draft)
    with pytest.raises(Invalid):
        start_instance(session, reg, draft, lipetsk)
    with pytest.raises(Forbidden):
        start_instance(session, reg, draft, lipetsk, subject=Subject("StandardVersion", 1))
    route = start_instance(
        session, system, draft, org.unit_by_code(session, "FED"), subject=Subject("Thing", 7)
    )
    assert (route.subject_type, route.subject_id) == ("Thing", 7)


def test_task_data_is_checked_against_declared_fields(session, actor_of, lipetsk, registration):
    reg = actor_of("reg.lip")
    instance = start_instance(session, reg, registration, lipetsk)
    [task] = open_tasks(session, instance)
    with pytest.raises(Invalid) as caught:
        complete_task(session, reg, task.id, {"returned": "yes", "channel": "post", "x": 1})
    assert set(caught.value.errors) == {"returned", "channel", "x"}
    complete_task(session, reg, task.id, {"returned": False})
    [task] = open_tasks(session, instance)
    with pytest.raises(Invalid) as caught:
        complete_task(session, reg, task.id, {})
    assert caught.value.errors == {"registration_date": ["is required"]}
    with pytest.raises(Invalid):
        complete_task(session, reg, task.id, {"registration_date": "23.11.2026"})


def test_completed_tasks_cannot_be_completed_again_and_claims_are_respected(
    session, actor_of, lipetsk, registration, grant
):
    reg = actor_of("reg.lip")
    instance = start_instance(session, reg, registration, lipetsk)
    [task] = open_tasks(session, instance)
    grant("career.lip", "registration_specialist", "R48-LIP")
    other = actor_of("career.lip")
    claim_task(session, other, task)
    assert task.status == TaskStatus.claimed
    assert task not in session.scalars(query_my_tasks(reg)).all()
    with pytest.raises(Conflict):
        complete_task(session, reg, task.id, {})
    complete_task(session, other, task.id, {"returned": False})
    with pytest.raises(InvalidTransition):
        complete_task(session, other, task.id, {"returned": False})
    with pytest.raises(Conflict):
        complete_task(session, reg, open_tasks(session, instance)[0].id, {}, expected_lock=1)


def test_instances_are_read_in_scope(session, actor_of, lipetsk, registration):
    instance = start_instance(session, actor_of("reg.lip"), registration, lipetsk)
    assert get_instance(session, actor_of("head.lipetsk"), instance.id) is instance
    assert get_instance(session, actor_of("reg.lip"), instance.id) is instance
    with pytest.raises(NotFound):
        get_instance(session, actor_of("reg.tul"), instance.id)
    with pytest.raises(Forbidden):
        get_instance(session, actor_of("admin"), instance.id)
    with pytest.raises(NotFound):  # job roles, but none of this instance
        get_instance(session, actor_of("methodologist"), instance.id)
    ids = session.scalars(query_instances(actor_of("head.tula"))).all()
    assert instance not in ids
    listed = session.scalars(
        query_instances(actor_of("head.lip"), InstanceFilter(standard_key=REGISTRATION))
    ).all()
    assert instance in listed

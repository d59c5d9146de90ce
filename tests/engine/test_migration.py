"""Bulk migration of running instances to a newer version: dry run, apply, what stays."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import org
from engine.errors import Forbidden, Invalid
from engine.instances import start_instance
from engine.migration import migrate_instances
from engine.tasks import complete_task
from models import CheckpointEvent, InstanceStatus, TaskStatus, WorkTask
from tests.engine.conftest import linear_bpmn, publish


def _ready(instance) -> WorkTask:
    return next(t for t in instance.tasks if t.status == TaskStatus.ready)


@pytest.fixture
def versions(session):
    old = publish(session, "mig.std", linear_bpmn(3), process_id="Linear")
    new = publish(session, "mig.std", linear_bpmn(2), number=2)
    return old, new


def test_dry_run_then_apply_moves_only_those_that_can(session, system, versions, actor_of):
    old, new = versions
    unit = org.unit_by_code(session, "R48-LIP")
    at_first = start_instance(session, system, old, unit)
    at_third = start_instance(session, system, old, unit)
    for _ in range(2):
        complete_task(session, system, _ready(at_third).id, {})
    assert _ready(at_third).node_id == "Task_3"  # the new version has no Task_3

    report = migrate_instances(session, system, old, new, dry_run=True)
    by_id = {move.instance_id: move for move in report.instances}
    assert by_id[at_first.id].can_move and not by_id[at_first.id].moved
    assert not by_id[at_third.id].can_move
    assert "Task_3" in by_id[at_third.id].reasons[0]
    assert at_first.version_id == old.id  # a dry run changes nothing

    task_before = _ready(at_first)
    events_before = session.scalars(
        select(CheckpointEvent).where(CheckpointEvent.instance_id == at_first.id)
    ).all()
    report = migrate_instances(session, system, old, new, dry_run=False)
    assert (report.movable, report.moved) == (1, 1)
    assert at_first.version_id == new.id and at_third.version_id == old.id
    assert _ready(at_first).id == task_before.id  # the same task, still ready
    assert (
        session.scalars(
            select(CheckpointEvent).where(CheckpointEvent.instance_id == at_first.id)
        ).all()
        == events_before
    )  # no checkpoint reported twice

    complete_task(session, system, _ready(at_first).id, {"n1": 1})
    complete_task(session, system, _ready(at_first).id, {"n2": 2})
    assert at_first.status == InstanceStatus.completed
    cp = session.scalars(
        select(CheckpointEvent).where(
            CheckpointEvent.instance_id == at_first.id, CheckpointEvent.checkpoint_id == "CP_2"
        )
    ).all()
    assert {e.kind for e in cp} == {"reached", "completed"} and cp[0].version_id == new.id


def test_only_newer_published_versions_of_the_same_standard(session, system, versions, actor_of):
    old, new = versions
    other = publish(session, "mig.other", linear_bpmn(1), process_id="Linear")
    with pytest.raises(Invalid):
        migrate_instances(session, system, old, other)
    with pytest.raises(Invalid):
        migrate_instances(session, system, new, old)
    with pytest.raises(Forbidden):
        migrate_instances(session, actor_of("reg.lip"), old, new)


def test_scope_limits_what_an_administrator_moves(session, system, versions, actor_of):
    old, new = versions
    start_instance(session, system, old, org.unit_by_code(session, "R48-LIP"))
    tula = start_instance(session, system, old, org.unit_by_code(session, "R71-TUL"))
    report = migrate_instances(session, actor_of("admin.tula"), old, new, dry_run=False)
    assert [m.instance_id for m in report.instances] == [tula.id]

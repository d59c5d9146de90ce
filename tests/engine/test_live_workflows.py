"""Live workflows: a step reuses the workflow the previous step of this process saved, only when
the row still is what that step committed; anything else is a miss and restores from the row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import org
from engine.access import Actor
from engine.case_rows import CaseRow, RowVersion
from engine.instances import start_instance
from engine.live_workflows import LiveWorkflows, live_workflows
from engine.spiff import Workflow, parse_spec
from engine.tasks import complete_task, get_task
from engine.timers import fire_timer
from models import InstanceStatus, ProcessInstance, TaskStatus, Timer, WorkTask
from tests.engine.conftest import linear_bpmn, publish

SYSTEM = Actor.system("tests")


# -- the cache alone ----------------------------------------------------------------------


def _workflow() -> Workflow:
    workflow = Workflow.create(parse_spec(linear_bpmn(2), "Linear"))
    workflow.run_engine_steps()
    workflow.events.clear()  # saved: its events went to the database
    return workflow


def _row(lock_version: int, instance_id: int = 7) -> RowVersion:
    return (instance_id, lock_version, dt.datetime(2026, 3, 2, 10, 0, 0, lock_version, dt.UTC))


def test_a_workflow_is_kept_only_once_its_session_commits():
    cache, workflow, row = LiveWorkflows(), _workflow(), _row(2)
    session = Session()
    cache.remember(session, row, workflow)
    assert cache.take(row, workflow.parsed.key) is None  # not committed yet
    session.commit()
    assert cache.take(row, workflow.parsed.key) is workflow
    assert cache.take(row, workflow.parsed.key) is None  # taken: the taker owns it now


def test_a_rolled_back_save_is_never_kept():
    cache, workflow, row = LiveWorkflows(), _workflow(), _row(2)
    session = Session()
    session.begin()  # a save happens inside a transaction
    cache.remember(session, row, workflow)
    session.rollback()
    session.commit()
    assert len(cache) == 0 and cache.take(row, workflow.parsed.key) is None


def test_another_row_version_or_spec_is_a_miss():
    cache, workflow = LiveWorkflows(), _workflow()
    session = Session()
    cache.remember(session, _row(2), workflow)
    session.commit()
    assert cache.take(_row(3), workflow.parsed.key) is None  # someone wrote the row since
    assert cache.take(_row(2, instance_id=8), workflow.parsed.key) is None
    assert cache.take(_row(2), "another spec") is None
    assert (cache.hits, cache.misses) == (0, 3)


def test_the_cache_is_bounded_and_can_be_switched_off():
    cache = LiveWorkflows(capacity=2)
    session = Session()
    workflows = {version: _workflow() for version in (2, 3, 4)}
    for version, workflow in workflows.items():
        cache.remember(session, _row(version), workflow)
        session.commit()
    assert len(cache) == 2
    assert cache.take(_row(2), workflows[2].parsed.key) is None  # the oldest went first
    off = LiveWorkflows(capacity=0)
    off.remember(session, _row(5), workflows[4])
    session.commit()
    assert len(off) == 0


def test_a_workflow_with_unsaved_events_is_not_kept():
    cache, row = LiveWorkflows(), _row(2)
    workflow = Workflow.create(parse_spec(linear_bpmn(2), "Linear"))
    workflow.run_engine_steps()
    assert workflow.events  # reached Task_1: not saved yet
    session = Session()
    cache.remember(session, row, workflow)
    session.commit()
    assert len(cache) == 0


# -- through the engine, on both databases -----------------------------------------------


@pytest.fixture
def linear(session):
    return publish(session, "live.linear", linear_bpmn(4), process_id="Linear")


def _ready(session: Session, instance_id: int) -> WorkTask:
    task_id = session.scalar(
        select(WorkTask.id).where(
            WorkTask.instance_id == instance_id, WorkTask.status == TaskStatus.ready
        )
    )
    return get_task(session, SYSTEM, task_id)


def _row_version(session: Session, instance: ProcessInstance) -> RowVersion:
    session.refresh(instance)
    return CaseRow.of(instance).row_version


def _complete(session: Session, instance_id: int) -> str:
    task = _ready(session, instance_id)
    complete_task(session, SYSTEM, task.id, {f"n{task.node_id.split('_')[1]}": 1})
    session.commit()
    return task.node_id


def test_steps_reuse_the_workflow_the_previous_step_saved(session, linear):
    instance = start_instance(session, SYSTEM, linear, org.unit_by_code(session, "R48-LIP"))
    session.commit()
    hits, misses = live_workflows.hits, live_workflows.misses
    done = [_complete(session, instance.id) for _ in range(4)]
    assert done == ["Task_1", "Task_2", "Task_3", "Task_4"]
    assert (live_workflows.hits - hits, live_workflows.misses - misses) == (4, 0)
    session.refresh(instance)
    assert instance.status == InstanceStatus.completed
    assert instance.data == {"n1": 1, "n2": 1, "n3": 1, "n4": 1}


def test_after_a_rolled_back_step_the_next_one_restores_from_the_row(session, linear):
    instance = start_instance(session, SYSTEM, linear, org.unit_by_code(session, "R48-LIP"))
    session.commit()
    task = _ready(session, instance.id)
    complete_task(session, SYSTEM, task.id, {"n1": 1})
    session.rollback()  # e.g. the request failed later: Task_1 is still to do
    misses = live_workflows.misses
    assert _complete(session, instance.id) == "Task_1"
    assert live_workflows.misses == misses + 1
    assert _complete(session, instance.id) == "Task_2"  # and the next one is live again
    assert live_workflows.misses == misses + 1


def test_a_write_by_someone_else_makes_the_kept_workflow_a_miss(session, linear):
    instance = start_instance(session, SYSTEM, linear, org.unit_by_code(session, "R48-LIP"))
    session.commit()
    _complete(session, instance.id)  # this process now keeps the workflow after Task_1
    kept = live_workflows.take(_row_version(session, instance), instance.state["spec_key"])
    assert kept is not None
    # Another process moves the instance on from the row: restore, complete, save.
    live_workflows.capacity, capacity = 0, live_workflows.capacity
    try:
        assert _complete(session, instance.id) == "Task_2"
    finally:
        live_workflows.capacity = capacity
    # The old workflow, had it stayed, would be under a key the row no longer has.
    assert _row_version(session, instance)[1] > 3
    assert _complete(session, instance.id) == "Task_3"  # restored from the row, not the old one
    session.refresh(instance)
    assert instance.data == {"n1": 1, "n2": 1, "n3": 1}


@pytest.mark.parametrize("live", [True, False], ids=["live", "restored"])
def test_an_interrupting_timer_cancels_the_row_of_the_task_it_interrupts(session, live):
    bpmn = (Path(__file__).parent.parent / "data" / "engine" / "timer_boundary.bpmn").read_bytes()
    version = publish(session, "live.boundary", bpmn, process_id="Appeal")
    instance = start_instance(session, SYSTEM, version, org.unit_by_code(session, "R48-LIP"))
    session.commit()
    if not live:  # as if the worker's process had never seen the instance
        live_workflows.take(_row_version(session, instance), instance.state["spec_key"])
    timer = session.scalars(select(Timer).where(Timer.instance_id == instance.id)).one()
    assert fire_timer(session, SYSTEM, timer.id)
    session.commit()
    rows = session.execute(
        select(WorkTask.node_id, WorkTask.status).where(WorkTask.instance_id == instance.id)
    ).all()
    assert sorted(rows) == [
        ("Task_Answer", TaskStatus.cancelled),
        ("Task_Escalate", TaskStatus.ready),
    ]
    assert _complete(session, instance.id) == "Task_Escalate"
    session.refresh(instance)
    assert instance.status == InstanceStatus.completed

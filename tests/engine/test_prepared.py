"""Prepared statements and the records of a step (engine.prepared, engine.case_rows), on both
databases: what they read and write is what the ORM reads and writes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, insert, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError

from engine import org
from engine.access import Actor
from engine.case_rows import CaseRow, load_state, load_task
from engine.instances import start_instance
from engine.prepared import Prepared, reflect
from models import InstanceStatus, ProcessInstance, TaskStatus, WorkTask
from tests.engine.conftest import linear_bpmn, publish

SYSTEM = Actor.system("tests")
_task = WorkTask.__table__.c


@pytest.fixture
def instance(session):
    version = publish(session, "prepared.linear", linear_bpmn(3), process_id="Linear")
    return start_instance(session, SYSTEM, version, org.unit_by_code(session, "R48-LIP"))


def _ready(session, instance) -> WorkTask:
    return session.scalars(
        select(WorkTask).where(
            WorkTask.instance_id == instance.id, WorkTask.status == TaskStatus.ready
        )
    ).one()


def test_a_task_record_holds_what_the_orm_loads(session, instance):
    task = _ready(session, instance)
    record = load_task(session, task.id)
    for name in ("id", "instance_id", "spiff_task_id", "node_id", "name", "kind", "lane",
                 "role", "status", "fields", "due_at", "created_at", "claimed_by_id"):  # fmt: skip
        assert getattr(record, name) == getattr(task, name), name
    assert isinstance(record.status, TaskStatus)  # the enum, not its string
    assert record.due_at.tzinfo is not None and record.created_at.tzinfo is not None
    assert record.fields[0]["name"] == "n1" and record.fields[0]["type"] == "integer"
    assert record.instance == CaseRow.of(instance)
    assert record.instance.status == InstanceStatus.running
    assert record.lock_version == instance.lock_version
    assert record.unit_path == instance.unit.path
    assert load_state(session, record.instance) == instance.state
    assert load_task(session, 10**9) is None


def test_literal_values_in_a_statement_are_sent_as_written(session, instance):
    still_open = Prepared(
        select(_task.node_id).where(
            _task.instance_id == bindparam("instance_id"),
            or_(_task.status == TaskStatus.ready, _task.status == TaskStatus.claimed),
        )
    )
    assert still_open.rows(session, {"instance_id": instance.id}) == [("Task_1",)]


def test_json_given_as_text_is_stored_as_json(session, instance):
    columns = ProcessInstance.__table__.c
    write = Prepared(
        update(ProcessInstance.__table__)
        .where(columns.id == bindparam("id"))
        .values(
            data=bindparam("data", type_=columns.data.type),
            updated_at=bindparam("updated_at", type_=columns.updated_at.type),
        ),
        encoded=("data",),
    )
    now = dt.datetime.now(dt.UTC)
    write.execute(
        session, {"id": instance.id, "data": '{"answer": 42, "ok": [true]}', "updated_at": now}
    ).close()
    session.expire(instance)
    assert instance.data == {"answer": 42, "ok": [True]}
    assert instance.updated_at == now


def test_columns_sqlalchemy_would_fill_in_must_be_given(session, instance):
    columns = ProcessInstance.__table__.c
    without = Prepared(
        update(ProcessInstance.__table__)
        .where(columns.id == bindparam("id"))
        .values(error=bindparam("error"))  # updated_at has an onupdate default
    )
    with pytest.raises(ValueError, match="updated_at"):
        without.execute(session, {"id": instance.id, "error": "x"})


def test_database_errors_are_raised_as_sqlalchemy_raises_them(session, instance):
    task = _ready(session, instance)
    duplicate = Prepared(
        insert(WorkTask.__table__).values(
            instance_id=bindparam("instance_id"),
            spiff_task_id=bindparam("spiff_task_id"),
            node_id=bindparam("node_id"),
            kind=bindparam("kind"),
            status=bindparam("status", type_=_task.status.type),
            fields=bindparam("fields", type_=_task.fields.type),
            created_at=bindparam("created_at", type_=_task.created_at.type),
        )
    )
    values = {
        "instance_id": task.instance_id,
        "spiff_task_id": task.spiff_task_id,  # unique per instance
        "node_id": "Task_1",
        "kind": "userTask",
        "status": TaskStatus.ready,
        "fields": [],
        "created_at": dt.datetime.now(dt.UTC),
    }
    savepoint = session.begin_nested()
    with pytest.raises(IntegrityError):
        duplicate.execute(session, values)
    savepoint.rollback()
    assert _ready(session, instance).id == task.id  # nothing else was lost


def test_reflect_shows_a_written_row_on_the_loaded_object(session, instance):
    task = _ready(session, instance)
    reflect(session, WorkTask, task.id, {"status": TaskStatus.cancelled})
    assert task.status == TaskStatus.cancelled
    assert not inspect(task).modified  # as stored: nothing for the flush to write
    task.name = "changed"  # unsaved changes of its own: the written attributes are expired
    reflect(session, WorkTask, task.id, {"status": TaskStatus.ready})
    assert "status" in inspect(task).expired_attributes
    reflect(session, WorkTask, 10**9, {"status": TaskStatus.ready})  # not loaded: nothing to do

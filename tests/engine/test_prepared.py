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
from engine.prepared import Prepared, batched, reflect, rowcount_of
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


_INSERT_TASK = Prepared(
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


def _duplicate_of(task: WorkTask) -> dict:
    """Values of a task row that breaks the uniqueness of ``task``'s spiff id per instance."""
    return {
        "instance_id": task.instance_id,
        "spiff_task_id": task.spiff_task_id,
        "node_id": "Task_1",
        "kind": "userTask",
        "status": TaskStatus.ready,
        "fields": [],
        "created_at": dt.datetime.now(dt.UTC),
    }


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
    savepoint = session.begin_nested()
    with pytest.raises(IntegrityError):
        _INSERT_TASK.execute(session, _duplicate_of(task))
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


_RENAME = Prepared(
    update(WorkTask.__table__)
    .where(_task.id == bindparam("id"), _task.status == TaskStatus.ready)
    .values(name=bindparam("name"))
)
_NAME = Prepared(select(_task.name).where(_task.id == bindparam("id")))


def test_a_batch_sends_its_statements_together_and_a_read_waits_for_them(
    session, instance, database_kind
):
    task = _ready(session, instance)
    driver = session.connection().connection.driver_connection
    with batched(session):
        if database_kind == "postgresql":  # in psycopg's pipeline mode
            assert driver.pgconn.pipeline_status != 0
        renamed = _RENAME.execute(session, {"id": task.id, "name": "Первый"})
        missed = _RENAME.execute(session, {"id": 10**9, "name": "нет"})
        assert _NAME.first(session, {"id": task.id}) == ("Первый",)  # sees the queued write
        assert rowcount_of(session, renamed) == 1 and rowcount_of(session, missed) == 0
        _RENAME.execute(session, {"id": task.id, "name": "Второй"}).close()  # result unread
        written = _RENAME.execute(session, {"id": task.id, "name": "Третий"})
    assert rowcount_of(session, written) == 1  # arrived when the batch ended
    assert _NAME.first(session, {"id": task.id}) == ("Третий",)


def test_an_error_in_a_batch_is_raised_as_sqlalchemy_raises_it(session, instance):
    task = _ready(session, instance)
    savepoint = session.begin_nested()
    with pytest.raises(IntegrityError), batched(session):
        _RENAME.execute(session, {"id": task.id, "name": "до ошибки"}).close()
        _INSERT_TASK.execute(session, _duplicate_of(task)).close()
    savepoint.rollback()
    assert _NAME.first(session, {"id": task.id}) == (task.name,)  # nothing half-written


def test_statements_through_sqlalchemy_are_refused_inside_a_batch(session, instance, database_kind):
    task = _ready(session, instance)
    task.name = "изменено"  # flushed before the batch begins
    with batched(session):
        assert _NAME.first(session, {"id": task.id}) == ("изменено",)
        if database_kind == "postgresql":  # pipeline mode: SQLAlchemy would read no result
            with pytest.raises(RuntimeError, match="inside a batch"):
                session.execute(select(WorkTask.id).where(WorkTask.id == task.id))
        else:  # SQLite has no batches: statements run one by one as usual
            assert session.execute(select(WorkTask.id).where(WorkTask.id == task.id)).one()
    assert session.get(WorkTask, task.id).name == "изменено"

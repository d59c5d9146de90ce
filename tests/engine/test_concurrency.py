"""Two people completing the same instance at the same moment, on PostgreSQL: one wins, the
other gets Conflict (409), and the instance moved on exactly once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import org
from engine.access import Actor
from engine.errors import Conflict
from engine.instances import start_instance
from engine.tasks import complete_task
from models import ProcessInstance, TaskStatus, WorkTask, make_engine
from tests.engine.conftest import linear_bpmn, publish


def test_concurrent_completions_one_wins(committed_postgres):
    engine = committed_postgres
    system = Actor.system("tests")
    with Session(engine) as session:
        version = publish(session, "race.std", linear_bpmn(3), process_id="Linear")
        instance = start_instance(session, system, version, org.unit_by_code(session, "R48-LIP"))
        task_id = next(t.id for t in instance.tasks if t.status == TaskStatus.ready)
        instance_id = instance.id
        session.commit()

    url = engine.url.render_as_string(hide_password=False)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    seen: list[int] = []

    def complete(name: str) -> None:
        own = make_engine(url)
        try:
            with Session(own) as session:
                task = session.get(WorkTask, task_id)
                seen.append(task.instance.lock_version)  # both load it before either writes
                barrier.wait(timeout=30)
                try:
                    complete_task(session, Actor.system(name), task.id, {"n1": 1})
                    session.commit()
                    outcomes.append("won")
                except Conflict:
                    session.rollback()
                    outcomes.append("conflict")
        finally:
            own.dispose()

    threads = [threading.Thread(target=complete, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["conflict", "won"]
    with Session(engine) as session:
        instance = session.get(ProcessInstance, instance_id)
        done = session.scalar(
            select(func.count()).where(
                WorkTask.instance_id == instance_id, WorkTask.status == TaskStatus.completed
            )
        )
        ready = session.scalars(
            select(WorkTask.node_id).where(
                WorkTask.instance_id == instance_id, WorkTask.status == TaskStatus.ready
            )
        ).all()
        assert done == 1 and ready == ["Task_2"]
        assert len(set(seen)) == 1 and instance.lock_version > seen[0]

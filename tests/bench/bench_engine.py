"""Benchmark of the execution engine: linear standards of 20 and 100 user tasks, completed task
by task through Etalon's operations with database persistence (SQLite and a temporary
PostgreSQL), beside bare SpiffWorkflow in memory and SpiffWorkflow serialising the whole
workflow (spec included) after every task; then the p50 latency of one task completion over
HTTP on a running ``etalon serve``.

Beside each persisted figure: the same with no live workflow kept in memory (every step as if
in another process: the state is read and deserialised), and the floor — the statements a
completion needs, sent through the bare DB-API driver with no ORM and no SpiffWorkflow. On
PostgreSQL also the throughput of 2 and 4 processes completing tasks at once, as ``gunicorn
-w N`` serves requests (SQLite has one writer at a time).

Run ``.venv/bin/python -m tests.bench.bench_engine`` (``--instances N``, ``--skip-http``,
``--profile`` to print where the persisted 100-task run spends its time). Prints figures and
PASS/MISS against the targets; asserts nothing.

Targets: persisted throughput at least the bare serialise-after-every-task rate for 20 tasks;
per-task cost of the 100-task standard at most 2× that of the 20-task one.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from alembic import command
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser as SpiffBpmnParser
from SpiffWorkflow.bpmn.serializer.workflow import (
    BpmnWorkflowSerializer as SpiffBpmnWorkflowSerializer,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow as SpiffBpmnWorkflow
from SpiffWorkflow.util.task import TaskState as SpiffTaskState
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    select,
)
from sqlalchemy.orm import Session

from api.cli import sample_org
from bpmn.loading import load_document
from engine import org
from engine.access import Actor
from engine.instances import start_instance
from engine.live_workflows import live_workflows
from engine.prepared import Prepared
from engine.spiff import Workflow, parse_spec
from engine.tasks import complete_task
from migrations import alembic_config
from models import TaskStatus, WorkTask, make_engine
from tests.engine.conftest import linear_bpmn, publish
from tests.postgres import PostgresUnavailable, TemporaryPostgres

SIZES = (20, 100)
WORKERS = (2, 4)  # processes completing tasks at once (PostgreSQL); the machine has 2 cores
LIVE_CAPACITY = live_workflows.capacity
BIN = Path(sys.executable).parent


# -- SpiffWorkflow alone ------------------------------------------------------------------


def _spiff_spec(bpmn: bytes):
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(load_document(bpmn).root, filename="linear.bpmn")
    return parser.get_spec("Linear"), parser.get_subprocess_specs("Linear")


def bare_spiff(bpmn: bytes, instances: int, *, serialise: bool) -> float:
    """Seconds per instance, completing every task in memory (optionally serialising the whole
    workflow as JSON after each task, as a naive persistence would)."""
    spec, subprocesses = _spiff_spec(bpmn)
    serializer = SpiffBpmnWorkflowSerializer()
    started = time.perf_counter()
    for _ in range(instances):
        workflow = SpiffBpmnWorkflow(spec, subprocesses)
        workflow.do_engine_steps()
        while not workflow.is_completed():
            task = workflow.get_tasks(state=SpiffTaskState.READY, manual=True)[0]
            task.data.update({f"n{task.task_spec.bpmn_id.split('_')[1]}": 1})
            task.run()
            workflow.do_engine_steps()
            if serialise:
                serializer.serialize_json(workflow)
    return (time.perf_counter() - started) / instances


# -- Etalon with a database -----------------------------------------------------------------


def prepared_database(url: str) -> Engine:
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as session:
        org.import_org(session, Actor.system("bench"), sample_org())
        session.commit()
    return engine


def persisted(engine: Engine, bpmn: bytes, key: str, instances: int) -> float:
    """Seconds per instance: start, then complete every task, one transaction per operation
    (as one HTTP request each), the state saved after every step."""
    with Session(engine) as session:
        version_id = publish(session, key, bpmn, process_id="Linear").id
        unit_id = org.unit_by_code(session, "R48-LIP").id
        session.commit()
    return persisted_instances(engine, version_id, unit_id, instances)


_NEXT_TASK = Prepared(
    select(WorkTask.id, WorkTask.node_id)
    .where(WorkTask.instance_id == bindparam("instance_id"), WorkTask.status == TaskStatus.ready)
    .limit(1)
)


def persisted_instances(engine: Engine, version_id: int, unit_id: int, instances: int) -> float:
    """Seconds per instance of :func:`persisted` for an already published version."""
    system = Actor.system("bench")
    started = time.perf_counter()
    for _ in range(instances):
        with Session(engine) as session:
            from models import StandardVersion, Unit

            instance = start_instance(
                session,
                system,
                session.get(StandardVersion, version_id),
                session.get(Unit, unit_id),
            )
            session.commit()
            instance_id = instance.id
        task: tuple | None = ()
        while task is not None:
            with Session(engine) as session:
                # What a client asks first (its work list), in the completion's transaction.
                task = _NEXT_TASK.first(session, {"instance_id": instance_id})
                if task is not None:
                    task_id, node_id = task
                    complete_task(session, system, task_id, {f"n{node_id.split('_')[1]}": 1})
                # As a request that succeeded (api/db.py): a rollback would also make psycopg
                # drop the connection's prepared statements.
                session.commit()
    return (time.perf_counter() - started) / instances


def _complete_instances(url: str, version_id: int, unit_id: int, count: int, start) -> None:
    """One worker process of :func:`concurrent`: its own connection pool, ``count`` instances."""
    engine = make_engine(url)
    persisted_instances(engine, version_id, unit_id, 1)  # connect, warm the spec cache
    start.wait()
    persisted_instances(engine, version_id, unit_id, count)
    engine.dispose()


def concurrent(engine: Engine, bpmn: bytes, key: str, instances: int, workers: int) -> float:
    """Seconds per instance of the whole system when ``workers`` processes (as ``gunicorn -w
    N`` runs them) each start and complete their share of instances at the same time."""
    with Session(engine) as session:
        version_id = publish(session, key, bpmn, process_id="Linear").id
        unit_id = org.unit_by_code(session, "R48-LIP").id
        session.commit()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(workers + 1)
    url = engine.url.render_as_string(hide_password=False)
    processes = [
        context.Process(
            target=_complete_instances,
            args=(url, version_id, unit_id, instances // workers, start),
        )
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    start.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a worker process failed ({process.exitcode})")
    return (time.perf_counter() - started) / (instances // workers * workers)


# -- the database alone: the floor ------------------------------------------------------------

_floor = MetaData()
_floor_instances = Table(
    "bench_floor_instances",
    _floor,
    Column("id", Integer, primary_key=True),
    Column("state", Text),
    Column("lock_version", Integer),
)
_floor_tasks = Table(
    "bench_floor_tasks",
    _floor,
    Column("id", Integer, primary_key=True),
    Column("instance_id", Integer, index=True),
    Column("spiff_task_id", String(36)),
    Column("status", String(20)),
    Column("completed_data", Text),
)
_floor_audit = Table(
    "bench_floor_audit",
    _floor,
    Column("id", Integer, primary_key=True),
    Column("action", String(100)),
    Column("object_id", String(100)),
    Column("details", Text),
)


def state_text(bpmn: bytes, tasks: int) -> str:
    """The stored state of a linear instance half-way through, as JSON text (its real size)."""
    workflow = Workflow.create(parse_spec(bpmn, "Linear"))
    workflow.run_engine_steps()
    for _ in range(tasks // 2):
        workflow.complete_task(workflow.ready_human_tasks()[0].task_id, {"n": 1})
    return json.dumps(workflow.serialize())


def driver_floor(
    engine: Engine, tasks: int, instances: int, state: str, *, pipelined: bool = False
) -> float:
    """Seconds per instance of the database work alone, through the bare DB-API driver: per
    task one transaction with the statements a completion needs — SELECT the ready task,
    UPDATE the instance's state (real size) under a lock_version compare-and-set, UPDATE the
    task, INSERT the next one, INSERT an audit entry, COMMIT. No ORM, no SpiffWorkflow.

    ``pipelined`` (PostgreSQL): the writes and the COMMIT are sent in one psycopg pipeline,
    one round trip after the SELECT's — the fewest a step can take, as its writes depend on
    what it read."""
    _floor.create_all(engine)
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"

    def sql(text: str) -> str:
        return text.replace("?", mark)

    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        for _ in range(instances):
            if sqlite:
                cursor.execute("BEGIN")  # our SQLite connections run in autocommit mode
            cursor.execute(
                sql("INSERT INTO bench_floor_instances (state, lock_version) VALUES (?, 1)"),
                (state,),
            )
            cursor.execute("SELECT max(id) FROM bench_floor_instances")
            instance_id = cursor.fetchone()[0]
            cursor.execute(
                sql("INSERT INTO bench_floor_tasks (instance_id, spiff_task_id, status) "
                    "VALUES (?, ?, 'ready')"),
                (instance_id, "0"),
            )  # fmt: skip
            connection.commit()
            for step in range(tasks):
                if sqlite:
                    cursor.execute("BEGIN")
                cursor.execute(
                    sql("SELECT id, spiff_task_id FROM bench_floor_tasks "
                        "WHERE instance_id = ? AND status = 'ready'"),
                    (instance_id,),
                )  # fmt: skip
                task_id = cursor.fetchone()[0]
                writes = connection.driver_connection.pipeline() if pipelined else nullcontext()
                with writes:
                    _floor_writes(cursor, sql, state, instance_id, task_id, step, tasks)
                    connection.commit()
                if cursor.rowcount != 1:  # the last write (the audit entry) went in
                    raise RuntimeError("the floor's writes did not all go in")
        return (time.perf_counter() - started) / instances
    finally:
        connection.close()


def _floor_writes(cursor, sql, state: str, instance_id: int, task_id: int, step: int, tasks):
    cursor.execute(
        sql("UPDATE bench_floor_instances SET state = ?, lock_version = ? "
            "WHERE id = ? AND lock_version = ?"),
        (state, step + 2, instance_id, step + 1),
    )  # fmt: skip
    cursor.execute(
        sql("UPDATE bench_floor_tasks SET status = 'completed', completed_data = ? "
            "WHERE id = ?"),
        ('{"n": 1}', task_id),
    )  # fmt: skip
    if step < tasks - 1:
        cursor.execute(
            sql("INSERT INTO bench_floor_tasks (instance_id, spiff_task_id, status) "
                "VALUES (?, ?, 'ready')"),
            (instance_id, str(step + 1)),
        )  # fmt: skip
    cursor.execute(
        sql("INSERT INTO bench_floor_audit (action, object_id, details) "
            "VALUES ('task.complete', ?, '{}')"),
        (str(task_id),),
    )  # fmt: skip


# -- over HTTP --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(url: str, token: str, body: dict | None = None) -> dict | list:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def http_completion_latency(samples: int) -> list[float]:
    """Seconds per ``POST /tasks/{id}/complete`` on a running ``etalon serve`` (SQLite)."""
    folder = Path(tempfile.mkdtemp(prefix="etalon-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = prepared_database(url)
    with Session(engine) as session:
        version_id = publish(session, "bench.http", linear_bpmn(20), process_id="Linear").id
        unit_id = org.unit_by_code(session, "R48-LIP").id
        session.commit()
    engine.dispose()
    env = {**os.environ, "ETALON_DATABASE_URL": url, "ETALON_LOG_LEVEL": "WARNING"}
    token = subprocess.run(
        [str(BIN / "etalon"), "token", "create", "reg.lip"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "etalon"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        timings: list[float] = []
        while len(timings) < samples:
            instance = _call(
                f"{base}/instances", token, {"version_id": version_id, "unit_id": unit_id}
            )
            task = instance["current_tasks"][0]
            while task is not None and len(timings) < samples:
                number = task["node_id"].split("_")[1]
                started = time.perf_counter()
                _call(f"{base}/tasks/{task['id']}/complete", token, {"data": {f"n{number}": 1}})
                timings.append(time.perf_counter() - started)
                detail = _call(f"{base}/instances/{instance['id']}", token)
                task = detail["current_tasks"][0] if detail["current_tasks"] else None
        return timings
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- report -----------------------------------------------------------------------------------


def _line(label: str, per_instance: float, tasks: int) -> str:
    return (
        f"{label:<42} {1 / per_instance:8.1f} inst/s  {per_instance * 1000:9.1f} ms/inst  "
        f"{per_instance / tasks * 1000:7.2f} ms/task"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=20, help="instances of the 20-task run")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    databases: list[tuple[str, Callable[[], str]]] = []
    folder = Path(tempfile.mkdtemp(prefix="etalon-bench-"))
    databases.append(("sqlite", lambda: f"sqlite:///{folder / 'engine.db'}"))
    postgres: TemporaryPostgres | None = None
    try:
        postgres = TemporaryPostgres.start()
        databases.append(("postgresql", lambda: postgres.create_database("bench")))
    except PostgresUnavailable as exc:
        print(f"PostgreSQL unavailable, skipped: {exc}")

    results: dict[tuple[str, int], float] = {}
    try:
        engines = {name: prepared_database(make()) for name, make in databases}
        for tasks in SIZES:
            bpmn = linear_bpmn(tasks)
            count = max(2, args.instances * SIZES[0] // tasks)
            print(f"\n{tasks}-task linear standard, {count} instances")
            results[("bare", tasks)] = bare_spiff(bpmn, count, serialise=False)
            results[("serialise", tasks)] = bare_spiff(bpmn, count, serialise=True)
            print(_line("SpiffWorkflow in memory", results[("bare", tasks)], tasks))
            print(
                _line(
                    "SpiffWorkflow + full JSON after each task",
                    results[("serialise", tasks)],
                    tasks,
                )
            )
            state = state_text(bpmn, tasks)
            for name, engine in engines.items():
                persisted(engine, bpmn, f"warm.{name}.{tasks}", 1)  # parse and cache once
                seconds = persisted(engine, bpmn, f"bench.{name}.{tasks}", count)
                results[(name, tasks)] = seconds
                print(_line(f"Etalon persisted ({name})", seconds, tasks))
                # Every step in another process than the one before: state read and restored.
                live_workflows.capacity = 0
                cold = persisted(engine, bpmn, f"cold.{name}.{tasks}", count)
                live_workflows.capacity = LIVE_CAPACITY
                print(_line(f"  no live workflow ({name})", cold, tasks))
                floor = driver_floor(engine, tasks, count, state)
                print(_line(f"  floor, driver only ({name})", floor, tasks))
                if name == "postgresql":  # SQLite: no round trips to save, one writer at a time
                    floor = driver_floor(engine, tasks, count, state, pipelined=True)
                    results[("floor", tasks)] = floor
                    print(_line(f"  floor, writes pipelined ({name})", floor, tasks))
                    for workers in WORKERS:
                        seconds = concurrent(
                            engine, bpmn, f"conc{workers}.{tasks}", count * workers, workers
                        )
                        results[(f"{name}×{workers}", tasks)] = seconds
                        print(_line(f"  {workers} processes at once ({name})", seconds, tasks))
        print("\ntargets")
        for name in engines:
            rate, floor = 1 / results[(name, 20)], 1 / results[("serialise", 20)]
            verdict = "PASS" if rate >= floor else "MISS"
            print(
                f"  {name}: 20-task throughput {rate:.1f}/s ≥ "
                f"serialise-every-task {floor:.1f}/s: {verdict}"
            )
            for workers in WORKERS if name == "postgresql" else ():
                rate = 1 / results[(f"{name}×{workers}", 20)]
                print(
                    f"  {name}, {workers} processes: 20-task throughput {rate:.1f}/s "
                    f"({'≥' if rate >= floor else '<'} {floor:.1f}/s)"
                )
            if name == "postgresql":
                # What no engine on this machine can go below: SpiffWorkflow's own step plus
                # the fewest round trips of a step's statements. Above the target, the target
                # cannot be met with a transaction per step.
                bound = (results[("bare", 20)] + results[("floor", 20)]) / 20 * 1000
                target = results[("serialise", 20)] / 20 * 1000
                print(
                    f"  {name}: lower bound of a step = SpiffWorkflow in memory + pipelined "
                    f"floor = {bound:.2f} ms/task vs target {target:.2f} ms/task: "
                    f"{'the target is reachable' if bound < target else 'the target cannot be met'}"
                )
            ratio = (results[(name, 100)] / 100) / (results[(name, 20)] / 20)
            verdict = "PASS" if ratio <= 2 else "MISS"
            print(f"  {name}: per-task cost 100 vs 20 tasks = {ratio:.2f}× (≤ 2×): {verdict}")
        if args.profile:
            engine = engines["sqlite"]
            profiler = cProfile.Profile()
            profiler.enable()
            persisted(engine, linear_bpmn(100), "profile.100", 2)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
            print(out.getvalue())
        for engine in engines.values():
            engine.dispose()
    finally:
        if postgres is not None:
            postgres.stop()

    if not args.skip_http:
        timings = http_completion_latency(60)
        print(
            f"\nHTTP POST /tasks/{{id}}/complete on etalon serve (SQLite): "
            f"p50 {statistics.median(timings) * 1000:.1f} ms, "
            f"p90 {statistics.quantiles(timings, n=10)[-1] * 1000:.1f} ms over {len(timings)}"
        )


if __name__ == "__main__":
    main()

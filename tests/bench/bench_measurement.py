"""Benchmark of measurement, each figure beside its baseline in the same run:

1. ingest over HTTP (``POST /events`` on ``etalon serve``, batches of 1,000, JSON) into a
   temporary PostgreSQL, beside a raw ``COPY`` of the same rows into a table shaped like
   ``checkpoint_events`` — target ≥ 20 % of COPY's rate; then the fold of what was queued
   (``engine.fold.fold_backlog``, as ``etalon worker`` runs it: the sustained rate of derived
   figures), and ``POST /events?fold=now`` (ingest and fold in the request) for comparison;
2. indicator query p50 (``GET /indicators`` over HTTP and the domain function) with
   ``checkpoint_events`` holding ``--events`` rows (default 10 million: the simulated year,
   ingested through the real path, plus replicas loaded by COPY), beside the naive GROUP BY
   over raw events — target ≤ 20 ms;
3. conformance of 10,000 traces, with mostly distinct variants and with few, beside pm4py
   token-based replay on the same log when a Python with pm4py is given
   (``--pm4py-python``; pm4py is AGPL and never a dependency of Etalon) — target: not slower.

Run ``.venv/bin/python -m tests.bench.bench_measurement`` (``--events N``, ``--months M``,
``--http-events N``, ``--fold-now-events N``, ``--skip-query``, ``--pm4py-python PATH``).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import psycopg
from alembic import command
from sqlalchemy.orm import Session

from api.cli import sample_org
from bpmn.extract import extract
from bpmn.loading import load_file
from engine import identity, org
from engine.access import Actor
from engine.calendar import WorkingCalendar
from engine.conformance import build_conformance_model, check_case
from engine.fold import backlog, fold_backlog
from engine.indicator_queries import IndicatorFilter, query_indicators
from engine.ingest import ingest_events
from engine.simulation import SimulationPlan, simulated_events
from migrations import alembic_config
from models import make_engine
from standards.seeding import load_sample_library
from tests.bench.bench_engine import _free_port
from tests.engine.conftest import CATALOG
from tests.postgres import PostgresUnavailable, TemporaryPostgres

BIN = Path(sys.executable).parent
COLUMNS = (
    "source", "event_id", "case_id", "standard_key", "version_id", "checkpoint_id", "kind",
    "occurred_at", "office_id", "region_id", "actor_login", "attributes", "recorded_at",
)  # fmt: skip
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def _p50(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# -- setup --------------------------------------------------------------------------------------


REGIONAL_SYSTEMS = {"R48": "ris.lipetsk", "R71": "ris.tula", "R54": "ris.novosibirsk"}


def prepared(url: str) -> dict[str, str]:
    """Migrated, sample org + library; bearer tokens of the regional systems (by region
    code) and of the federal auditor (key "auditor")."""
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    tokens = {}
    with Session(engine) as session:
        system = Actor.system("bench")
        org.import_org(session, system, sample_org())
        load_sample_library(session, system)
        for key, login in (*REGIONAL_SYSTEMS.items(), ("auditor", "auditor")):
            person = org.person_by_login(session, login)
            tokens[key] = identity.create_token(session, system, person)[1]
        session.commit()
    engine.dispose()
    return tokens


class Server:
    """``etalon serve`` on a loopback port, with a keep-alive client."""

    def __init__(self, url: str) -> None:
        self.port = _free_port()
        env = {**os.environ, "ETALON_DATABASE_URL": url, "ETALON_LOG_LEVEL": "WARNING"}
        self.process = subprocess.Popen(
            [str(BIN / "etalon"), "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                self.request("GET", "/api/v1/health", None, None)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("etalon serve did not start")

    def request(self, method: str, path: str, token: str | None, body: bytes | None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return data

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# -- 1. ingest ----------------------------------------------------------------------------------


def ingest_over_http(
    server: Server, tokens: dict[str, str], events: list[dict], path: str = "/api/v1/events"
) -> float:
    """Events per second through POST ``path`` in batches of 1,000, each region's events
    pushed by its regional system."""
    by_region: dict[str, list[dict]] = {}
    for event in events:
        by_region.setdefault(event["office"].split("-")[0], []).append(event)
    bodies = [
        (tokens[region], json.dumps(chunk[i : i + 1000]).encode())
        for region, chunk in by_region.items()
        for i in range(0, len(chunk), 1000)
    ]
    started = time.perf_counter()
    accepted = 0
    for token, body in bodies:
        accepted += json.loads(server.request("POST", path, token, body))["accepted"]
    seconds = time.perf_counter() - started
    assert accepted == len(events), (accepted, len(events))
    return len(events) / seconds


def _copy_rows(events: list[dict], offices: dict[str, tuple[int, int]], source: str):
    now = dt.datetime.now(dt.UTC)
    for e in events:
        office_id, region_id = offices[e["office"]]
        yield (
            source, e["event_id"], e["case_id"], e["standard"], None, e["checkpoint_id"],
            "completed", e["occurred_at"], office_id, region_id, e["actor"],
            json.dumps(e["attributes"], ensure_ascii=False), now,
        )  # fmt: skip


def copy_rate(dsn: str, events: list[dict], offices) -> float:
    """Events per second of a raw COPY of the same rows into a table like checkpoint_events
    (same columns, constraints and indexes)."""
    with psycopg.connect(dsn) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute("CREATE TABLE bench_copy (LIKE checkpoint_events INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        statement = f"COPY bench_copy ({', '.join(COLUMNS)}) FROM STDIN"
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in _copy_rows(events, offices, "copy"):
                copy.write_row(row)
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
        conn.commit()
    return len(events) / seconds


# -- 2. queries ---------------------------------------------------------------------------------


def replicate(dsn: str, events: list[dict], offices, total: int) -> int:
    """COPY replicas of the simulated events into checkpoint_events until it holds ``total``
    rows (distinct sources, so (source, event_id) stays unique)."""
    with psycopg.connect(dsn) as conn:
        have = conn.execute("SELECT count(*) FROM checkpoint_events").fetchone()[0]
        copies = 0
        while have < total:
            chunk = events[: total - have]
            with (
                conn.cursor() as cursor,
                cursor.copy(f"COPY checkpoint_events ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in _copy_rows(chunk, offices, f"replica-{copies}"):
                    copy.write_row(row)
            conn.commit()
            have += len(chunk)
            copies += 1
            print(f"    {have:,} raw events", flush=True)
        conn.execute("ANALYZE")
        conn.commit()
    return have


QUERIES = [
    "standard=employment.job-seeker-registration&level=office&granularity=month",
    "standard=employment.job-seeker-registration&indicator=IND_REG_ON_TIME&level=region"
    "&granularity=week",
    "level=region&granularity=month",
    "standard=contact-center.call-handling&level=office&granularity=day&from=2026-03-01"
    "&to=2026-03-31",
]


def query_latencies(server: Server, token: str, rounds: int) -> list[float]:
    timings = []
    for i in range(rounds):
        path = "/api/v1/indicators?" + QUERIES[i % len(QUERIES)]
        started = time.perf_counter()
        server.request("GET", path, token, None)
        timings.append(time.perf_counter() - started)
    return timings


def domain_latencies(url: str, rounds: int) -> list[float]:
    engine = make_engine(url)
    timings = []
    with Session(engine) as session:
        auditor = Actor.system("bench")
        for i in range(rounds):
            params = dict(urllib.parse.parse_qsl(QUERIES[i % len(QUERIES)]))
            filters = IndicatorFilter(
                standard_key=params.get("standard"),
                indicator_id=params.get("indicator"),
                level=params.get("level"),
                granularity=params["granularity"],
                period_from=dt.date.fromisoformat(params["from"]) if "from" in params else None,
                period_to=dt.date.fromisoformat(params["to"]) if "to" in params else None,
            )
            started = time.perf_counter()
            query_indicators(session, auditor, filters)
            timings.append(time.perf_counter() - started)
    engine.dispose()
    return timings


NAIVE = """
SELECT e.office_id, date_trunc('month', e.occurred_at AT TIME ZONE 'Europe/Moscow') AS month,
       count(*)
FROM checkpoint_events e
WHERE e.standard_key = %s AND e.checkpoint_id = %s
GROUP BY 1, 2
"""


def naive_latencies(dsn: str, rounds: int) -> list[float]:
    """The naive way: GROUP BY over raw events (counting one checkpoint per office and month,
    without even pairing events into durations)."""
    timings = []
    with psycopg.connect(dsn) as conn:
        for i in range(rounds):
            key, checkpoint = (
                ("employment.job-seeker-registration", "CP_REGISTERED"),
                ("contact-center.call-handling", "CP_ANSWERED"),
            )[i % 2]
            started = time.perf_counter()
            conn.execute(NAIVE, (key, checkpoint)).fetchall()
            timings.append(time.perf_counter() - started)
    return timings


# -- 3. conformance -----------------------------------------------------------------------------


def traces(model, count: int, distinct: bool, seed: int = 3):
    """``count`` traces of the appeals standard: few variants (the happy path with a few
    deviations) or mostly distinct ones (random drops, swaps and repeats)."""
    rng = random.Random(seed)
    order = ["CP_RECEIVED", "CP_REGISTERED", "CP_ASSIGNED", "CP_DRAFT_READY", "CP_APPROVED",
             "CP_SENT"]  # fmt: skip
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    result = []
    for n in range(count):
        variant = list(order)
        if distinct:
            for _ in range(rng.randint(3, 8)):
                i, j = rng.randrange(len(variant)), rng.randrange(len(variant))
                action = rng.random()
                if action < 0.3:
                    variant[i], variant[j] = variant[j], variant[i]
                elif action < 0.6:
                    variant.insert(i, variant[j])
                elif len(variant) > 2:
                    variant.pop(i)
            variant += rng.sample(order, rng.randint(0, 3))
        elif rng.random() < 0.1:
            variant = rng.choice([order[:4], order[:2] + order[3:], [*order, "CP_APPROVED"]])
        moment = start + dt.timedelta(days=n % 200)
        trace = []
        for cp in variant:
            moment += dt.timedelta(hours=rng.randint(1, 72))
            trace.append((cp, moment))
        result.append(trace)
    return result


def conformance_seconds(model, log, calendar) -> float:
    model._verdicts.clear()
    started = time.perf_counter()
    for trace in log:
        check_case(model, trace, calendar.due)
    return time.perf_counter() - started


PM4PY_SCRIPT = """
import json, sys, time
import pandas as pd, pm4py
rows = json.load(open(sys.argv[1]))
df = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
df["time:timestamp"] = pd.to_datetime(df["time:timestamp"])
log = pm4py.convert_to_event_log(df)
net, im, fm = pm4py.discover_petri_net_inductive(log, noise_threshold=0.2)
started = time.perf_counter()
pm4py.conformance_diagnostics_token_based_replay(log, net, im, fm)
print(time.perf_counter() - started)
"""


def pm4py_seconds(python: str, log) -> float | None:
    rows = [[f"c{n}", cp, at.isoformat()] for n, trace in enumerate(log) for cp, at in trace]
    with tempfile.TemporaryDirectory() as folder:
        data, script = Path(folder) / "log.json", Path(folder) / "replay.py"
        data.write_text(json.dumps(rows))
        script.write_text(PM4PY_SCRIPT)
        result = subprocess.run(
            [python, str(script), str(data)], capture_output=True, text=True, timeout=1800
        )
    if result.returncode != 0:
        print(f"    pm4py failed: {result.stderr.strip().splitlines()[-1:]}")
        return None
    return float(result.stdout.strip().splitlines()[-1])


def bench_conformance(pm4py_python: str | None) -> None:
    entry = CATALOG["appeals.citizen-appeal"]
    model = build_conformance_model(extract(load_file(entry.path(1))), entry.process_id)
    calendar = WorkingCalendar.bundled()
    print("\n3. Conformance of 10,000 traces (appeals.citizen-appeal v1)")
    for distinct in (True, False):
        log = traces(model, 10_000, distinct)
        variants = len({tuple(cp for cp, _ in t) for t in log})
        ours = conformance_seconds(model, log, calendar)
        line = f"   {'mostly distinct' if distinct else 'few'} variants ({variants:,}): "
        line += f"Etalon {ours:.3f} s ({len(log) / ours:,.0f} traces/s)"
        if pm4py_python:
            theirs = pm4py_seconds(pm4py_python, log)
            if theirs is not None:
                verdict = "PASS" if ours <= theirs else "MISS"
                line += f"; pm4py token replay {theirs:.3f} s — {verdict} (not slower)"
        else:
            line += "; pm4py: not given (--pm4py-python)"
        print(line)


# -- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="raw events for queries")
    parser.add_argument("--months", type=int, default=12, help="simulated months")
    parser.add_argument("--http-events", type=int, default=100_000)
    parser.add_argument("--fold-now-events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--skip-query", action="store_true")
    parser.add_argument("--pm4py-python", default=os.environ.get("ETALON_PM4PY_PYTHON"))
    args = parser.parse_args()

    bench_conformance(args.pm4py_python)
    try:
        postgres = TemporaryPostgres.start()
    except PostgresUnavailable as exc:
        print(f"PostgreSQL unavailable: {exc}")
        return
    server = None
    try:
        url = postgres.create_database("bench_measurement")
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        tokens = prepared(url)
        engine = make_engine(url)
        with Session(engine) as session:
            plan = SimulationPlan(months=args.months, seed=11)
            started = time.perf_counter()
            events = list(simulated_events(session, plan, now=NOW))
            generated = time.perf_counter() - started
            offices = {}
            for code in {e["office"] for e in events}:
                unit = org.unit_by_code(session, code)
                offices[code] = (unit.id, unit.ancestor_ids[1])
        print(f"\nSimulated {len(events):,} events over {args.months} months in {generated:.1f} s")
        head = events[: args.http_events]
        now_part = events[args.http_events : args.http_events + args.fold_now_events]
        rest = events[args.http_events + args.fold_now_events :]

        print(f"\n1. Ingest of {len(head):,} events")
        copy = copy_rate(dsn, head, offices)
        server = Server(url)
        ours = ingest_over_http(server, tokens, head)
        verdict = "PASS" if ours >= 0.2 * copy else "MISS"
        with Session(engine) as session:
            queued = backlog(session).pending
        started = time.perf_counter()
        folded = fold_backlog(lambda: Session(engine))
        fold_rate = folded / (time.perf_counter() - started)
        print(f"   raw COPY:                         {copy:10,.0f} events/s")
        print(
            f"   POST /events, batches of 1,000:   {ours:10,.0f} events/s "
            f"= {ours / copy:.1%} of COPY — {verdict} (target ≥ 20 %); {queued:,} queued"
        )
        print(
            f"   fold of the backlog (worker):     {fold_rate:10,.0f} events/s "
            f"({folded:,} events into traces, conformance, rollups, index)"
        )
        if now_part:
            synchronous = ingest_over_http(server, tokens, now_part, "/api/v1/events?fold=now")
            print(
                f"   POST /events?fold=now:            {synchronous:10,.0f} events/s "
                f"({len(now_part):,} events, folded in the request)"
            )
        if args.skip_query:
            return
        started = time.perf_counter()
        with Session(engine) as session:
            for i in range(0, len(rest), 5000):
                ingest_events(
                    session, Actor.system("bench"), rest[i : i + 5000], source="ris.simulated"
                )
                session.commit()
        folded = fold_backlog(lambda: Session(engine))
        seconds = time.perf_counter() - started
        print(
            f"   (the other {len(rest):,} events ingested in-process and {folded:,} folded in "
            f"{seconds:.1f} s: {len(rest) / max(seconds, 1e-9):,.0f}/s)"
        )
        engine.dispose()

        print(f"\n2. Indicator queries with {args.events:,} raw events")
        replicate(dsn, events, offices, args.events)
        with psycopg.connect(dsn) as conn:
            rollups = conn.execute("SELECT count(*) FROM indicator_rollups").fetchone()[0]
        http_p50 = _p50(query_latencies(server, tokens["auditor"], args.rounds))
        domain_p50 = _p50(domain_latencies(url, args.rounds))
        naive_p50 = _p50(naive_latencies(dsn, max(10, args.rounds // 20)))
        verdict = "PASS" if http_p50 <= 20 else "MISS"
        print(f"   rollup rows: {rollups:,} (rows depend on units × periods, not on events)")
        print(f"   GET /indicators p50 over HTTP:    {http_p50:8.1f} ms — {verdict} (≤ 20 ms)")
        print(f"   query_indicators() p50:           {domain_p50:8.1f} ms")
        print(f"   naive GROUP BY over raw events:   {naive_p50:8.1f} ms")
    finally:
        if server is not None:
            server.stop()
        postgres.stop()


if __name__ == "__main__":
    main()

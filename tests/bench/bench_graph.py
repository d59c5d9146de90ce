"""Benchmark of the dependency graph: a synthetic registry of 10,000 standards (about 50,000
other nodes and 200,000 edges) — the incremental update after one publication, the impact
walk of a 10-element change, where-used and transitive callers — beside a from-scratch
rebuild in the same run.

Run ``.venv/bin/python -m tests.bench.bench_graph`` (``--standards N`` to scale). Prints
figures and PASS/MISS against the targets; asserts nothing.

Targets: incremental update ≤ 50 ms; impact walk ≤ 20 ms at p90.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable

from bpmn.diff import Change, Diff, ElementDiff
from standards.graph import DependencyGraph, Region, build_graph
from standards.graph_facts import (
    CheckpointFact,
    DocumentRef,
    IndicatorFact,
    OperationFact,
    ProcessFact,
    VersionFacts,
)
from standards.impact import walk_impact

UPDATE_TARGET_MS = 50.0
IMPACT_TARGET_MS = 20.0
ROLES = 200
DOCUMENTS = 1_000
REGIONS = [Region(f"R{n:02d}", f"Регион {n}") for n in range(1, 86)]


def synthetic_version(
    n: int, number: int, rng: random.Random, *, operations: int = 2, calls: int | None = None
) -> VersionFacts:
    """Standard `n`: one process with `operations` operations (roles and documents drawn at
    random), a checkpoint and an indicator on the first, and a call to a lower-numbered
    standard (so callers form chains)."""
    process = f"P{n}"
    nodes = []
    for i in range(operations):
        documents = tuple(
            DocumentRef("technology_card", f"TK-{rng.randrange(DOCUMENTS)}", "Технокарта")
            for _ in range(2)
        )
        called = f"P{calls}" if (i == 0 and calls is not None) else None
        nodes.append(
            OperationFact(
                id=f"Task_{i}",
                name=f"Операция {i} стандарта {n}",
                type="callActivity" if called else "userTask",
                process_id=process,
                role=f"role_{rng.randrange(ROLES)}",
                role_name="Роль",
                deadline=f"P{1 + (number + i) % 5}D",
                deadline_calendar="working",
                documents=documents,
                checkpoints=(f"CP_{i}",) if i == 0 else (),
                called_process=called,
            )
        )
    supports = (f"P{rng.randrange(n)}",) if n and n % 5 == 0 else ()
    return VersionFacts(
        standard_key=f"bench.s{n}",
        standard_title=f"Стандарт {n}",
        number=number,
        processes=(ProcessFact(process, f"Процесс {n}", "main", supports),),
        nodes=tuple(nodes),
        checkpoints=(CheckpointFact("CP_0", "КТ", "Task_0", process),),
        indicators=(IndicatorFact("IND_0", "Показатель", process, ("CP_0",)),) if n % 2 else (),
    )


def regions_of(n: int) -> list[Region]:
    start = (n * 7) % len(REGIONS)
    return (REGIONS * 2)[start : start + 7]


def registry(count: int, seed: int = 1) -> list[tuple[VersionFacts, list[Region]]]:
    rng = random.Random(seed)
    versions = []
    for n in range(count):
        calls = rng.randrange(n) if n > 10 else None
        versions.append((synthetic_version(n, 1, rng, calls=calls), regions_of(n)))
    return versions


def timed(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p90(samples: list[float]) -> float:
    """Nearest-rank 90th percentile (never above the maximum)."""
    ordered = sorted(samples)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def line(name: str, samples: list[float], target: float | None = None) -> str:
    verdict = ""
    if target is not None:
        verdict = f"  target ≤ {target:g} ms: {'PASS' if p90(samples) <= target else 'MISS'}"
    return (
        f"{name:<44} median {statistics.median(samples):8.3f} ms  p90 {p90(samples):8.3f} ms"
        f"  max {max(samples):8.3f} ms{verdict}"
    )


def ten_element_change(graph: DependencyGraph, n: int) -> tuple[Diff, VersionFacts, VersionFacts]:
    """Standard `n` rewritten with 10 operations; each changes deadline and role."""
    rng = random.Random(n)
    old = synthetic_version(n, 1, rng, operations=10)
    graph.set_version(old, regions_of(n))
    new_nodes = tuple(
        OperationFact(
            op.id,
            op.name,
            op.type,
            op.process_id,
            f"role_{(int(op.role.split('_')[1]) + 1) % ROLES}",
            "Роль",
            "P1D",
            "working",
            op.documents,
            op.checkpoints,
        )
        for op in old.nodes
    )
    new = VersionFacts(
        old.standard_key,
        old.standard_title,
        2,
        old.processes,
        new_nodes,
        old.checkpoints,
        old.indicators,
    )
    changed = tuple(
        ElementDiff(
            op.id,
            op.type,
            op.name,
            op.process_id,
            (
                Change("deadline", {"duration": b.deadline}, {"duration": "P1D"}),
                Change("role", op.role, b.role),
            ),
        )
        for op, b in zip(old.nodes, new_nodes, strict=True)
    )
    return Diff(changed=changed), old, new


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    versions = registry(args.standards)
    rebuilds = timed(lambda: build_graph(versions), 3)
    graph = build_graph(versions)
    stats = graph.stats()
    others = stats["nodes"] - stats["standards"]
    print(
        f"synthetic registry: {stats['standards']:,} standards, {others:,} other nodes, "
        f"{stats['edges']:,} edges"
    )
    print(line("from-scratch rebuild (baseline)", rebuilds))

    rng = random.Random(2)
    picks = [rng.randrange(args.standards) for _ in range(args.runs)]
    republished = iter(
        (synthetic_version(n, 2, rng, calls=n // 2 if n > 10 else None), regions_of(n))
        for n in picks
    )
    updates = timed(lambda: graph.set_version(*next(republished)), args.runs)
    print(line("incremental update after one publication", updates, UPDATE_TARGET_MS))

    target = max(11, args.standards // 50)  # a standard low in the call chains: many callers
    diff, old, new = ten_element_change(graph, target)
    report = walk_impact(graph, diff, old=old, new=new)
    impacts = timed(lambda: walk_impact(graph, diff, old=old, new=new), args.runs)
    print(line("impact walk of a 10-element change", impacts, IMPACT_TARGET_MS))
    counts = report.to_dict()["counts"]
    print(f"  (report: {len(report.items)} items {counts})")

    documents = [f"document:technology_card:TK-{rng.randrange(DOCUMENTS)}" for _ in range(50)]
    doc_iter = iter(documents * (args.runs // 50 + 1))
    print(line("where-used of a document", timed(lambda: graph.where_used(next(doc_iter)), 200)))
    callers = graph.callers(f"P{target}")
    print(
        line(
            f"transitive callers of a process ({len(callers)} found)",
            timed(lambda: graph.callers(f"P{target}"), 50),
        )
    )
    role_deps = timed(lambda: graph.role_dependencies(f"role_{rng.randrange(ROLES)}"), 50)
    print(line("what a role depends on", role_deps))
    speedup = statistics.median(rebuilds) / statistics.median(updates)
    print(f"incremental update is {speedup:,.0f}× faster than a rebuild")


if __name__ == "__main__":
    main()

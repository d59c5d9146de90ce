"""Benchmark of the BPMN toolkit: load, validate, extract, diff and render.

Run ``.venv/bin/python -m tests.bench.bench_bpmn`` (``--runs N``, ``--sizes 1000 5000``,
``--profile STAGE`` to print where a stage spends its time on the largest generated model).
It prints figures and PASS/MISS against the targets; it asserts nothing, so it is never part
of the test suite (pytest collects ``test_*.py`` only).

Cases: the largest file of the BPMN MIWG corpus, and generated standards of 1,000 and 5,000
flow nodes (pools, lanes with roles, user tasks with checkpoints/deadlines/fields, gateways with
conditions, timer escalations, full DI). Each stage is the median of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from bpmn.diff import diff
from bpmn.extract import extract
from bpmn.loading import load_document
from bpmn.render import render_svg
from bpmn.validation import validate
from tests.bench.model_generator import generate, next_version, to_xml
from tests.corpus import CORPUS

DI_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/DI"

#: targets (seconds, or a ratio); those with a size apply to generated models of that size
PIPELINE_RATIO_TARGET = 10.0
DIFF_TARGET = {5000: 0.100}
RENDER_TARGET = {5000: 1.0}


@dataclass(frozen=True)
class Case:
    """One benchmarked input: its bytes, an optional older version, and its size in nodes."""

    label: str
    data: bytes
    older: bytes | None
    flow_nodes: int | None


@dataclass(frozen=True)
class Timing:
    """Wall-clock median (what targets are judged on), best run, and median CPU time of the
    process: when other work shares the machine, wall time grows and CPU time much less."""

    median: float
    best: float
    cpu: float

    def __truediv__(self, other: Timing) -> Timing:
        return Timing(self.median / other.median, self.best / other.best, self.cpu / other.cpu)


@dataclass(frozen=True)
class Row:
    case: str
    stage: str
    timing: Timing
    target: str = ""
    verdict: str = ""
    is_ratio: bool = False


def median_time(action: Callable[[], object], runs: int) -> Timing:
    """Time ``runs`` calls (after one warm-up call), with the heap collected before each."""
    action()
    walls, cpus = [], []
    for _ in range(runs):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return Timing(statistics.median(walls), min(walls), statistics.median(cpus))


def strip_di(data: bytes) -> bytes:
    """The same document without any BPMNDiagram, so the renderer lays it out itself."""
    root = etree.fromstring(data)
    for diagram in root.findall(f"{{{DI_NAMESPACE}}}BPMNDiagram"):
        root.remove(diagram)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def corpus_case() -> Case | None:
    """The largest corpus file, diffed against the MIWG reference of the same test if any."""
    files = (
        sorted(CORPUS.rglob("*.bpmn"), key=lambda p: p.stat().st_size) if CORPUS.is_dir() else []
    )
    if not files:
        return None
    largest = files[-1]
    test = largest.name.split("-")[0].removesuffix(".bpmn")
    reference = CORPUS / "Reference" / f"{test}.bpmn"
    older = reference.read_bytes() if reference.is_file() else None
    data = largest.read_bytes()
    nodes = sum(len(p.flow_nodes) for p in extract(load_document(data)).processes)
    label = f"corpus {largest.parent.name}/{largest.name} ({len(data) // 1024} KB, {nodes} nodes)"
    return Case(label, data, older, None)


def generated_case(flow_nodes: int) -> Case:
    model = generate(flow_nodes)
    newer = next_version(model)
    data = to_xml(newer)
    label = f"generated {flow_nodes:,} nodes ({len(data) // 1024} KB)"
    return Case(label, data, to_xml(model), flow_nodes)


def _verdict(value: float, limit: float) -> str:
    return "PASS" if value <= limit else "MISS"


def _targeted(case: Case, stage: str, timing: Timing, limits: dict[int, float], unit: str) -> Row:
    limit = limits.get(case.flow_nodes or 0)
    if limit is None:
        return Row(case.label, stage, timing)
    shown = f"≤ {limit * 1000:g} ms" if unit == "ms" else f"≤ {limit:g} s"
    return Row(case.label, stage, timing, shown, _verdict(timing.median, limit))


def measure(case: Case, runs: int) -> list[Row]:
    """Every stage of ``case``, with targets where the brief sets them."""
    label, data = case.label, case.data
    document = load_document(data, source=label)
    parse = median_time(lambda: etree.fromstring(data), runs)
    rows = [
        Row(label, "bare lxml.etree.fromstring (baseline)", parse),
        Row(label, "load (bpmn.loading)", median_time(lambda: load_document(data), runs)),
        Row(label, "validate", median_time(lambda: validate(document), runs)),
        Row(label, "extract", median_time(lambda: extract(document), runs)),
    ]

    def pipeline() -> None:
        loaded = load_document(data)
        validate(loaded)
        extract(loaded)

    total = median_time(pipeline, runs)
    ratio = total / parse
    rows.append(Row(label, "load+validate+extract", total))
    target, verdict = f"≤ {PIPELINE_RATIO_TARGET:g}×", _verdict(ratio.median, PIPELINE_RATIO_TARGET)
    rows.append(Row(label, "  ratio to bare parse", ratio, target, verdict, is_ratio=True))
    if case.older is not None:
        old_document = load_document(case.older)
        old_definitions, new_definitions = extract(old_document), extract(document)
        timing = median_time(lambda: diff(old_definitions, new_definitions), runs)
        rows.append(_targeted(case, "diff v1→v2 (extracted)", timing, DIFF_TARGET, "ms"))
        timing = median_time(lambda: diff(old_document, document), runs)
        rows.append(Row(label, "diff v1→v2 (documents, incl. extract)", timing))
    timing = median_time(lambda: render_svg(document), runs)
    rows.append(_targeted(case, "render (DI)", timing, RENDER_TARGET, "s"))
    bare = load_document(strip_di(data))
    timing = median_time(lambda: render_svg(bare), runs)
    rows.append(Row(label, "render (automatic layout, DI stripped)", timing))
    return rows


def _shown(value: float, is_ratio: bool) -> str:
    return f"{value:.1f}×" if is_ratio else f"{value * 1000:.1f} ms"


def print_table(rows: list[Row]) -> None:
    """The figures, case by case; PASS/MISS is judged on the wall-clock median."""
    case = None
    print(f"  {'stage':<40} {'median':>10} {'best':>10} {'CPU':>10} {'target':>10}")
    for row in rows:
        if row.case != case:
            case = row.case
            print(f"\n{case}")
        t = row.timing
        figures = " ".join(_shown(v, row.is_ratio).rjust(10) for v in (t.median, t.best, t.cpu))
        print(f"  {row.stage:<40} {figures} {row.target:>10} {row.verdict:>5}")
    misses = [r for r in rows if r.verdict == "MISS"]
    print(f"\n{len(misses)} target(s) missed")
    for miss in misses:
        print(f"  MISS {miss.case}: {miss.stage.strip()}")
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"note: load average {load:.2f} at the end: other work shared the machine")


def profile(case: Case, stage: str, limit: int = 25) -> None:
    """Print the functions where ``stage`` spends most of its time on ``case``."""
    document = load_document(case.data)
    older = load_document(case.older) if case.older else document
    stages: dict[str, Callable[[], object]] = {
        "load": lambda: load_document(case.data),
        "validate": lambda: validate(document),
        "extract": lambda: extract(document),
        "diff": lambda: diff(older, document),
        "render": lambda: render_svg(document),
        "layout": lambda: render_svg(load_document(strip_di(case.data))),
    }
    profiler = cProfile.Profile()
    profiler.runcall(stages[stage])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(limit)
    print(f"\nprofile of {stage} on {case.label}:\n{out.getvalue()}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per stage (median)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument(
        "--profile",
        choices=["load", "validate", "extract", "diff", "render", "layout"],
        action="append",
        default=[],
    )
    args = parser.parse_args(argv)
    cases = [c for c in [corpus_case()] if c is not None]
    cases += [generated_case(n) for n in args.sizes]
    rows: list[Row] = []
    for case in cases:
        print(f"measuring {case.label} …", flush=True)
        rows += measure(case, args.runs)
    print()
    print_table(rows)
    for stage in args.profile:
        profile(cases[-1], stage)


if __name__ == "__main__":
    main()

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
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from bpmn.diff import diff
from bpmn.extract import extract
from bpmn.loading import load_document
from bpmn.render import render_svg
from bpmn.validation import validate
from tests.bench.model_generator import generate, next_version, to_xml

CORPUS = Path("/work/shared/corpora/bpmn-miwg")
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
class Row:
    case: str
    stage: str
    seconds: float
    target: str = ""
    verdict: str = ""


def median_time(action: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls (after one warm-up call), with a collected heap."""
    action()
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


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


def measure(case: Case, runs: int) -> list[Row]:
    """Every stage of ``case``, with targets where the brief sets them."""
    rows: list[Row] = []
    data = case.data
    document = load_document(data, source=case.label)
    parse = median_time(lambda: etree.fromstring(data), runs)
    rows.append(Row(case.label, "bare lxml.etree.fromstring (baseline)", parse))
    rows.append(
        Row(case.label, "load (bpmn.loading)", median_time(lambda: load_document(data), runs))
    )
    rows.append(Row(case.label, "validate", median_time(lambda: validate(document), runs)))
    rows.append(Row(case.label, "extract", median_time(lambda: extract(document), runs)))

    def pipeline() -> None:
        loaded = load_document(data)
        validate(loaded)
        extract(loaded)

    total = median_time(pipeline, runs)
    ratio = total / parse
    rows.append(Row(case.label, "load+validate+extract", total))
    rows.append(
        Row(
            case.label,
            "  ratio to bare parse",
            ratio,
            f"≤ {PIPELINE_RATIO_TARGET:g}×",
            _verdict(ratio, PIPELINE_RATIO_TARGET),
        )
    )
    if case.older is not None:
        old_document = load_document(case.older)
        old_definitions, new_definitions = extract(old_document), extract(document)
        seconds = median_time(lambda: diff(old_definitions, new_definitions), runs)
        limit = DIFF_TARGET.get(case.flow_nodes or 0)
        target = f"≤ {limit * 1000:g} ms" if limit else ""
        verdict = _verdict(seconds, limit) if limit else ""
        rows.append(Row(case.label, "diff v1→v2 (extracted)", seconds, target, verdict))
        seconds = median_time(lambda: diff(old_document, document), runs)
        rows.append(Row(case.label, "diff v1→v2 (documents, incl. extract)", seconds))
    limit = RENDER_TARGET.get(case.flow_nodes or 0)
    seconds = median_time(lambda: render_svg(document), runs)
    target = f"≤ {limit:g} s" if limit else ""
    verdict = _verdict(seconds, limit) if limit else ""
    rows.append(Row(case.label, "render (DI)", seconds, target, verdict))
    bare = load_document(strip_di(data))
    seconds = median_time(lambda: render_svg(bare), runs)
    rows.append(Row(case.label, "render (automatic layout, DI stripped)", seconds))
    return rows


def print_table(rows: list[Row]) -> None:
    case = None
    print(f"{'stage':<42} {'median':>12} {'target':>10} {'':>5}")
    for row in rows:
        if row.case != case:
            case = row.case
            print(f"\n{case}")
        if row.stage.strip().startswith("ratio"):
            value = f"{row.seconds:.1f}×"
        else:
            value = f"{row.seconds * 1000:.1f} ms"
        print(f"  {row.stage:<40} {value:>12} {row.target:>10} {row.verdict:>5}")
    misses = [r for r in rows if r.verdict == "MISS"]
    print(
        f"\n{len(misses)} target(s) missed"
        + "".join(f"\n  MISS {r.case}: {r.stage.strip()}" for r in misses)
    )


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

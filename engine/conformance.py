"""Conformance of a case's checkpoint trace to its standard version, pure.

The model is derived once per version from the BPMN flow: which checkpoints must come before
which (their nodes dominate the later node on every path from the start) and which order is
prescribed (b is reachable from a but a not from b). A trace is then checked for

- skipped checkpoints: a checkpoint was reached but one that must precede it never was;
- out-of-order checkpoints: a checkpoint arrived after one it must precede;
- stage deadline breaches: a process deadline's ``to`` came later than ``from`` + duration;
- fitness = 1 − (skipped + out of order) / (distinct checkpoints seen + skipped), in 0..1.

Verdicts depend only on the sequence of checkpoint ids (the variant) and are memoised per
model, so logs with few variants are checked in near-constant time per trace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bpmn.model import Definitions, Process
from engine.durations import Duration, parse_duration


@dataclass(frozen=True)
class StageDeadline:
    id: str
    from_checkpoint: str
    to_checkpoint: str
    duration: Duration
    calendar: str = "working"


@dataclass(frozen=True)
class ConformanceModel:
    """What a version prescribes about the order of its checkpoints."""

    checkpoints: frozenset[str]
    required_before: Mapping[str, frozenset[str]]
    precedes: frozenset[tuple[str, str]]
    deadlines: tuple[StageDeadline, ...] = ()
    _verdicts: dict[tuple[str, ...], TraceVerdict] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )


@dataclass(frozen=True)
class TraceVerdict:
    skipped: tuple[str, ...]
    out_of_order: tuple[str, ...]
    fitness: float


@dataclass(frozen=True)
class CaseConformance:
    skipped: tuple[str, ...]
    out_of_order: tuple[str, ...]
    breaches: tuple[str, ...]
    fitness: float


def flow_successors(process: Process) -> dict[str, set[str]]:
    """Node graph of a process: sequence flows, host → boundary events, sub-process → its
    inner starts and inner ends → the sub-process's successors."""
    succ: dict[str, set[str]] = {node.id: set() for node in process.flow_nodes}
    for flow in process.sequence_flows:
        if flow.source in succ and flow.target in succ:
            succ[flow.source].add(flow.target)
    by_parent: dict[str, list] = {}
    for node in process.flow_nodes:
        if node.attached_to and node.attached_to in succ:
            succ[node.attached_to].add(node.id)
        if node.parent_id:
            by_parent.setdefault(node.parent_id, []).append(node)
    for parent_id, children in by_parent.items():
        if parent_id not in succ:
            continue
        after = set(succ[parent_id])
        for child in children:
            if not child.incoming and not child.attached_to:
                succ[parent_id].add(child.id)
            if not child.outgoing and child.type.endswith("EndEvent"):
                succ[child.id] |= after
    return succ


def _dominators(succ: Mapping[str, set[str]], roots: Iterable[str]) -> dict[str, set[str]]:
    root = "\0root"
    nodes = [root, *succ]
    preds: dict[str, set[str]] = {n: set() for n in nodes}
    for source, targets in succ.items():
        for target in targets:
            preds[target].add(source)
    for start in roots:
        preds[start].add(root)
    everything = set(nodes)
    dom = {n: set(everything) for n in nodes}
    dom[root] = {root}
    changed = True
    while changed:
        changed = False
        for node in nodes[1:]:
            incoming = [dom[p] for p in preds[node]]
            new = set.intersection(*incoming) | {node} if incoming else {node}
            if new != dom[node]:
                dom[node], changed = new, True
    return dom


def _reachable(succ: Mapping[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    stack = list(succ.get(start, ()))
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(succ.get(node, ()))
    return seen


def build_conformance_model(definitions: Definitions, process_id: str | None = None):
    """The conformance model of ``process_id`` (default: the first process with checkpoints)."""
    processes = [p for p in definitions.processes if process_id in (None, p.id)]
    process = next(
        (p for p in processes if any(n.checkpoints for n in p.flow_nodes)),
        processes[0] if processes else None,
    )
    if process is None:
        return ConformanceModel(frozenset(), {}, frozenset())
    succ = flow_successors(process)
    starts = [
        n.id
        for n in process.flow_nodes
        if not n.parent_id and not n.attached_to and not n.incoming and n.type == "startEvent"
    ] or [n.id for n in process.flow_nodes if not n.incoming and not n.parent_id]
    dom = _dominators(succ, starts)
    node_of = {cp.id: node.id for node in process.flow_nodes for cp in node.checkpoints if cp.id}
    checkpoint_of = {node: cp for cp, node in node_of.items()}
    required = {
        cp: frozenset(checkpoint_of[d] for d in dom[node] if d in checkpoint_of and d != node)
        for cp, node in node_of.items()
    }
    reach = {cp: _reachable(succ, node) for cp, node in node_of.items()}
    precedes = frozenset(
        (a, b)
        for a, node_a in node_of.items()
        for b, node_b in node_of.items()
        if a != b and node_b in reach[a] and node_a not in reach[b]
    )
    deadlines = tuple(
        StageDeadline(d.id, d.from_checkpoint, d.to_checkpoint, d.duration, d.calendar)
        for d in process.deadlines
        if d.id and d.from_checkpoint and d.to_checkpoint and d.duration
    )
    return ConformanceModel(frozenset(node_of), required, precedes, _engine_deadlines(deadlines))


def _engine_deadlines(deadlines: Sequence[StageDeadline]) -> tuple[StageDeadline, ...]:
    # bpmn.model.Duration and engine.durations.Duration differ; the engine's calendar wants
    # the latter, so re-parse from the ISO text.
    return tuple(
        StageDeadline(
            d.id,
            d.from_checkpoint,
            d.to_checkpoint,
            parse_duration(d.duration.iso()) if hasattr(d.duration, "iso") else d.duration,
            d.calendar,
        )
        for d in deadlines
    )


def check_variant(model: ConformanceModel, variant: Sequence[str]) -> TraceVerdict:
    """Skipped and out-of-order checkpoints and fitness of a sequence of checkpoint ids."""
    key = tuple(variant)
    cached = model._verdicts.get(key)
    if cached is not None:
        return cached
    seen: list[str] = []
    seen_set: set[str] = set()
    misplaced: list[str] = []
    for checkpoint in key:
        if checkpoint not in model.checkpoints:
            continue
        if checkpoint not in seen_set and any(
            (checkpoint, earlier) in model.precedes for earlier in seen_set
        ):
            misplaced.append(checkpoint)
        if checkpoint not in seen_set:
            seen.append(checkpoint)
            seen_set.add(checkpoint)
    missing = sorted(
        {r for cp in seen for r in model.required_before.get(cp, ()) if r not in seen_set}
    )
    denominator = len(seen) + len(missing)
    fitness = 1.0 - (len(missing) + len(misplaced)) / denominator if denominator else 1.0
    verdict = TraceVerdict(tuple(missing), tuple(misplaced), round(max(fitness, 0.0), 4))
    if len(model._verdicts) < 100_000:
        model._verdicts[key] = verdict
    return verdict


def check_case(
    model: ConformanceModel,
    trace: Sequence[tuple[str, dt.datetime]],
    due: Callable[[dt.datetime, Duration, str], dt.datetime],
) -> CaseConformance:
    """Conformance of a time-ordered trace; ``due(start, duration, calendar)`` is the
    working-calendar deadline function (engine.calendar.WorkingCalendar.due)."""
    verdict = check_variant(model, [cp for cp, _ in trace])
    first: dict[str, dt.datetime] = {}
    for checkpoint, at in trace:
        first.setdefault(checkpoint, at)
    breaches = []
    for deadline in model.deadlines:
        start, end = first.get(deadline.from_checkpoint), first.get(deadline.to_checkpoint)
        if (
            start is not None
            and end is not None
            and end > due(start, deadline.duration, deadline.calendar)
        ):
            breaches.append(deadline.id)
    return CaseConformance(verdict.skipped, verdict.out_of_order, tuple(breaches), verdict.fitness)

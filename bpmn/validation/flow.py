"""Rules about the sequence-flow graph: start and end, reachability, dead ends, gateway conditions.

Every container (process, sub-process, event sub-process, transaction) is its own graph, since
sequence flows never cross its border. Walks are breadth-first over adjacency lists built once,
so the cost is linear in nodes + flows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from lxml import etree

from bpmn.errors import ERROR, WARNING, Problem
from bpmn.namespaces import BPMN, localname
from bpmn.validation.index import Container, DocumentIndex
from bpmn.validation.naming import describe

_LINK = "{" + BPMN + "}linkEventDefinition"
_CONDITION = "{" + BPMN + "}conditionExpression"
_COMPENSATE = "{" + BPMN + "}compensateEventDefinition"


def is_executable(process: etree._Element) -> bool:
    """Whether the modeller marked the process for execution (then engine rules are errors)."""
    return process.get("isExecutable") == "true"


def _link_name(node: etree._Element) -> str | None:
    """The name pairing link events: the definition's name, else the event's; spaces folded
    because modellers wrap long names differently on the two ends."""
    link = node.find(_LINK)
    if link is None:
        return None
    return " ".join((link.get("name") or node.get("name") or "").split()) or None


class _Graph:
    """Successors and predecessors of the nodes of one container, by element."""

    def __init__(self, container: Container) -> None:
        by_id: dict[str | None, etree._Element] = {}
        for n in container.nodes:
            by_id.setdefault(n.get("id"), n)  # the first of duplicates, as references resolve
        self.succ: dict[etree._Element, list[etree._Element]] = {n: [] for n in container.nodes}
        self.pred: dict[etree._Element, list[etree._Element]] = {n: [] for n in container.nodes}
        self.outgoing: dict[etree._Element, list[etree._Element]] = {}
        for flow in container.flows:
            source = by_id.get(flow.get("sourceRef"))
            target = by_id.get(flow.get("targetRef"))
            if source is not None:
                self.outgoing.setdefault(source, []).append(flow)
            if source is not None and target is not None:
                self._edge(source, target)
        catches: dict[str, list[etree._Element]] = {}
        throws: list[tuple[etree._Element, str]] = []
        for node in container.nodes:
            local = localname(node)
            if local == "boundaryEvent":
                host = by_id.get(node.get("attachedToRef"))
                if host is not None:
                    self._edge(host, node)
            elif local in ("intermediateCatchEvent", "intermediateThrowEvent"):
                name = _link_name(node)
                if name is not None:
                    if local == "intermediateCatchEvent":
                        catches.setdefault(name, []).append(node)
                    else:
                        throws.append((node, name))
        for node, name in throws:
            for catch in catches.get(name, ()):
                self._edge(node, catch)
        self.link_catches = {n for nodes in catches.values() for n in nodes}

    def _edge(self, a: etree._Element, b: etree._Element) -> None:
        self.succ[a].append(b)
        self.pred[b].append(a)


def _walk(
    starts: Iterable[etree._Element], step: dict[etree._Element, list[etree._Element]]
) -> set[etree._Element]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for nxt in step[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _is_free_standing(node: etree._Element) -> bool:
    """Nodes outside the normal flow: event sub-processes, compensation handlers and events.

    Event sub-processes start on their trigger; compensation handlers and compensation
    boundary events are linked by association, never by sequence flow.
    """
    return (
        node.get("triggeredByEvent") == "true"
        or node.get("isForCompensation") == "true"
        or node.find(_COMPENSATE) is not None
    )


def check_flow(index: DocumentIndex) -> Iterator[Problem]:
    """Start/end events of processes, unreachable and dead-end nodes, gateway conditions."""
    for container in index.containers:
        if not container.nodes:
            continue
        graph = _Graph(container)
        yield from _check_start_end(container)
        if localname(container.element) != "adHocSubProcess":
            yield from _check_reachability(index, container, graph)
        yield from _check_gateways(container, graph)


def _check_start_end(container: Container) -> Iterator[Problem]:
    if not container.is_process:
        return  # a sub-process may start and end implicitly
    locals_ = {localname(n) for n in container.nodes}
    process = container.element
    for tag, code, what in (
        ("startEvent", "process.no_start", "start event: it must say where a case begins"),
        ("endEvent", "process.no_end", "end event: it must say where a case is finished"),
    ):
        if tag not in locals_:
            yield Problem(
                code,
                ERROR,
                f"{describe(process)} has no {what}",
                process.get("id"),
                process.sourceline,
            )


def _check_reachability(
    index: DocumentIndex, container: Container, graph: _Graph
) -> Iterator[Problem]:
    nodes = container.nodes
    starts = [n for n in nodes if localname(n) == "startEvent"]
    if not starts:
        # Implicit start (allowed in sub-processes; reported for processes above): every node
        # without incoming flow begins a path.
        starts = [
            n
            for n in nodes
            if not graph.pred[n] and localname(n) != "boundaryEvent" and n not in graph.link_catches
        ]
    roots = starts + [n for n in nodes if _is_free_standing(n)]
    reached = _walk(roots, graph.succ)

    def clash(node: etree._Element) -> bool:
        # Flows to a duplicated id reach only one of its holders; id.duplicate says why.
        return len(index.by_id.get(node.get("id") or "", ())) > 1

    for node in nodes:
        # A boundary event is reached with its activity: if that is unreachable it is
        # reported itself, and a missing activity is the attachment rule's finding.
        if node not in reached and localname(node) != "boundaryEvent" and not clash(node):
            yield Problem(
                "flow.unreachable",
                ERROR,
                f"{describe(node)} cannot be reached from any start event of "
                f"{describe(container.element)}: no sequence flow leads to it",
                node.get("id"),
                node.sourceline,
            )
    ends = [n for n in nodes if localname(n) == "endEvent"]
    if ends:  # else implicit ends (sub-processes), or process.no_end already reported
        yield from _check_dead_ends(container, graph, reached, ends)


def _check_dead_ends(
    container: Container,
    graph: _Graph,
    reached: set[etree._Element],
    ends: list[etree._Element],
) -> Iterator[Problem]:
    """Report where cases get stuck, not every node on the way there.

    The stuck points are reached nodes without any way on (no outgoing flow, not an end);
    nodes that cannot reach an end nor such a point circle in a loop without exit.
    """
    finishing = _walk(ends, graph.pred)
    stuck = [
        n
        for n in container.nodes
        if n in reached and n not in finishing and not _is_free_standing(n)
    ]
    sinks = [n for n in stuck if not graph.succ[n]]
    leading_to_sink = _walk(sinks, graph.pred)
    for node in stuck:
        if not graph.succ[node]:
            reason = "has no outgoing sequence flow and is not an end event"
        elif node not in leading_to_sink:
            reason = "is caught in a loop that never leads to an end event"
        else:
            continue
        yield Problem(
            "flow.dead_end",
            ERROR,
            f"{describe(node)} {reason} of {describe(container.element)}: "
            "a case that gets there cannot finish",
            node.get("id"),
            node.sourceline,
        )


def _has_condition(flow: etree._Element) -> bool:
    condition = flow.find(_CONDITION)
    return condition is not None and bool((condition.text or "").strip())


def _check_gateways(container: Container, graph: _Graph) -> Iterator[Problem]:
    # A warning even in executable processes: many standards leave the choice to the performer
    # and label the flows only ("да" / "нет"); the engine then cannot run them, which is what
    # the message says, but the standard is still a correct description of the work.
    for node in container.nodes:
        if localname(node) not in ("exclusiveGateway", "inclusiveGateway"):
            continue
        outgoing = graph.outgoing.get(node, [])
        if len(outgoing) < 2:
            continue
        default = node.get("default")
        bare = [f for f in outgoing if f.get("id") != default and not _has_condition(f)]
        if not bare:
            continue
        flows = ", ".join(describe(f) for f in bare)
        advice = (
            "give each a condition"
            if default
            else "give each a condition or mark one of them as the default flow"
        )
        yield Problem(
            "gateway.condition_missing",
            WARNING,
            f"{describe(node)} has {len(outgoing)} outgoing flows but no condition on {flows}; "
            f"{advice}, otherwise the engine cannot choose the path",
            node.get("id"),
            node.sourceline,
        )

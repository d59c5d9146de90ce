"""Automatic layered layout for processes that carry no BPMN DI.

Files written by hand or by generators often have no ``BPMNDiagram`` at all. Rather than
refusing to draw them, nodes are placed in layers by the longest path from the start events
over sequence flows (back edges of cycles are found by depth-first search and ignored),
layers go left to right, nodes of a layer are spread top to bottom next to their
predecessors, and flows become orthogonal polylines. Everything is linear in the number of
nodes and flows, so thousands of nodes lay out in milliseconds.

Sub-processes are laid out collapsed; boundary events sit on their host's lower edge.
Artifacts (data objects, annotations, groups) and lanes are not placed.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Iterable

from lxml import etree

from bpmn.namespaces import BPMN, localname, q
from bpmn.render.di import DiagramDI, EdgeDI, ShapeDI
from bpmn.render.geometry import Bounds, Point
from bpmn.render.kinds import ACTIVITIES, EVENTS, GATEWAYS
from bpmn.render.style import POOL_BAND

logger = logging.getLogger(__name__)

FLOW_NODES = (EVENTS | ACTIVITIES | GATEWAYS) - {"boundaryEvent"}
LAYER_GAP = 60.0
ROW_HEIGHT = 120.0
POOL_GAP = 40.0
MARGIN = 30.0
AUTO_DIAGRAM_ID = "auto-layout"
#: Offsets under a row where loops run; they stay inside the gap before the next row.
LOOP_TRACKS = (12.0, 19.0, 26.0, 33.0)

_SIZES = {"event": (36.0, 36.0), "gateway": (50.0, 50.0), "activity": (100.0, 80.0)}


def _size(kind: str) -> tuple[float, float]:
    if kind in EVENTS:
        return _SIZES["event"]
    if kind in GATEWAYS:
        return _SIZES["gateway"]
    return _SIZES["activity"]


def processes_without_di(root: etree._Element, drawn: set[str]) -> list[etree._Element]:
    """Return the processes that have flow nodes but none of them drawn in any diagram."""
    missing = []
    for process in root.iter(q(BPMN, "process")):
        nodes = [el.get("id") for el in process if localname(el) in FLOW_NODES]
        if nodes and not any(node in drawn for node in nodes):
            missing.append(process)
    return missing


def _back_edges(order: list[str], successors: dict[str, list[str]]) -> set[tuple[str, str]]:
    """Edges that close a cycle, by an iterative depth-first search (no recursion limit)."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = finished
    back: set[tuple[str, str]] = set()
    for root in order:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(successors[root]))]
        while stack:
            node, children = stack[-1]
            for child in children:
                seen = state.get(child)
                if seen is None:
                    state[child] = 1
                    stack.append((child, iter(successors[child])))
                    break
                if seen == 1:
                    back.add((node, child))
            else:
                state[node] = 2
                stack.pop()
    return back


def _layers(nodes: list[str], edges: list[tuple[str, str]], starts: list[str]) -> dict[str, int]:
    """Longest-path layer of every node over the acyclic part of ``edges``."""
    successors: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        successors[source].append(target)
    order = starts + [n for n in nodes if n not in set(starts)]
    back = _back_edges(order, successors)
    indegree = dict.fromkeys(nodes, 0)
    forward: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        if (source, target) in back or source == target:
            continue
        forward[source].append(target)
        indegree[target] += 1
    layer = dict.fromkeys(nodes, 0)
    queue = deque(n for n in order if indegree[n] == 0)
    while queue:
        node = queue.popleft()
        for target in forward[node]:
            layer[target] = max(layer[target], layer[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    return layer


def _rows(
    nodes: list[str], layer: dict[str, int], predecessors: dict[str, list[str]]
) -> dict[str, int]:
    """Row of every node: next to its highest predecessor, pushed down past taken rows."""
    by_layer: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        by_layer[layer[node]].append(node)
    row: dict[str, int] = {}
    for number in sorted(by_layer):
        wanted = []
        for position, node in enumerate(by_layer[number]):
            placed = [row[p] for p in predecessors[node] if p in row]
            wanted.append((min(placed) if placed else 0, position, node))
        wanted.sort()
        next_free = 0
        for desired, _, node in wanted:
            row[node] = max(desired, next_free)
            next_free = row[node] + 1
    return row


class _ProcessLayout:
    """Bounds of the nodes of one process, placed with their top-left at (left, top)."""

    def __init__(self, process: etree._Element, left: float, top: float) -> None:
        self.process = process
        children = list(process)
        self.elements = {el.get("id"): el for el in children if localname(el) in FLOW_NODES}
        self.boundaries = [el for el in children if localname(el) == "boundaryEvent"]
        self.hosts = {el.get("id"): el.get("attachedToRef") for el in self.boundaries}
        self.flows = [el for el in children if localname(el) == "sequenceFlow"]
        self.bounds: dict[str, Bounds] = {}
        self.column_right: dict[str, float] = {}
        self.loop_tracks: dict[int, list[list[tuple[float, float]]]] = {}
        self._place(left, top)

    def _host(self, node_id: str | None) -> str | None:
        """Boundary events take part in layering as their host activity."""
        if node_id in self.elements:
            return node_id
        return self.hosts.get(node_id)

    def _place(self, left: float, top: float) -> None:
        nodes = [n for n in self.elements if n]
        edges = []
        for flow in self.flows:
            source, target = self._host(flow.get("sourceRef")), self._host(flow.get("targetRef"))
            if source in self.elements and target in self.elements:
                edges.append((source, target))
        incoming = {t for _, t in edges}
        starts = [
            n for n in nodes if localname(self.elements[n]) == "startEvent" or n not in incoming
        ]
        layer = _layers(nodes, edges, starts)
        predecessors: dict[str, list[str]] = defaultdict(list)
        for source, target in edges:
            if layer[source] < layer[target]:
                predecessors[target].append(source)
        row = _rows(nodes, layer, predecessors)
        widths: dict[int, float] = defaultdict(float)
        for node in nodes:
            widths[layer[node]] = max(widths[layer[node]], _size(localname(self.elements[node]))[0])
        column_x: dict[int, float] = {}
        x = left
        for number in sorted(widths):
            column_x[number] = x
            x += widths[number] + LAYER_GAP
        for node in nodes:
            width, height = _size(localname(self.elements[node]))
            number = layer[node]
            cx = column_x[number] + widths[number] / 2
            cy = top + row[node] * ROW_HEIGHT + ROW_HEIGHT / 2
            self.bounds[node] = Bounds(cx - width / 2, cy - height / 2, width, height)
            self.column_right[node] = column_x[number] + widths[number]
        self._place_boundaries()

    def _place_boundaries(self) -> None:
        attached: dict[str, int] = defaultdict(int)
        for boundary in self.boundaries:
            host = self.bounds.get(boundary.get("attachedToRef") or "")
            if host is None:
                continue
            slot = attached[boundary.get("attachedToRef")]
            attached[boundary.get("attachedToRef")] += 1
            cx = host.right - 22 - slot * 40
            self.bounds[boundary.get("id")] = Bounds(cx - 18, host.bottom - 18, 36, 36)
            self.column_right[boundary.get("id")] = self.column_right[boundary.get("attachedToRef")]

    def extent(self) -> Bounds | None:
        if not self.bounds:
            return None
        boxes = self.bounds.values()
        left = min(b.x for b in boxes)
        top = min(b.y for b in boxes)
        return Bounds(
            left, top, max(b.right for b in boxes) - left, max(b.bottom for b in boxes) - top
        )

    def _loop_track(self, baseline: float, left: float, right: float) -> float:
        """The y of the first free track under ``baseline`` for a loop spanning left..right."""
        tracks = self.loop_tracks.setdefault(round(baseline), [[] for _ in LOOP_TRACKS])
        chosen = 0
        for number, taken in enumerate(tracks):
            if all(right < a or left > b for a, b in taken):
                chosen = number
                break
        tracks[chosen].append((left, right))
        return baseline + LOOP_TRACKS[chosen]

    def route(self, source: str, target: str) -> tuple[Point, ...]:
        """Orthogonal polyline from ``source`` to ``target``."""
        sb, tb = self.bounds[source], self.bounds[target]
        sc, tc = sb.center, tb.center
        if source in self.hosts and tc.y > sb.bottom and tb.x > sc.x:
            return (Point(sc.x, sb.bottom), Point(sc.x, tc.y), Point(tb.x, tc.y))
        if tb.x >= sb.right:
            if abs(sc.y - tc.y) < 0.5:
                return (Point(sb.right, sc.y), Point(tb.x, tc.y))
            bend = self.column_right[source] + LAYER_GAP / 2
            return (
                Point(sb.right, sc.y),
                Point(bend, sc.y),
                Point(bend, tc.y),
                Point(tb.x, tc.y),
            )
        # A back edge (a loop) or a flow inside one layer: go under both nodes, in the gap
        # before the next row, on a track of its own where overlapping loops would merge.
        below = self._loop_track(max(sb.bottom, tb.bottom), min(sc.x, tc.x), max(sc.x, tc.x))
        return (
            Point(sc.x, sb.bottom),
            Point(sc.x, below),
            Point(tc.x, below),
            Point(tc.x, tb.bottom),
        )


def _participants(root: etree._Element) -> dict[str, etree._Element]:
    """Participants by the id of the process they stand for."""
    found = {}
    for participant in root.iter(q(BPMN, "participant")):
        ref = participant.get("processRef")
        if ref and ref not in found:
            found[ref] = participant
    return found


def layout_processes(
    root: etree._Element, processes: Iterable[etree._Element], index: dict[str, etree._Element]
) -> DiagramDI:
    """Compute a diagram for ``processes``: stacked top to bottom, each in its pool if any."""
    participants = _participants(root)
    shapes: list[ShapeDI] = []
    edges: list[EdgeDI] = []
    placed: dict[str, Bounds] = {}
    top = MARGIN
    for process in processes:
        participant = participants.get(process.get("id") or "")
        left = MARGIN + (POOL_BAND + 30 if participant is not None else 0)
        layout = _ProcessLayout(process, left, top + (20 if participant is not None else 0))
        extent = layout.extent()
        if extent is None:
            continue
        flows = [
            EdgeDI(None, flow.get("id"), flow, layout.route(source, target))
            for flow in layout.flows
            if (source := flow.get("sourceRef")) in layout.bounds
            and (target := flow.get("targetRef")) in layout.bounds
        ]
        # Loops are routed under the nodes; the pool must enclose them too.
        bottom = max([extent.bottom] + [p.y for edge in flows for p in edge.waypoints])
        if participant is not None:
            # Room on the right for the label of a final end event.
            pool = Bounds(MARGIN, top, extent.right + 60 - MARGIN, bottom + 25 - top)
            shapes.append(
                ShapeDI(None, participant.get("id"), participant, pool, is_horizontal=True)
            )
            placed[participant.get("id")] = pool
            top = pool.bottom + POOL_GAP
        else:
            top = bottom + POOL_GAP
        for node_id, bounds in layout.bounds.items():
            shapes.append(ShapeDI(None, node_id, index.get(node_id), bounds, is_expanded=False))
        placed.update(layout.bounds)
        edges.extend(flows)
    edges.extend(_message_flows(root, placed))
    logger.debug("automatic layout: %d shapes, %d edges", len(shapes), len(edges))
    return DiagramDI(AUTO_DIAGRAM_ID, "Automatic layout", tuple(shapes), tuple(edges))


def _message_flows(root: etree._Element, placed: dict[str, Bounds]) -> list[EdgeDI]:
    edges = []
    for flow in root.iter(q(BPMN, "messageFlow")):
        sb, tb = placed.get(flow.get("sourceRef") or ""), placed.get(flow.get("targetRef") or "")
        if sb is None or tb is None:
            continue
        sc, tc = sb.center, tb.center
        downward = tc.y >= sc.y
        start = Point(sc.x, sb.bottom if downward else sb.y)
        end = Point(tc.x, tb.y if downward else tb.bottom)
        middle = (start.y + end.y) / 2
        points = (start, Point(start.x, middle), Point(end.x, middle), end)
        edges.append(EdgeDI(None, flow.get("id"), flow, points))
    return edges

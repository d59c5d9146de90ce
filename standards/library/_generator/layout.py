"""Grid → pixels: shape bounds, lane bands and orthogonal edge waypoints for BPMN DI.

The pool starts at (160, 80) like a diagram freshly drawn in bpmn.io. Each lane is a band
180 px high, plus 130 px per extra row of nodes; columns are 180 px apart, so 140×80 tasks
keep a 40 px gap for arrows. Edges are orthogonal polylines whose legs leave and enter shapes
at the middle of a side, which is what Camunda Modeler draws with its "manhattan" layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from standards.library._generator.model import (
    ACTIVITIES,
    END,
    GATEWAYS,
    START,
    TIMER,
    Flow,
    Node,
    Process,
)

POOL_X = 160
POOL_Y = 80
POOL_HEADER = 30
FIRST_CX = POOL_X + POOL_HEADER + 100
COL_W = 180
LANE_H = 180
ROW_H = 130
TASK_W, TASK_H = 140, 80
EVENT_D = 36
GATEWAY_D = 50
LOOP_GAP = 30  # how far below / above shapes a looping edge runs


@dataclass(frozen=True)
class Bounds:
    """A rectangle in diagram coordinates."""

    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def side(self, name: str) -> tuple[float, float]:
        """Return the middle point of side ``name`` (right, left, top, bottom)."""
        return {
            "right": (self.right, self.cy),
            "left": (self.x, self.cy),
            "top": (self.cx, self.y),
            "bottom": (self.cx, self.bottom),
        }[name]


@dataclass(frozen=True)
class Diagram:
    """Every bound and waypoint of one process diagram."""

    pool: Bounds
    lanes: dict[str, Bounds]
    shapes: dict[str, Bounds]
    labels: dict[str, Bounds]
    edges: dict[str, tuple[tuple[float, float], ...]]
    edge_labels: dict[str, Bounds]


def _size(node: Node) -> tuple[float, float]:
    if node.kind in ACTIVITIES:
        return TASK_W, TASK_H
    if node.kind in GATEWAYS:
        return GATEWAY_D, GATEWAY_D
    return EVENT_D, EVENT_D


def layout(process: Process) -> Diagram:
    """Compute the diagram of ``process`` from the grid positions of its nodes."""
    rows: dict[str, int] = {lane.id: 0 for lane in process.lanes}
    for node in process.nodes:
        if node.kind != TIMER:
            rows[node.lane] = max(rows[node.lane], node.row)
    lanes: dict[str, Bounds] = {}
    y = POOL_Y
    for lane in process.lanes:
        height = LANE_H + ROW_H * rows[lane.id]
        lanes[lane.id] = Bounds(POOL_X + POOL_HEADER, y, 0, height)
        y += height

    shapes: dict[str, Bounds] = {}
    for node in process.nodes:
        if node.kind == TIMER:
            continue
        width, height = _size(node)
        cx = FIRST_CX + node.col * COL_W
        cy = lanes[node.lane].y + LANE_H / 2 + node.row * ROW_H
        shapes[node.id] = Bounds(cx - width / 2, cy - height / 2, width, height)
    for node in process.nodes:
        if node.kind == TIMER:
            host = shapes[node.attached_to]
            # Sits on the bottom edge of its host, towards the right, as modellers draw it.
            cx = host.right - 30
            shapes[node.id] = Bounds(cx - EVENT_D / 2, host.bottom - EVENT_D / 2, EVENT_D, EVENT_D)

    right = max(b.right for b in shapes.values()) + 60
    pool = Bounds(POOL_X, POOL_Y, right - POOL_X, y - POOL_Y)
    lane_width = pool.width - POOL_HEADER
    lanes = {k: Bounds(b.x, b.y, lane_width, b.height) for k, b in lanes.items()}

    labels = {node.id: _label(node, shapes[node.id]) for node in process.nodes if _labelled(node)}
    nodes = {node.id: node for node in process.nodes}
    edges: dict[str, tuple[tuple[float, float], ...]] = {}
    edge_labels: dict[str, Bounds] = {}
    for flow in process.flows:
        points = route(flow, nodes[flow.source], nodes[flow.target], shapes, lanes)
        edges[flow.id] = points
        if flow.name:
            edge_labels[flow.id] = _edge_label(flow.name, points)
    return Diagram(pool, lanes, shapes, labels, edges, edge_labels)


def _labelled(node: Node) -> bool:
    return node.kind in (START, END, TIMER) or (node.kind in GATEWAYS and bool(node.name))


def _label(node: Node, b: Bounds) -> Bounds:
    width = 110
    lines = max(1, -(-len(node.name) // 18))
    height = 14 * lines
    if node.kind == TIMER:  # right of the edge that leaves the timer downwards
        return Bounds(b.right + 2, b.bottom, width, height)
    if node.label == "above":
        return Bounds(b.cx - width / 2, b.y - height - 6, width, height)
    if node.label == "above_left":  # clear of edges leaving through the top and bottom
        return Bounds(b.cx - width - 6, b.y - height - 4, width, height)
    return Bounds(b.cx - width / 2, b.bottom + 6, width, height)


def _edge_label(text: str, points: tuple[tuple[float, float], ...]) -> Bounds:
    (x0, y0), (x1, y1) = points[0], points[1]
    width = 7 * len(text) + 6
    if y0 == y1:  # first leg horizontal: label just above it
        x = x0 + 8 if x1 >= x0 else x0 - 8 - width
        return Bounds(x, y0 - 20, width, 14)
    # first leg vertical: label beside it
    y = y0 + 6 if y1 >= y0 else y0 - 20
    return Bounds(x0 + 6, y, width, 14)


def _default_sides(flow: Flow, source: Node, target: Node, s: Bounds, t: Bounds) -> tuple[str, str]:
    if source.kind == TIMER:
        return "bottom", "left" if t.x > s.cx else "top"
    if t.x > s.right:  # forward
        if abs(s.cy - t.cy) < 1:
            return "right", "left"
        if source.kind in GATEWAYS:
            return ("bottom" if t.cy > s.cy else "top"), "left"
        if target.kind in GATEWAYS:
            return "right", ("top" if t.cy > s.cy else "bottom")
        return "right", "left"
    # backwards: loop below both shapes
    return "bottom", "bottom"


def route(
    flow: Flow,
    source: Node,
    target: Node,
    shapes: dict[str, Bounds],
    lanes: dict[str, Bounds],
) -> tuple[tuple[float, float], ...]:
    """Return the orthogonal waypoints of ``flow``.

    ``flow.channel`` moves the middle leg: a column number for edges that leave and enter
    sideways, pixels below the top of ``flow.channel_lane`` for edges that leave and enter
    through the top or bottom.
    """
    s, t = shapes[source.id], shapes[target.id]
    exit_side, enter_side = _default_sides(flow, source, target, s, t)
    exit_side = flow.exit or exit_side
    enter_side = flow.enter or enter_side
    p0 = s.side(exit_side)
    pn = t.side(enter_side)
    horizontal_out = exit_side in ("left", "right")
    horizontal_in = enter_side in ("left", "right")
    if horizontal_out and horizontal_in:
        if abs(p0[1] - pn[1]) < 1:
            points = [p0, pn]
        else:
            if flow.channel is not None:
                mx = FIRST_CX + flow.channel * COL_W
            else:
                mx = (p0[0] + pn[0]) / 2
            points = [p0, (mx, p0[1]), (mx, pn[1]), pn]
    elif not horizontal_out and horizontal_in:
        points = [p0, (p0[0], pn[1]), pn]
    elif horizontal_out and not horizontal_in:
        points = [p0, (pn[0], p0[1]), pn]
    elif abs(p0[0] - pn[0]) < 1:
        points = [p0, pn]
    else:
        if flow.channel is not None and flow.channel_lane:
            my = lanes[flow.channel_lane].y + flow.channel
        elif exit_side == enter_side == "bottom":
            my = max(s.bottom, t.bottom) + LOOP_GAP
        elif exit_side == enter_side == "top":
            my = min(s.y, t.y) - LOOP_GAP
        else:
            my = (p0[1] + pn[1]) / 2
        points = [p0, (p0[0], my), (pn[0], my), pn]
    return tuple((round(x, 1), round(y, 1)) for x, y in points)

"""Drawing of BPMN connections: sequence flows, message flows, associations, data associations."""

from __future__ import annotations

import math

from lxml import etree

from bpmn.namespaces import BPMN, localname, q
from bpmn.render import labels
from bpmn.render.canvas import Canvas, fmt
from bpmn.render.di import EdgeDI
from bpmn.render.geometry import Bounds, Point, end_direction, polyline_midpoint
from bpmn.render.kinds import ACTIVITIES, element_name
from bpmn.render.style import SMALL_FONT_SIZE, Paint

CONDITION = q(BPMN, "conditionExpression")


def _rotate(tip: Point, angle: float, pts: list[tuple[float, float]]) -> list[Point]:
    """Place points given in an arrow frame (x back along the line, y across) at ``tip``."""
    cos, sin = math.cos(angle), math.sin(angle)
    return [Point(tip.x - x * cos - y * sin, tip.y - x * sin + y * cos) for x, y in pts]


def _closed(points: list[Point]) -> str:
    return "M" + " L".join(f"{fmt(p.x)},{fmt(p.y)}" for p in points) + " Z"


def _arrowhead(canvas: Canvas, tip: Point, angle: float, paint: Paint, *, filled: bool) -> None:
    pts = _rotate(tip, angle, [(0, 0), (11, -4), (11, 4)])
    canvas.path(
        _closed(pts),
        fill=paint.stroke if filled else "#ffffff",
        stroke=paint.stroke,
        stroke_width=1,
        stroke_linejoin="round",
    )


def _open_arrow(canvas: Canvas, tip: Point, angle: float, paint: Paint) -> None:
    a, _, b = _rotate(tip, angle, [(10, -5), (0, 0), (10, 5)])
    canvas.path(
        f"M{fmt(a.x)},{fmt(a.y)} L{fmt(tip.x)},{fmt(tip.y)} L{fmt(b.x)},{fmt(b.y)}",
        fill="none",
        stroke=paint.stroke,
        stroke_width=1.5,
    )


def _flow_source(edge: EdgeDI, index: dict[str, etree._Element]) -> etree._Element | None:
    ref = edge.element.get("sourceRef") if edge.element is not None else None
    return index.get(ref) if ref else None


def draw_edge(
    canvas: Canvas,
    edge: EdgeDI,
    paint: Paint,
    index: dict[str, etree._Element],
    label_canvas: Canvas | None = None,
) -> Bounds | None:
    """Draw ``edge`` with its line style and end markers; return its label's box.

    The label goes into ``label_canvas`` when given (a layer above all shapes).
    """
    points = list(edge.waypoints)
    if len(points) < 2:
        return None
    kind = edge.kind
    d = "M" + " L".join(f"{fmt(p.x)},{fmt(p.y)}" for p in points)
    line = {"fill": "none", "stroke": paint.stroke, "stroke_linejoin": "round"}
    end = end_direction(points)
    start = end_direction(points, at_start=True)
    if kind == "sequenceFlow":
        canvas.path(d, stroke_width=1.5, **line)
        if end:
            _arrowhead(canvas, *end, paint, filled=True)
        _sequence_source_marker(canvas, edge, paint, index, start)
    elif kind == "messageFlow":
        canvas.path(d, stroke_width=1.5, stroke_dasharray="10,6", **line)
        if start:
            tip, angle = start
            back = _rotate(tip, angle, [(4.5, 0)])[0]
            canvas.circle(back.x, back.y, 4.5, fill="#ffffff", stroke=paint.stroke, stroke_width=1)
        if end:
            _arrowhead(canvas, *end, paint, filled=False)
    elif kind == "association":
        canvas.path(d, stroke_width=1.5, stroke_dasharray="2,4", stroke_linecap="round", **line)
        direction = (
            (edge.element.get("associationDirection") or "None") if edge.element is not None else ""
        )
        if direction in ("One", "Both") and end:
            _open_arrow(canvas, *end, paint)
        if direction == "Both" and start:
            _open_arrow(canvas, *start, paint)
    elif kind in ("dataInputAssociation", "dataOutputAssociation"):
        canvas.path(d, stroke_width=1.5, stroke_dasharray="2,4", stroke_linecap="round", **line)
        if end:
            _open_arrow(canvas, *end, paint)
    else:
        dash = "4,3" if edge.element is None else None
        canvas.path(d, stroke_width=1.2, stroke_dasharray=dash, **line)
    return _draw_edge_label(label_canvas or canvas, edge, index)


def _sequence_source_marker(
    canvas: Canvas,
    edge: EdgeDI,
    paint: Paint,
    index: dict[str, etree._Element],
    start: tuple[Point, float] | None,
) -> None:
    """Default-flow slash or conditional-flow diamond at the source end of a sequence flow."""
    if start is None or edge.element is None:
        return
    source = _flow_source(edge, index)
    if source is None:
        return
    tip, angle = start
    if source.get("default") == edge.element.get("id"):
        a, b = _rotate(tip, angle, [(6, -6), (14, 6)])
        canvas.path(
            f"M{fmt(a.x)},{fmt(a.y)} L{fmt(b.x)},{fmt(b.y)}",
            fill="none",
            stroke=paint.stroke,
            stroke_width=1.5,
        )
    elif edge.element.find(CONDITION) is not None and localname(source) in ACTIVITIES:
        pts = _rotate(tip, angle, [(0, 0), (8, -5), (16, 0), (8, 5)])
        canvas.path(_closed(pts), fill="#ffffff", stroke=paint.stroke, stroke_width=1)


def _draw_edge_label(
    canvas: Canvas, edge: EdgeDI, index: dict[str, etree._Element]
) -> Bounds | None:
    name = element_name(edge.element, index)
    if not name.strip():
        return None
    if edge.label_bounds is not None:
        labels.draw_in_label_bounds(canvas, name, edge.label_bounds, size=SMALL_FONT_SIZE)
        return edge.label_bounds
    mid = polyline_midpoint(edge.waypoints)
    if mid is None:
        return None
    lines = labels.wrap_text(name, 100, SMALL_FONT_SIZE)
    step = SMALL_FONT_SIZE * 1.2
    top = mid.y - 4 - len(lines) * step
    canvas.text_lines(
        (
            (mid.x + 4, top + i * step + SMALL_FONT_SIZE * 0.85, line)
            for i, line in enumerate(lines)
        ),
        anchor="start",
        size=SMALL_FONT_SIZE,
    )
    widest = max(labels.text_width(line, SMALL_FONT_SIZE) for line in lines)
    return Bounds(mid.x + 4, top, widest, len(lines) * step)

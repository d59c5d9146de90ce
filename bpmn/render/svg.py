"""SVG rendering of BPMN diagrams from BPMN DI, with overlays, and automatic layout without DI.

Every drawn shape and edge is a ``<g data-element-id="...">`` whose class names its BPMN type
(``bpmn-shape bpmn-userTask``), so tests, heatmaps and diff views can find elements by id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from bpmn.errors import ERROR, BpmnError, Problem
from bpmn.render.canvas import SVG, Canvas, class_token, fmt, safe_paint
from bpmn.render.di import DiagramDI, EdgeDI, ShapeDI, read_diagrams
from bpmn.render.edges import draw_edge
from bpmn.render.geometry import Bounds, points_bounds, polyline_midpoint, union
from bpmn.render.kinds import SUB_PROCESSES, ShapeContext
from bpmn.render.labels import text_width
from bpmn.render.layout import AUTO_DIAGRAM_ID, layout_processes, processes_without_di
from bpmn.render.shapes import draw_shape, is_expanded
from bpmn.render.style import (
    BADGE_FILL,
    BADGE_TEXT,
    FONT_FAMILY,
    FONT_SIZE,
    INK,
    PAPER,
    SMALL_FONT_SIZE,
    Paint,
)

logger = logging.getLogger(__name__)

MARGIN = 20.0


@dataclass(frozen=True)
class Overlay:
    """Extra paint for one element: fill, stroke, a badge text and a tooltip."""

    fill: str | None = None
    stroke: str | None = None
    badge: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class RenderedDiagram:
    """One diagram drawn as a standalone SVG document (no XML declaration)."""

    diagram_id: str
    name: str | None
    svg: str
    element_ids: tuple[str, ...]


def _root_of(document) -> etree._Element:
    """Accept a loaded BpmnDocument (``.root``) or a bare ``bpmn:definitions`` element."""
    root = getattr(document, "root", document)
    if not isinstance(root, etree._Element):
        raise TypeError("render expects a BpmnDocument or an lxml element")
    return root


def _id_index(root: etree._Element) -> dict[str, etree._Element]:
    index: dict[str, etree._Element] = {}
    for el in root.iter():
        element_id = el.get("id") if isinstance(el.tag, str) else None
        if element_id is not None and element_id not in index:
            index[element_id] = el
    return index


def _paint(overlay: Overlay | None) -> Paint:
    if overlay is None:
        return Paint()
    return Paint(fill=safe_paint(overlay.fill) or PAPER, stroke=safe_paint(overlay.stroke) or INK)


def _shape_layer(shape: ShapeDI, expanded: bool) -> int:
    """Paint order: pools, lanes, expanded sub-processes, then nodes, boundary events, groups."""
    kind = shape.kind
    if kind == "participant":
        return 0
    if kind == "lane":
        return 1
    if expanded:
        return 2
    if kind == "boundaryEvent":
        return 4
    if kind == "group":
        return 5
    return 3


def _badge(canvas: Canvas, text: str, x: float, y: float, paint: Paint) -> Bounds:
    """A small rounded label centred on (x, y): counts, statuses, diff marks."""
    width = max(18.0, text_width(text, SMALL_FONT_SIZE) + 10)
    height = 18.0
    box = Bounds(x - width / 2, y - height / 2, width, height)
    group = canvas.group(class_="bpmn-badge")
    fill = paint.stroke if paint.stroke != INK else BADGE_FILL
    group.rect(box.x, box.y, width, height, rx=9, fill=fill, stroke="none")
    group.text_lines(
        [(x, y + SMALL_FONT_SIZE * 0.36, text)],
        size=SMALL_FONT_SIZE,
        fill=BADGE_TEXT,
        css_class="bpmn-badge-text",
    )
    return box


class _DiagramPainter:
    """Draws one DiagramDI into an SVG tree and keeps track of the extent of the drawing."""

    def __init__(
        self,
        diagram: DiagramDI,
        index: dict[str, etree._Element],
        overlays: Mapping[str, Overlay],
    ) -> None:
        self.diagram = diagram
        self.index = index
        self.overlays = overlays
        self.root = etree.Element(f"{{{SVG}}}svg", nsmap={None: SVG})
        self.canvas = Canvas(self.root)
        self.extents: list[Bounds] = []
        self.element_ids: dict[str, None] = {}
        # External labels are painted last, above every shape and edge.
        self.label_layer = etree.Element(f"{{{SVG}}}g", {"class": "bpmn-labels"})

    def _label_canvas(self, element_id: str) -> Canvas:
        return Canvas(self.label_layer).group(class_="bpmn-label", data_label_for=element_id)

    def _open(self, kind_class: str, element_id: str, kind: str) -> tuple[Canvas, Overlay | None]:
        overlay = self.overlays.get(element_id)
        group = self.canvas.group(
            class_=f"{kind_class} bpmn-{class_token(kind)}", data_element_id=element_id
        )
        if overlay is not None and overlay.title:
            group.element("title", {}, overlay.title)
        self.element_ids.setdefault(element_id, None)
        return group, overlay

    def shape(self, shape: ShapeDI, expanded: bool) -> None:
        group, overlay = self._open("bpmn-shape", shape.element_id, shape.kind)
        paint = _paint(overlay)
        ctx = ShapeContext(self.index, expanded)
        label = draw_shape(group, shape, paint, ctx, self._label_canvas(shape.element_id))
        self.extents.append(shape.bounds)
        if label is not None:
            self.extents.append(label)
        if overlay is not None and overlay.badge:
            b = shape.bounds
            self.extents.append(_badge(group, overlay.badge, b.right - 4, b.y + 4, paint))

    def edge(self, edge: EdgeDI) -> None:
        group, overlay = self._open("bpmn-edge", edge.element_id, edge.kind)
        paint = _paint(overlay)
        label = draw_edge(group, edge, paint, self.index, self._label_canvas(edge.element_id))
        box = points_bounds(edge.waypoints)
        if box is not None:
            self.extents.append(box)
        if label is not None:
            self.extents.append(label)
        mid = polyline_midpoint(edge.waypoints)
        if overlay is not None and overlay.badge and mid is not None:
            self.extents.append(_badge(group, overlay.badge, mid.x, mid.y, paint))

    def paint(self) -> RenderedDiagram:
        shapes = self.diagram.shapes
        drawn_parents = {
            parent.get("id")
            for s in shapes
            if s.element is not None and (parent := s.element.getparent()) is not None
        }
        expanded = {id(s): is_expanded(s, drawn_parents) for s in shapes}
        ordered = sorted(
            enumerate(shapes),
            key=lambda item: (
                _shape_layer(item[1], expanded[id(item[1])]),
                # Outer sub-processes before inner ones, so children are not painted over.
                -(item[1].bounds.width * item[1].bounds.height)
                if expanded[id(item[1])] and item[1].kind in SUB_PROCESSES | {"callActivity"}
                else 0,
                item[0],
            ),
        )
        containers = [s for _, s in ordered if _shape_layer(s, expanded[id(s)]) <= 2]
        nodes = [s for _, s in ordered if _shape_layer(s, expanded[id(s)]) > 2]
        for shape in containers:
            self.shape(shape, expanded[id(shape)])
        for edge in self.diagram.edges:
            self.edge(edge)
        for shape in nodes:
            self.shape(shape, expanded[id(shape)])
        for empty in [g for g in self.label_layer if len(g) == 0]:
            self.label_layer.remove(empty)
        self.root.append(self.label_layer)
        self._frame()
        svg = etree.tostring(self.root, encoding="unicode")
        return RenderedDiagram(
            diagram_id=self.diagram.diagram_id,
            name=self.diagram.name,
            svg=svg,
            element_ids=tuple(self.element_ids),
        )

    def _frame(self) -> None:
        """Set the viewBox around everything drawn (negative coordinates included)."""
        extent = union(self.extents) or Bounds(0, 0, 100, 100)
        view = Bounds(
            extent.x - MARGIN,
            extent.y - MARGIN,
            extent.width + 2 * MARGIN,
            extent.height + 2 * MARGIN,
        )
        attrs = {
            "class": "bpmn-diagram",
            "data-diagram-id": self.diagram.diagram_id,
            "viewBox": f"{fmt(view.x)} {fmt(view.y)} {fmt(view.width)} {fmt(view.height)}",
            "width": fmt(view.width),
            "height": fmt(view.height),
            "font-family": FONT_FAMILY,
            "font-size": fmt(FONT_SIZE),
        }
        for key, value in attrs.items():
            self.root.set(key, value)
        background = etree.Element(
            f"{{{SVG}}}rect",
            {
                "class": "bpmn-background",
                "x": fmt(view.x),
                "y": fmt(view.y),
                "width": fmt(view.width),
                "height": fmt(view.height),
                "fill": PAPER,
            },
        )
        self.root.insert(0, background)


def _diagrams(root: etree._Element, index: dict[str, etree._Element]) -> list[DiagramDI]:
    diagrams = read_diagrams(root, index)
    drawn = {shape.element_id for diagram in diagrams for shape in diagram.shapes}
    missing = processes_without_di(root, drawn)
    if missing:
        logger.info("%d process(es) without BPMN DI; using automatic layout", len(missing))
        taken = {d.diagram_id for d in diagrams}
        auto = layout_processes(root, missing, index)
        if auto.diagram_id in taken:
            auto = DiagramDI(
                f"{AUTO_DIAGRAM_ID}-{len(diagrams)}", auto.name, auto.shapes, auto.edges
            )
        diagrams.append(auto)
    return diagrams


def render_diagrams(
    document, *, overlays: Mapping[str, Overlay] | None = None
) -> list[RenderedDiagram]:
    """Render every BPMNDiagram of ``document`` to SVG, one RenderedDiagram each.

    ``document`` is a loaded BpmnDocument (or its ``bpmn:definitions`` element). Processes
    with no DI at all are laid out automatically and appended as one more diagram.
    ``overlays`` maps BPMN element ids to the fill, stroke, badge and tooltip to show.
    """
    root = _root_of(document)
    index = _id_index(root)
    overlays = overlays or {}
    return [_DiagramPainter(d, index, overlays).paint() for d in _diagrams(root, index)]


def render_svg(
    document,
    *,
    overlays: Mapping[str, Overlay] | None = None,
    diagram_id: str | None = None,
) -> str:
    """Render one diagram of ``document`` to an SVG string: the first, or ``diagram_id``.

    A document with nothing to draw yields an empty (but valid) SVG. An unknown
    ``diagram_id`` raises BpmnError with the code ``render.unknown_diagram``.
    """
    root = _root_of(document)
    index = _id_index(root)
    diagrams = _diagrams(root, index)
    if diagram_id is not None:
        chosen = [d for d in diagrams if d.diagram_id == diagram_id]
        if not chosen:
            known = ", ".join(d.diagram_id for d in diagrams) or "none"
            problem = Problem(
                code="render.unknown_diagram",
                severity=ERROR,
                message=f"there is no diagram '{diagram_id}' (diagrams: {known})",
            )
            raise BpmnError("cannot render the diagram", [problem])
        diagrams = chosen
    if not diagrams:
        diagrams = [DiagramDI("empty", None, (), ())]
    return _DiagramPainter(diagrams[0], index, overlays or {}).paint().svg

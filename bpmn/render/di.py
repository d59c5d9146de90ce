"""Reading BPMN DI (``bpmndi:BPMNDiagram``) into plain records the renderer can draw.

BPMN DI is not part of the semantic model, so the renderer works from the lxml tree: each
``BPMNShape`` / ``BPMNEdge`` becomes a record holding its geometry and the semantic element
it points at (``bpmnElement``), or None when that reference is dangling.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from lxml import etree

from bpmn.namespaces import BPMNDI, DC, DI, localname, q
from bpmn.render.geometry import Bounds, Point

logger = logging.getLogger(__name__)

DIAGRAM = q(BPMNDI, "BPMNDiagram")
PLANE = q(BPMNDI, "BPMNPlane")
SHAPE = q(BPMNDI, "BPMNShape")
EDGE = q(BPMNDI, "BPMNEdge")
LABEL = q(BPMNDI, "BPMNLabel")
BOUNDS = q(DC, "Bounds")
WAYPOINT = q(DI, "waypoint")


@dataclass(frozen=True)
class ShapeDI:
    """One drawn node: its bounds, its label box and the DI flags that change the notation."""

    di_id: str | None
    element_id: str
    element: etree._Element | None = field(compare=False, repr=False)
    bounds: Bounds
    label_bounds: Bounds | None = None
    is_expanded: bool | None = None
    is_horizontal: bool | None = None
    is_marker_visible: bool | None = None

    @property
    def kind(self) -> str:
        """The BPMN element type (``userTask``), or ``unknown`` for a dangling reference."""
        return localname(self.element) if self.element is not None else "unknown"


@dataclass(frozen=True)
class EdgeDI:
    """One drawn connection: its waypoints and label box."""

    di_id: str | None
    element_id: str
    element: etree._Element | None = field(compare=False, repr=False)
    waypoints: tuple[Point, ...]
    label_bounds: Bounds | None = None

    @property
    def kind(self) -> str:
        """The BPMN element type (``sequenceFlow``), or ``unknown`` for a dangling reference."""
        return localname(self.element) if self.element is not None else "unknown"


@dataclass(frozen=True)
class DiagramDI:
    """One ``BPMNDiagram`` (or one computed by the automatic layout)."""

    diagram_id: str
    name: str | None
    shapes: tuple[ShapeDI, ...]
    edges: tuple[EdgeDI, ...]


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in ("true", "1")


def read_bounds(el: etree._Element | None) -> Bounds | None:
    """Return the ``dc:Bounds`` of ``el`` or None when absent or unreadable."""
    if el is None:
        return None
    box = el.find(BOUNDS)
    if box is None:
        return None
    x, y = _number(box.get("x")), _number(box.get("y"))
    width, height = _number(box.get("width")), _number(box.get("height"))
    if x is None or y is None or width is None or height is None:
        return None
    # Negative sizes appear in hand-edited files; draw them as zero rather than inverted.
    return Bounds(x, y, max(width, 0.0), max(height, 0.0))


def _label_bounds(el: etree._Element) -> Bounds | None:
    label = el.find(LABEL)
    bounds = read_bounds(label)
    if bounds is None or bounds.width <= 0 or bounds.height <= 0:
        return None
    return bounds


def _waypoints(el: etree._Element) -> tuple[Point, ...]:
    points = []
    for wp in el.iter(WAYPOINT):
        x, y = _number(wp.get("x")), _number(wp.get("y"))
        if x is not None and y is not None:
            points.append(Point(x, y))
    return tuple(points)


def _read_diagram(
    diagram: etree._Element, index: dict[str, etree._Element], number: int
) -> DiagramDI:
    shapes: list[ShapeDI] = []
    edges: list[EdgeDI] = []
    plane = diagram.find(PLANE)
    if plane is not None:
        for el in plane.iter(SHAPE, EDGE):
            ref = el.get("bpmnElement") or ""
            # A reference-less shape still gets drawn; its own DI id is the best name it has.
            element_id = ref or el.get("id") or ""
            element = index.get(ref) if ref else None
            if element is None:
                logger.debug("BPMN DI %s refers to missing element %r", el.get("id"), ref)
            if el.tag == SHAPE:
                bounds = read_bounds(el)
                if bounds is None:
                    logger.debug("BPMNShape %s has no bounds; skipped", el.get("id"))
                    continue
                shapes.append(
                    ShapeDI(
                        di_id=el.get("id"),
                        element_id=element_id,
                        element=element,
                        bounds=bounds,
                        label_bounds=_label_bounds(el),
                        is_expanded=_bool(el.get("isExpanded")),
                        is_horizontal=_bool(el.get("isHorizontal")),
                        is_marker_visible=_bool(el.get("isMarkerVisible")),
                    )
                )
            else:
                edges.append(
                    EdgeDI(
                        di_id=el.get("id"),
                        element_id=element_id,
                        element=element,
                        waypoints=_waypoints(el),
                        label_bounds=_label_bounds(el),
                    )
                )
    diagram_id = diagram.get("id") or f"diagram-{number}"
    return DiagramDI(diagram_id, diagram.get("name"), tuple(shapes), tuple(edges))


def read_diagrams(root: etree._Element, index: dict[str, etree._Element]) -> list[DiagramDI]:
    """Return every ``BPMNDiagram`` under ``root`` in document order."""
    return [
        _read_diagram(diagram, index, number)
        for number, diagram in enumerate(root.iter(DIAGRAM), start=1)
    ]

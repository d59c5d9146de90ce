"""Drawing of BPMN nodes: events, activities, gateways, pools and lanes, data and artifacts.

Each routine draws one ``ShapeDI`` into its own ``<g>`` and returns the box its external label
took (if any), so the caller can widen the viewBox to include it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from bpmn.namespaces import BPMN, localname, q
from bpmn.render import labels
from bpmn.render.canvas import Canvas, fmt, poly
from bpmn.render.di import ShapeDI
from bpmn.render.geometry import Bounds
from bpmn.render.icons import activity_marker, event_marker, task_icon
from bpmn.render.style import FONT_SIZE, POOL_BAND, SMALL_FONT_SIZE, Paint

EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
TASKS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "scriptTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
    }
)
SUB_PROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
ACTIVITIES = TASKS | SUB_PROCESSES | {"callActivity"}
GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
DATA = frozenset({"dataObjectReference", "dataObject", "dataInput", "dataOutput"})
CONTAINERS = frozenset({"participant", "lane"})

_DEFINITION_MARKERS = {
    "messageEventDefinition": "message",
    "timerEventDefinition": "timer",
    "errorEventDefinition": "error",
    "signalEventDefinition": "signal",
    "escalationEventDefinition": "escalation",
    "conditionalEventDefinition": "conditional",
    "compensateEventDefinition": "compensation",
    "linkEventDefinition": "link",
    "terminateEventDefinition": "terminate",
    "cancelEventDefinition": "cancel",
}


@dataclass(frozen=True)
class ShapeContext:
    """What a shape routine needs beyond its own DI: the id index and expansion state."""

    index: dict[str, etree._Element]
    expanded: bool = False


def element_name(element: etree._Element | None, index: dict[str, etree._Element]) -> str:
    """Return the text a shape shows: its name, an annotation's text, a group's category."""
    if element is None:
        return ""
    kind = localname(element)
    if kind == "textAnnotation":
        text = element.find(q(BPMN, "text"))
        return (text.text or "") if text is not None else ""
    if kind == "group" and not element.get("name"):
        value = index.get(element.get("categoryValueRef") or "")
        return (value.get("value") or "") if value is not None else ""
    name = element.get("name")
    if not name and kind == "dataObjectReference":
        target = index.get(element.get("dataObjectRef") or "")
        name = target.get("name") if target is not None else None
    return name or ""


def _is_true(element: etree._Element, attr: str, default: bool = False) -> bool:
    value = element.get(attr)
    if value is None:
        return default
    return value.strip().lower() in ("true", "1")


def event_markers(element: etree._Element, index: dict[str, etree._Element]) -> str | None:
    """Return the marker an event shows: one definition's name, ``multiple``, or None."""
    found: list[str] = []
    for child in element:
        kind = localname(child)
        if kind == "eventDefinitionRef":
            target = index.get((child.text or "").strip())
            kind = localname(target) if target is not None else ""
        marker = _DEFINITION_MARKERS.get(kind)
        if marker:
            found.append(marker)
    if not found:
        return None
    if len(found) > 1:
        return "parallelMultiple" if _is_true(element, "parallelMultiple") else "multiple"
    return found[0]


def draw_event(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """Circle(s) by event kind, dashed when non-interrupting, with its definition's marker."""
    element = shape.element
    kind = shape.kind
    b = shape.bounds
    c = b.center
    r = min(b.width, b.height) / 2
    dashed = (kind == "startEvent" and not _is_true(element, "isInterrupting", True)) or (
        kind == "boundaryEvent" and not _is_true(element, "cancelActivity", True)
    )
    dash = "5,3" if dashed else None
    base = {"fill": paint.fill, "stroke": paint.stroke, "stroke_dasharray": dash}
    if kind == "startEvent":
        canvas.circle(c.x, c.y, r, stroke_width=2, **base)
    elif kind == "endEvent":
        canvas.circle(c.x, c.y, r - 1, stroke_width=4, **base)
    else:
        canvas.circle(c.x, c.y, r, stroke_width=1.5, **base)
        canvas.circle(c.x, c.y, max(r - 3, 0), stroke_width=1.5, **base)
    marker = event_markers(element, ctx.index)
    if marker:
        filled = kind in ("endEvent", "intermediateThrowEvent")
        event_marker(canvas, marker, c.x, c.y, r, paint, filled)


def draw_activity(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """Rounded rectangle with the border, icon and bottom markers of its activity type."""
    element = shape.element
    kind = shape.kind
    b = shape.bounds
    dash = None
    width = 2.0
    if kind == "callActivity":
        width = 5.0
    if kind == "subProcess" and _is_true(element, "triggeredByEvent"):
        dash = "1.5,3"
    fill = paint.fill
    canvas.rect(
        b.x,
        b.y,
        b.width,
        b.height,
        rx=10,
        fill=fill,
        stroke=paint.stroke,
        stroke_width=width,
        stroke_dasharray=dash,
    )
    if kind == "transaction":
        inner = b.inset(3)
        canvas.rect(
            inner.x,
            inner.y,
            inner.width,
            inner.height,
            rx=7,
            fill="none",
            stroke=paint.stroke,
            stroke_width=1.5,
        )
    if kind in TASKS:
        task_icon(canvas, kind, b.x + 6, b.y + 6, paint)
    _activity_markers(canvas, shape, paint, ctx)


def _activity_markers(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    element = shape.element
    kind = shape.kind
    markers: list[str] = []
    for child in element:
        child_kind = localname(child)
        if child_kind == "standardLoopCharacteristics":
            markers.append("loop")
        elif child_kind == "multiInstanceLoopCharacteristics":
            markers.append("sequential" if _is_true(child, "isSequential") else "parallel")
    if _is_true(element, "isForCompensation"):
        markers.append("compensation")
    if kind == "adHocSubProcess":
        markers.append("adhoc")
    if kind in SUB_PROCESSES | {"callActivity"} and not ctx.expanded:
        # The collapsed marker sits in the middle, the others around it (spec, fig. 10.x).
        markers.insert(len(markers) // 2, "collapsed")
    if not markers:
        return
    b = shape.bounds
    size, gap = 14.0, 4.0
    total = len(markers) * size + (len(markers) - 1) * gap
    x = b.x + (b.width - total) / 2
    y = b.bottom - size - 5
    for marker in markers:
        activity_marker(canvas, marker, x, y, paint)
        x += size + gap


def draw_gateway(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """Diamond with the marker of its gateway type."""
    b = shape.bounds
    c = b.center
    canvas.path(
        f"M{fmt(c.x)},{fmt(b.y)} L{fmt(b.right)},{fmt(c.y)} L{fmt(c.x)},{fmt(b.bottom)} "
        f"L{fmt(b.x)},{fmt(c.y)} Z",
        fill=paint.fill,
        stroke=paint.stroke,
        stroke_width=2,
        stroke_linejoin="round",
    )
    s = min(b.width, b.height) / 50.0
    thick = {
        "fill": "none",
        "stroke": paint.stroke,
        "stroke_width": 4 * s,
        "stroke_linecap": "round",
    }

    def cross(d: float) -> str:
        return poly((c.x - d, c.y), (c.x + d, c.y)) + " " + poly((c.x, c.y - d), (c.x, c.y + d))

    def saltire(d: float) -> str:
        return (
            poly((c.x - d, c.y - d), (c.x + d, c.y + d))
            + " "
            + poly((c.x + d, c.y - d), (c.x - d, c.y + d))
        )

    kind = shape.kind
    element = shape.element
    if kind == "exclusiveGateway":
        # BPMN DI: the X is optional; tools that leave the flag out expect it shown.
        if shape.is_marker_visible is not False:
            canvas.path(saltire(8 * s), **thick)
    elif kind == "parallelGateway":
        canvas.path(cross(11 * s), **thick)
    elif kind == "inclusiveGateway":
        canvas.circle(c.x, c.y, 11 * s, fill="none", stroke=paint.stroke, stroke_width=2.5 * s)
    elif kind == "complexGateway":
        canvas.path(cross(11 * s) + " " + saltire(8 * s), **(thick | {"stroke_width": 3 * s}))
    elif kind == "eventBasedGateway":
        line = {"fill": "none", "stroke": paint.stroke, "stroke_width": 1.2}
        canvas.circle(c.x, c.y, 12.5 * s, **line)
        if not _is_true(element, "instantiate"):
            canvas.circle(c.x, c.y, 10 * s, **line)
        if (element.get("eventGatewayType") or "").lower() == "parallel":
            event_marker(canvas, "parallelMultiple", c.x, c.y, 12 * s, paint, False)
        else:
            event_marker(canvas, "multiple", c.x, c.y, 11 * s, paint, False)


def draw_pool_or_lane(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """Pool or lane rectangle with its name in a band: vertical text for horizontal ones."""
    b = shape.bounds
    element = shape.element
    name = element_name(element, ctx.index)
    is_lane = shape.kind == "lane"
    fill = paint.fill if not is_lane or paint.fill != Paint().fill else "none"
    canvas.rect(b.x, b.y, b.width, b.height, fill=fill, stroke=paint.stroke, stroke_width=1.5)
    black_box = not is_lane and not element.get("processRef")
    if black_box:
        labels.draw_centered(canvas, name, b)
        return
    horizontal = shape.is_horizontal is not False
    if horizontal:
        if not is_lane:
            canvas.line(
                b.x + POOL_BAND,
                b.y,
                b.x + POOL_BAND,
                b.bottom,
                stroke=paint.stroke,
                stroke_width=1.5,
            )
        cx, cy = b.x + POOL_BAND / 2, b.y + b.height / 2
        size, lines = labels.fit_text(name, b.height - 8, POOL_BAND - 2, FONT_SIZE)
        step = size * 1.2
        first = cy - (len(lines) - 1) * step / 2 + size * 0.35
        canvas.text_lines(
            ((cx, first + i * step, line) for i, line in enumerate(lines)),
            size=size,
            transform=f"rotate(-90 {fmt(cx)} {fmt(cy)})",
        )
    else:
        if not is_lane:
            canvas.line(
                b.x,
                b.y + POOL_BAND,
                b.right,
                b.y + POOL_BAND,
                stroke=paint.stroke,
                stroke_width=1.5,
            )
        labels.draw_centered(canvas, name, Bounds(b.x, b.y, b.width, POOL_BAND))


def draw_data(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """Page with a folded corner; arrow for data input/output; bars for a collection."""
    b = shape.bounds
    element = shape.element
    fold = min(b.width, b.height) * 0.28
    canvas.path(
        poly(
            (b.x, b.y),
            (b.right - fold, b.y),
            (b.right, b.y + fold),
            (b.right, b.bottom),
            (b.x, b.bottom),
            closed=True,
        )
        + " "
        + poly((b.right - fold, b.y), (b.right - fold, b.y + fold), (b.right, b.y + fold)),
        fill=paint.fill,
        stroke=paint.stroke,
        stroke_width=1.5,
        stroke_linejoin="round",
    )
    kind = shape.kind
    if kind in ("dataInput", "dataOutput"):
        x, y = b.x + 4, b.y + 4
        canvas.path(
            poly(
                (x, y + 3),
                (x + 6, y + 3),
                (x + 6, y),
                (x + 12, y + 5),
                (x + 6, y + 10),
                (x + 6, y + 7),
                (x, y + 7),
                closed=True,
            ),
            fill=paint.marker_fill if kind == "dataOutput" else paint.fill,
            stroke=paint.stroke,
            stroke_width=1,
        )
    collection = _is_true(element, "isCollection")
    if kind == "dataObjectReference":
        target = ctx.index.get(element.get("dataObjectRef") or "")
        collection = collection or (target is not None and _is_true(target, "isCollection"))
    if collection:
        cx, y = b.x + b.width / 2, b.bottom - 13
        canvas.path(
            " ".join(f"M{fmt(cx + dx)},{fmt(y)} L{fmt(cx + dx)},{fmt(y + 9)}" for dx in (-4, 0, 4)),
            fill="none",
            stroke=paint.stroke,
            stroke_width=1.5,
        )


def draw_data_store(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """A cylinder (a database drum)."""
    b = shape.bounds
    ry = min(b.height * 0.12, 8.0)
    rx = b.width / 2
    cx = b.x + rx
    style = {"fill": paint.fill, "stroke": paint.stroke, "stroke_width": 1.5}
    canvas.path(
        f"M{fmt(b.x)},{fmt(b.y + ry)} L{fmt(b.x)},{fmt(b.bottom - ry)} "
        f"A{fmt(rx)},{fmt(ry)} 0 0 0 {fmt(b.right)},{fmt(b.bottom - ry)} "
        f"L{fmt(b.right)},{fmt(b.y + ry)}",
        **style,
    )
    canvas.ellipse(cx, b.y + ry, rx, ry, **style)
    for k in (1, 2):
        canvas.path(
            f"M{fmt(b.x)},{fmt(b.y + ry + 4 * k)} "
            f"A{fmt(rx)},{fmt(ry)} 0 0 0 {fmt(b.right)},{fmt(b.y + ry + 4 * k)}",
            fill="none",
            stroke=paint.stroke,
            stroke_width=1.2,
        )


def draw_annotation(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """An open bracket on the left with the annotation's text beside it."""
    b = shape.bounds
    canvas.rect(
        b.x,
        b.y,
        b.width,
        b.height,
        fill=paint.fill if paint.fill != Paint().fill else "none",
        stroke="none",
    )
    canvas.path(
        poly((b.x + 15, b.y), (b.x, b.y), (b.x, b.bottom), (b.x + 15, b.bottom)),
        fill="none",
        stroke=paint.stroke,
        stroke_width=1.5,
    )
    labels.draw_left(canvas, element_name(shape.element, ctx.index), b, size=SMALL_FONT_SIZE)


def draw_group(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """A dash-dotted rounded rectangle around what it groups."""
    b = shape.bounds
    canvas.rect(
        b.x,
        b.y,
        b.width,
        b.height,
        rx=10,
        fill="none",
        stroke=paint.stroke,
        stroke_width=1.5,
        stroke_dasharray="10,4,2,4",
    )


def draw_other(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """Anything else (choreography, conversation, dangling references): a plain box."""
    b = shape.bounds
    dangling = shape.element is None
    canvas.rect(
        b.x,
        b.y,
        b.width,
        b.height,
        rx=0 if dangling else 6,
        fill=paint.fill,
        stroke=paint.stroke,
        stroke_width=1,
        stroke_dasharray="4,3" if dangling else None,
    )


def draw_shape(
    canvas: Canvas,
    shape: ShapeDI,
    paint: Paint,
    ctx: ShapeContext,
    label_canvas: Canvas | None = None,
) -> Bounds | None:
    """Draw ``shape`` into ``canvas``; return the box of its external label, if any.

    Labels inside the shape go into ``canvas``; labels outside it (under events, in a
    BPMNLabel box) go into ``label_canvas`` when given, a layer painted over every shape, so
    a neighbour drawn later cannot hide them.
    """
    kind = shape.kind
    name = element_name(shape.element, ctx.index)
    if kind in EVENTS:
        draw_event(canvas, shape, paint, ctx)
    elif kind in ACTIVITIES:
        draw_activity(canvas, shape, paint, ctx)
    elif kind in GATEWAYS:
        draw_gateway(canvas, shape, paint, ctx)
    elif kind in CONTAINERS:
        draw_pool_or_lane(canvas, shape, paint, ctx)
        return None
    elif kind in DATA:
        draw_data(canvas, shape, paint, ctx)
    elif kind == "dataStoreReference":
        draw_data_store(canvas, shape, paint, ctx)
    elif kind == "textAnnotation":
        draw_annotation(canvas, shape, paint, ctx)
        return None
    elif kind == "group":
        draw_group(canvas, shape, paint, ctx)
    else:
        draw_other(canvas, shape, paint, ctx)
    return _draw_label(canvas, label_canvas or canvas, shape, name, ctx)


def _draw_label(
    canvas: Canvas, outside: Canvas, shape: ShapeDI, name: str, ctx: ShapeContext
) -> Bounds | None:
    if not name.strip():
        return None
    kind = shape.kind
    b = shape.bounds
    if shape.label_bounds is not None:
        labels.draw_in_label_bounds(outside, name, shape.label_bounds, size=SMALL_FONT_SIZE)
        return shape.label_bounds
    if kind == "group":
        labels.draw_centered(
            canvas, name, Bounds(b.x, b.y, b.width, 30), valign="top", size=SMALL_FONT_SIZE
        )
        return None
    if kind in ACTIVITIES or kind not in EVENTS | GATEWAYS | DATA | {"dataStoreReference"}:
        if ctx.expanded:
            labels.draw_left(canvas, name, Bounds(b.x + 4, b.y + 2, b.width - 8, b.height))
            return None
        # Leave room for the type icon above and the bottom markers below.
        top = 22.0 if kind in TASKS and kind != "task" and b.height >= 50 else 2.0
        bottom = 18.0 if _has_bottom_markers(shape) and b.height >= 50 else 2.0
        box = Bounds(b.x + 2, b.y + top, b.width - 4, max(b.height - top - bottom, FONT_SIZE * 1.3))
        labels.draw_centered(canvas, name, box, size=FONT_SIZE, padding=2)
        return None
    return labels.draw_below(outside, name, b, size=SMALL_FONT_SIZE, width=max(b.width * 2.5, 100))


def _has_bottom_markers(shape: ShapeDI) -> bool:
    element = shape.element
    if element is None:
        return False
    if shape.kind in SUB_PROCESSES | {"callActivity"} or _is_true(element, "isForCompensation"):
        return True
    return any(localname(child).endswith("LoopCharacteristics") for child in element)


def is_expanded(shape: ShapeDI, drawn_children: set[str]) -> bool:
    """Whether a (sub-)process shape is drawn expanded.

    ``isExpanded`` decides when present; when a tool left it out, a shape whose children are
    drawn in the same diagram is expanded, which is what the modeller saw.
    """
    if shape.kind not in SUB_PROCESSES | {"callActivity"}:
        return False
    if shape.is_expanded is not None:
        return shape.is_expanded
    return shape.element_id in drawn_children


def parent_ids(shape: ShapeDI) -> str | None:
    """Return the id of the element containing ``shape``'s element, or None."""
    if shape.element is None:
        return None
    parent = shape.element.getparent()
    return parent.get("id") if parent is not None else None

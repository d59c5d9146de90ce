"""Drawing of BPMN nodes: events, activities and gateways here, the rest in ``artifacts``.

Each routine draws one ``ShapeDI`` into its own ``<g>`` and returns the box its external label
took (if any), so the caller can widen the viewBox to include it.
"""

from __future__ import annotations

from bpmn.namespaces import localname
from bpmn.render import labels
from bpmn.render.artifacts import (
    draw_annotation,
    draw_data,
    draw_data_store,
    draw_group,
    draw_other,
    draw_pool_or_lane,
)
from bpmn.render.canvas import Canvas, fmt, poly
from bpmn.render.di import ShapeDI
from bpmn.render.geometry import Bounds
from bpmn.render.icons import activity_marker, event_marker, task_icon
from bpmn.render.kinds import (
    ACTIVITIES,
    CONTAINERS,
    DATA,
    EVENTS,
    GATEWAYS,
    SUB_PROCESSES,
    TASKS,
    ShapeContext,
    element_name,
    event_markers,
    is_true,
)
from bpmn.render.style import FONT_SIZE, SMALL_FONT_SIZE, Paint


def draw_event(canvas: Canvas, shape: ShapeDI, paint: Paint, ctx: ShapeContext) -> None:
    """Circle(s) by event kind, dashed when non-interrupting, with its definition's marker."""
    element = shape.element
    kind = shape.kind
    b = shape.bounds
    c = b.center
    r = min(b.width, b.height) / 2
    dashed = (kind == "startEvent" and not is_true(element, "isInterrupting", True)) or (
        kind == "boundaryEvent" and not is_true(element, "cancelActivity", True)
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
    if kind == "subProcess" and is_true(element, "triggeredByEvent"):
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
            markers.append("sequential" if is_true(child, "isSequential") else "parallel")
    if is_true(element, "isForCompensation"):
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
        if not is_true(element, "instantiate"):
            canvas.circle(c.x, c.y, 10 * s, **line)
        if (element.get("eventGatewayType") or "").lower() == "parallel":
            event_marker(canvas, "parallelMultiple", c.x, c.y, 12 * s, paint, False)
        else:
            event_marker(canvas, "multiple", c.x, c.y, 11 * s, paint, False)


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
    if shape.kind in SUB_PROCESSES | {"callActivity"} or is_true(element, "isForCompensation"):
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

"""Drawing of pools, lanes, data objects, data stores and artifacts (annotations, groups)."""

from __future__ import annotations

from bpmn.render import labels
from bpmn.render.canvas import Canvas, fmt, poly
from bpmn.render.di import ShapeDI
from bpmn.render.geometry import Bounds
from bpmn.render.kinds import ShapeContext, element_name, is_true
from bpmn.render.style import FONT_SIZE, POOL_BAND, SMALL_FONT_SIZE, Paint


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
    collection = is_true(element, "isCollection")
    if kind == "dataObjectReference":
        target = ctx.index.get(element.get("dataObjectRef") or "")
        collection = collection or (target is not None and is_true(target, "isCollection"))
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

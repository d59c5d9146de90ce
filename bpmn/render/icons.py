"""Event-definition markers and task-type icons, drawn in a local 0..1-ish unit frame.

Each routine takes the point it is centred on (markers) or the corner it sits at (task icons)
and a scale, so the same drawing serves a 36-pixel event and a 28-pixel one.
"""

from __future__ import annotations

import math

from bpmn.render.canvas import Canvas, fmt, poly
from bpmn.render.style import Paint


def _poly(cx: float, cy: float, s: float, pts: list[tuple[float, float]]) -> str:
    """Path data for a closed polygon given in units around (cx, cy)."""
    coords = [f"{fmt(cx + x * s)},{fmt(cy + y * s)}" for x, y in pts]
    return "M" + " L".join(coords) + " Z"


def _regular(n: int, radius: float, rotation: float = -math.pi / 2) -> list[tuple[float, float]]:
    return [
        (
            radius * math.cos(rotation + 2 * math.pi * i / n),
            radius * math.sin(rotation + 2 * math.pi * i / n),
        )
        for i in range(n)
    ]


def event_marker(
    canvas: Canvas, marker: str, cx: float, cy: float, r: float, paint: Paint, filled: bool
) -> None:
    """Draw the marker of one event definition (``message``, ``timer``...) inside a circle.

    ``filled`` marks throwing events, whose markers are solid; catching ones are outlined.
    """
    s = r / 18.0
    fill = paint.marker_fill if filled else paint.fill
    ink = {"stroke": paint.stroke, "stroke_width": 1.5, "stroke_linejoin": "round"}
    if marker == "message":
        canvas.rect(cx - 10 * s, cy - 7 * s, 20 * s, 14 * s, fill=fill, **ink)
        flap = paint.fill if filled else paint.stroke
        canvas.path(
            f"M{fmt(cx - 10 * s)},{fmt(cy - 7 * s)} L{fmt(cx)},{fmt(cy + 1 * s)} "
            f"L{fmt(cx + 10 * s)},{fmt(cy - 7 * s)}",
            fill="none",
            stroke=flap,
            stroke_width=1.5,
        )
    elif marker == "timer":
        canvas.circle(cx, cy, 11 * s, fill=paint.fill, stroke=paint.stroke, stroke_width=2)
        ticks = []
        for i in range(12):
            a = 2 * math.pi * i / 12
            ticks.append(
                f"M{fmt(cx + 8.5 * s * math.cos(a))},{fmt(cy + 8.5 * s * math.sin(a))} "
                f"L{fmt(cx + 11 * s * math.cos(a))},{fmt(cy + 11 * s * math.sin(a))}"
            )
        canvas.path(" ".join(ticks), fill="none", stroke=paint.stroke, stroke_width=1)
        canvas.path(
            poly((cx, cy - 7 * s), (cx, cy), (cx + 5 * s, cy + 2 * s)),
            fill="none",
            stroke=paint.stroke,
            stroke_width=1.5,
        )
    elif marker == "error":
        pts = [(-8, 9), (-3, -7), (2.5, -0.5), (8, -9), (3.5, 8), (-2, 1.5)]
        canvas.path(_poly(cx, cy, s, pts), fill=fill, **ink)
    elif marker == "signal":
        canvas.path(_poly(cx, cy, s, [(0, -10), (9, 6), (-9, 6)]), fill=fill, **ink)
    elif marker == "escalation":
        canvas.path(_poly(cx, cy, s, [(0, -10), (7, 9), (0, 2), (-7, 9)]), fill=fill, **ink)
    elif marker == "conditional":
        canvas.rect(cx - 7 * s, cy - 9 * s, 14 * s, 18 * s, fill=paint.fill, **ink)
        rows = " ".join(
            f"M{fmt(cx - 4.5 * s)},{fmt(cy + dy * s)} L{fmt(cx + 4.5 * s)},{fmt(cy + dy * s)}"
            for dy in (-5, -1.5, 2, 5.5)
        )
        canvas.path(rows, fill="none", stroke=paint.stroke, stroke_width=1.2)
    elif marker == "compensation":
        compensation_marker(canvas, cx, cy, s, paint, filled)
    elif marker == "link":
        pts = [(-9, -3.5), (1, -3.5), (1, -8), (9, 0), (1, 8), (1, 3.5), (-9, 3.5)]
        canvas.path(_poly(cx, cy, s, pts), fill=fill, **ink)
    elif marker == "terminate":
        canvas.circle(cx, cy, 10 * s, fill=paint.marker_fill, stroke=paint.stroke, stroke_width=1)
    elif marker == "cancel":
        arm = [(-8, -5.5), (-5.5, -8), (0, -2.5), (5.5, -8), (8, -5.5), (2.5, 0)]
        pts = [*arm, (8, 5.5), (5.5, 8), (0, 2.5), (-5.5, 8), (-8, 5.5), (-2.5, 0)]
        canvas.path(_poly(cx, cy, s, pts), fill=fill, **ink)
    elif marker == "multiple":
        canvas.path(_poly(cx, cy, s, _regular(5, 9.5)), fill=fill, **ink)
    elif marker == "parallelMultiple":
        pts = [
            (-2.5, -9),
            (2.5, -9),
            (2.5, -2.5),
            (9, -2.5),
            (9, 2.5),
            (2.5, 2.5),
            (2.5, 9),
            (-2.5, 9),
            (-2.5, 2.5),
            (-9, 2.5),
            (-9, -2.5),
            (-2.5, -2.5),
        ]
        canvas.path(_poly(cx, cy, s, pts), fill=fill, **ink)


def compensation_marker(
    canvas: Canvas, cx: float, cy: float, s: float, paint: Paint, filled: bool
) -> None:
    """Two triangles pointing left ("rewind"), used by events and activities alike."""
    fill = paint.marker_fill if filled else paint.fill
    for dx in (-8, 0):
        pts = [(dx, 0), (dx + 8, -6), (dx + 8, 6)]
        canvas.path(_poly(cx, cy, s, pts), fill=fill, stroke=paint.stroke, stroke_width=1.2)


def task_icon(canvas: Canvas, kind: str, x: float, y: float, paint: Paint) -> None:
    """Draw the icon of a task type in the 20x20 box whose top-left corner is (x, y)."""
    ink = {"stroke": paint.stroke, "stroke_width": 1.2, "stroke_linejoin": "round"}
    if kind == "userTask":
        canvas.path(
            f"M{fmt(x + 2)},{fmt(y + 20)} C{fmt(x + 2)},{fmt(y + 12)} {fmt(x + 18)},{fmt(y + 12)} "
            f"{fmt(x + 18)},{fmt(y + 20)} Z",
            fill=paint.fill,
            **ink,
        )
        canvas.circle(x + 10, y + 7, 4.5, fill=paint.fill, **ink)
        canvas.path(
            # The hair: a cap over the head circle.
            f"M{fmt(x + 5.6)},{fmt(y + 6)} "
            f"C{fmt(x + 7)},{fmt(y + 1)} {fmt(x + 13)},{fmt(y + 1)} {fmt(x + 14.4)},{fmt(y + 6)} "
            f"C{fmt(x + 12)},{fmt(y + 4.5)} {fmt(x + 8)},{fmt(y + 4.5)} "
            f"{fmt(x + 5.6)},{fmt(y + 6)} Z",
            fill=paint.stroke,
            stroke="none",
        )
    elif kind == "manualTask":
        # An open hand, palm down: a palm block with four fingers and a thumb.
        d = " ".join(
            (
                poly(
                    (x + 1, y + 9),
                    (x + 7, y + 4),
                    (x + 19, y + 4),
                    (x + 19, y + 7),
                    (x + 11, y + 7),
                ),
                poly((x + 10, y + 7), (x + 20, y + 7), (x + 20, y + 10), (x + 10, y + 10)),
                poly((x + 10, y + 10), (x + 19, y + 10), (x + 19, y + 13), (x + 10, y + 13)),
                poly(
                    (x + 10, y + 13),
                    (x + 17, y + 13),
                    (x + 17, y + 16),
                    (x + 5, y + 16),
                    (x + 1, y + 13),
                    closed=True,
                ),
            )
        )
        canvas.path(d, fill=paint.fill, **ink)
    elif kind == "serviceTask":
        _gear(canvas, x + 7.5, y + 7.5, 6.5, paint)
        _gear(canvas, x + 13, y + 13, 6.5, paint)
    elif kind == "scriptTask":
        canvas.path(
            f"M{fmt(x + 5)},{fmt(y + 1)} L{fmt(x + 18)},{fmt(y + 1)} "
            f"C{fmt(x + 13)},{fmt(y + 6)} {fmt(x + 20)},{fmt(y + 13)} {fmt(x + 15)},{fmt(y + 19)} "
            f"L{fmt(x + 2)},{fmt(y + 19)} "
            f"C{fmt(x + 7)},{fmt(y + 13)} {fmt(x)},{fmt(y + 6)} {fmt(x + 5)},{fmt(y + 1)} Z",
            fill=paint.fill,
            **ink,
        )
        lines = " ".join(
            f"M{fmt(x + 5 + dx)},{fmt(y + dy)} L{fmt(x + 13 + dx)},{fmt(y + dy)}"
            for dx, dy in ((1.5, 5), (2.5, 8.5), (2.5, 12), (1.5, 15.5))
        )
        canvas.path(lines, fill="none", stroke=paint.stroke, stroke_width=1)
    elif kind in ("sendTask", "receiveTask"):
        filled = kind == "sendTask"
        canvas.rect(x + 1, y + 4, 19, 13, fill=paint.marker_fill if filled else paint.fill, **ink)
        canvas.path(
            poly((x + 1, y + 4), (x + 10.5, y + 11), (x + 20, y + 4)),
            fill="none",
            stroke=paint.fill if filled else paint.stroke,
            stroke_width=1.2,
        )
    elif kind == "businessRuleTask":
        canvas.rect(x + 1, y + 3, 19, 15, fill=paint.fill, **ink)
        canvas.rect(x + 1, y + 3, 19, 4, fill=paint.stroke, **ink)
        grid = (
            f"M{fmt(x + 1)},{fmt(y + 12.5)} L{fmt(x + 20)},{fmt(y + 12.5)} "
            f"M{fmt(x + 6)},{fmt(y + 7)} L{fmt(x + 6)},{fmt(y + 18)}"
        )
        canvas.path(grid, fill="none", stroke=paint.stroke, stroke_width=1)


def _gear(canvas: Canvas, cx: float, cy: float, r: float, paint: Paint) -> None:
    """A gear wheel: eight teeth around a ring with a hole."""
    pts = []
    teeth = 8
    for i in range(teeth * 4):
        a = 2 * math.pi * i / (teeth * 4)
        radius = r if (i % 4) in (1, 2) else r * 0.72
        pts.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
    d = "M" + " L".join(f"{fmt(px)},{fmt(py)}" for px, py in pts) + " Z"
    canvas.path(d, fill=paint.fill, stroke=paint.stroke, stroke_width=1)
    canvas.circle(cx, cy, r * 0.3, fill=paint.fill, stroke=paint.stroke, stroke_width=1)


def activity_marker(canvas: Canvas, marker: str, x: float, y: float, paint: Paint) -> None:
    """Draw one bottom marker of an activity in the 14x14 box at (x, y)."""
    line = {"fill": "none", "stroke": paint.stroke, "stroke_width": 1.5}
    if marker == "collapsed":
        canvas.rect(x, y, 14, 14, fill=paint.fill, stroke=paint.stroke, stroke_width=1.2)
        canvas.path(
            f"M{fmt(x + 3)},{fmt(y + 7)} L{fmt(x + 11)},{fmt(y + 7)} "
            f"M{fmt(x + 7)},{fmt(y + 3)} L{fmt(x + 7)},{fmt(y + 11)}",
            **line,
        )
    elif marker == "loop":
        # Three quarters of a circle with an arrowhead at its open end.
        cx, cy, r = x + 7, y + 7, 5.5
        canvas.path(
            f"M{fmt(cx - r * 0.7)},{fmt(cy + r * 0.7)} A{fmt(r)},{fmt(r)} 0 1 1 "
            f"{fmt(cx + r * 0.7)},{fmt(cy + r * 0.7)}",
            **line,
        )
        tip_x, tip_y = cx + r * 0.7, cy + r * 0.7
        canvas.path(
            f"M{fmt(tip_x - 4)},{fmt(tip_y + 1)} L{fmt(tip_x)},{fmt(tip_y)} "
            f"L{fmt(tip_x + 0.5)},{fmt(tip_y - 4)}",
            **line,
        )
    elif marker == "parallel":
        canvas.path(
            " ".join(
                f"M{fmt(x + dx)},{fmt(y + 1)} L{fmt(x + dx)},{fmt(y + 13)}" for dx in (2.5, 7, 11.5)
            ),
            fill="none",
            stroke=paint.stroke,
            stroke_width=2,
        )
    elif marker == "sequential":
        canvas.path(
            " ".join(
                f"M{fmt(x + 1)},{fmt(y + dy)} L{fmt(x + 13)},{fmt(y + dy)}" for dy in (2.5, 7, 11.5)
            ),
            fill="none",
            stroke=paint.stroke,
            stroke_width=2,
        )
    elif marker == "compensation":
        compensation_marker(canvas, x + 11, y + 7, 0.8, paint, filled=False)
    elif marker == "adhoc":
        canvas.path(
            f"M{fmt(x)},{fmt(y + 9)} C{fmt(x + 3)},{fmt(y + 3)} {fmt(x + 6)},{fmt(y + 3)} "
            f"{fmt(x + 7)},{fmt(y + 7)} C{fmt(x + 8)},{fmt(y + 11)} {fmt(x + 11)},{fmt(y + 11)} "
            f"{fmt(x + 14)},{fmt(y + 5)}",
            **line,
        )

"""Plain geometry for the renderer: points, bounds and the few operations the drawing needs."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    """A point in diagram coordinates (BPMN DI uses a y axis pointing down, like SVG)."""

    x: float
    y: float


@dataclass(frozen=True)
class Bounds:
    """An axis-aligned rectangle, as in ``dc:Bounds``."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def center(self) -> Point:
        return Point(self.x + self.width / 2, self.y + self.height / 2)

    def inset(self, dx: float, dy: float | None = None) -> Bounds:
        """Return these bounds shrunk by ``dx`` left/right and ``dy`` top/bottom."""
        dy = dx if dy is None else dy
        return Bounds(
            self.x + dx, self.y + dy, max(self.width - 2 * dx, 0), max(self.height - 2 * dy, 0)
        )


def union(boxes: Iterable[Bounds]) -> Bounds | None:
    """Return the smallest bounds containing every box, or None when there are none."""
    left = top = math.inf
    right = bottom = -math.inf
    for box in boxes:
        left = min(left, box.x)
        top = min(top, box.y)
        right = max(right, box.right)
        bottom = max(bottom, box.bottom)
    if left == math.inf:
        return None
    return Bounds(left, top, right - left, bottom - top)


def points_bounds(points: Sequence[Point]) -> Bounds | None:
    """Return the bounds of a polyline, or None for no points."""
    if not points:
        return None
    xs = [p.x for p in points]
    ys = [p.y for p in points]
    return Bounds(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def polyline_midpoint(points: Sequence[Point]) -> Point | None:
    """Return the point halfway along a polyline (by length), where an edge label belongs."""
    if not points:
        return None
    lengths = [math.dist((a.x, a.y), (b.x, b.y)) for a, b in itertools.pairwise(points)]
    remaining = sum(lengths) / 2
    for (a, b), length in zip(itertools.pairwise(points), lengths, strict=False):
        if length and remaining <= length:
            t = remaining / length
            return Point(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
        remaining -= length
    return points[0]


def end_direction(points: Sequence[Point], at_start: bool = False) -> tuple[Point, float] | None:
    """Return an end point of a polyline and the angle (radians) of travel arriving there.

    Repeated points are skipped so that a duplicated last waypoint (some tools write one)
    still yields the direction of the real last segment. With ``at_start`` the angle points
    away from the polyline, towards its first point, so one arrowhead routine serves both ends.
    """
    seq = list(points) if not at_start else list(reversed(points))
    if len(seq) < 2:
        return None
    tip = seq[-1]
    for prev in reversed(seq[:-1]):
        if prev.x != tip.x or prev.y != tip.y:
            return tip, math.atan2(tip.y - prev.y, tip.x - prev.x)
    return None

"""A thin SVG builder on lxml, so that every name and attribute is escaped by construction.

Text from BPMN files is untrusted: it goes into the SVG only as element text or attribute
values through lxml (which escapes ``<``, ``&`` and quotes), with characters XML cannot carry
removed first. Nothing here emits scripts, links or external references.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lxml import etree

from bpmn.render.geometry import Point

SVG = "http://www.w3.org/2000/svg"

# Characters outside the XML 1.0 Char production; lxml refuses them, so they are dropped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Paint values accepted from callers (overlays): colours only, never url(...) references.
_PAINT = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|rgba|hsl|hsla)\([0-9.,%\s]+\))$")
_CLASS_CHARS = re.compile(r"[^A-Za-z0-9_-]")


def clean_text(text: str | None) -> str:
    """Return ``text`` with characters that XML 1.0 cannot carry removed."""
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C without the regex
    return _NOT_XML.sub("", text)


def safe_paint(value: str | None) -> str | None:
    """Return ``value`` if it is a plain colour, else None (so no ``url()`` ever reaches SVG)."""
    if value is None:
        return None
    value = value.strip()
    return value if _PAINT.match(value) else None


def class_token(value: str) -> str:
    """Return ``value`` reduced to characters that are safe in a CSS class name."""
    return _CLASS_CHARS.sub("", value) or "unknown"


def fmt(value: float) -> str:
    """Format a coordinate compactly: two decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def path_data(points: Sequence[Point], closed: bool = False) -> str:
    """Return SVG path data ``M x,y L x,y ...`` for a polyline."""
    if not points:
        return ""
    parts = [f"M{fmt(points[0].x)},{fmt(points[0].y)}"]
    parts.extend(f"L{fmt(p.x)},{fmt(p.y)}" for p in points[1:])
    if closed:
        parts.append("Z")
    return " ".join(parts)


def poly(*points: tuple[float, float], closed: bool = False) -> str:
    """Return path data for one polyline given as (x, y) pairs."""
    text = "M" + " L".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
    return text + " Z" if closed else text


class Canvas:
    """Appends SVG elements to one parent element (a ``<g>`` or the ``<svg>`` root)."""

    def __init__(self, parent: etree._Element) -> None:
        self.parent = parent

    def element(self, tag: str, attrs: dict[str, str | float | None], text: str | None = None):
        """Append ``<tag>`` with the given attributes (None values are left out)."""
        attrib = {}
        for key, value in attrs.items():
            if value is None:
                continue
            attrib[key] = fmt(value) if isinstance(value, float | int) else clean_text(value)
        el = etree.SubElement(self.parent, f"{{{SVG}}}{tag}", attrib)
        if text:
            el.text = clean_text(text)
        return el

    def group(self, **attrs: str | None) -> Canvas:
        """Append a ``<g>`` and return a canvas drawing into it."""
        return Canvas(
            self.element("g", {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()})
        )

    def rect(self, x: float, y: float, w: float, h: float, *, rx: float = 0, **style) -> None:
        self.element(
            "rect",
            {"x": x, "y": y, "width": max(w, 0.0), "height": max(h, 0.0), "rx": rx or None}
            | _style(style),
        )

    def circle(self, cx: float, cy: float, r: float, **style) -> None:
        self.element("circle", {"cx": cx, "cy": cy, "r": max(r, 0.0)} | _style(style))

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, **style) -> None:
        self.element("ellipse", {"cx": cx, "cy": cy, "rx": rx, "ry": ry} | _style(style))

    def path(self, d: str, **style) -> None:
        self.element("path", {"d": d} | _style(style))

    def polyline(self, points: Sequence[Point], closed: bool = False, **style) -> None:
        self.path(path_data(points, closed), **style)

    def line(self, x1: float, y1: float, x2: float, y2: float, **style) -> None:
        self.element("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2} | _style(style))

    def text_lines(
        self,
        lines: Iterable[tuple[float, float, str]],
        *,
        anchor: str = "middle",
        size: float = 12,
        fill: str = "#000",
        transform: str | None = None,
        css_class: str = "bpmn-label",
    ) -> None:
        """Append one ``<text>`` holding a ``<tspan>`` per (x, baseline y, line) triple."""
        lines = list(lines)
        if not lines:
            return
        text = self.element(
            "text",
            {
                "class": css_class,
                "text-anchor": anchor,
                "font-size": float(size),
                "fill": fill,
                "transform": transform,
            },
        )
        for x, y, line in lines:
            span = etree.SubElement(text, f"{{{SVG}}}tspan", {"x": fmt(x), "y": fmt(y)})
            span.text = clean_text(line)


def _style(style: dict) -> dict[str, str | float | None]:
    """Turn keyword style (``stroke_width=2``) into SVG attributes (``stroke-width="2"``)."""
    return {key.replace("_", "-"): value for key, value in style.items()}

"""Colours, stroke widths and fonts shared by every drawing routine."""

from __future__ import annotations

from dataclasses import dataclass

FONT_FAMILY = "Arial, 'DejaVu Sans', 'Liberation Sans', sans-serif"
FONT_SIZE = 12.0
SMALL_FONT_SIZE = 11.0
LINE_HEIGHT = 1.2

INK = "#22242a"
PAPER = "#ffffff"
BADGE_FILL = "#1f5fbf"
BADGE_TEXT = "#ffffff"

#: Width of the band that holds a pool's or lane's name.
POOL_BAND = 30.0


@dataclass(frozen=True)
class Paint:
    """Fill and stroke of one element: the defaults, or what an overlay asked for."""

    fill: str = PAPER
    stroke: str = INK

    @property
    def marker_fill(self) -> str:
        """Fill of filled ("throw") markers: the stroke colour, as the notation requires."""
        return self.stroke

"""An SVG picture of a node's neighbourhood in the dependency graph: the node in the middle,
nodes one edge away on the first ring, two edges away on the second, coloured by kind, with
labelled arrows. Plain SVG text (no JavaScript, no external references)."""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

import networkx as nx

from standards.graph import DependencyGraph

COLOURS = {
    "standard": "#1a56db",
    "version": "#3f83f8",
    "process": "#0e9f6e",
    "operation": "#57606a",
    "role": "#e37400",
    "document": "#9061f9",
    "checkpoint": "#d61f69",
    "indicator": "#c81e1e",
    "region": "#046c4e",
}
RELATIONS = {
    "has_version": "версия",
    "defines": "определяет",
    "contains": "содержит",
    "calls": "вызывает",
    "supports": "обеспечивает",
    "performs": "выполняет",
    "uses": "использует",
    "marks": "отмечает",
    "has_indicator": "показатель",
    "measures": "измеряет",
    "adopts": "применяет",
}
RING = 230
MARGIN = 140


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_neighbourhood(graph: DependencyGraph, node: str, radius: int = 1) -> str:
    """SVG of the subgraph within `radius` edges of `node`."""
    sub = graph.neighbourhood(node, radius)
    distances = (
        nx.single_source_shortest_path_length(sub.to_undirected(as_view=True), node, cutoff=radius)
        if node in sub
        else {}
    )
    rings: dict[int, list[str]] = {}
    for other, distance in sorted(distances.items(), key=lambda item: (item[1], item[0])):
        rings.setdefault(distance, []).append(other)
    size = 2 * (RING * max(radius, 1) + MARGIN)
    centre = size / 2
    places: dict[str, tuple[float, float]] = {}
    for distance, members in rings.items():
        for index, member in enumerate(members):
            angle = 2 * math.pi * index / max(len(members), 1) + distance * 0.3
            places[member] = (
                centre + RING * distance * math.cos(angle),
                centre + RING * distance * math.sin(angle),
            )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:.0f}" height="{size:.0f}" '
        f'viewBox="0 0 {size:.0f} {size:.0f}" font-family="sans-serif" font-size="11">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#8c959f"/></marker></defs>',
        f"<title>{escape(graph.label(node))}</title>",
    ]
    for u, v, data in sub.edges(data=True):
        if u not in places or v not in places:
            continue
        (x1, y1), (x2, y2) = places[u], places[v]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        # stop short of the target's circle so the arrow head shows
        x2s, y2s = x2 - (x2 - x1) * 14 / length, y2 - (y2 - y1) * 14 / length
        relation = RELATIONS.get(data.get("relation", ""), data.get("relation", ""))
        parts.append(
            f'<g class="edge"><line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2s:.1f}" y2="{y2s:.1f}" '
            'stroke="#8c959f" marker-end="url(#arrow)"/>'
            f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 3:.1f}" fill="#57606a" '
            f'text-anchor="middle" font-size="9">{escape(relation)}</text></g>'
        )
    for member, (x, y) in places.items():
        data = sub.nodes[member]
        kind = data.get("kind", "")
        colour = COLOURS.get(kind, "#57606a")
        label = escape(_short(graph.label(member)))
        width = 3 if member == node else 1.5
        parts.append(
            f'<g class="node {escape(kind)}">'
            f"<title>{escape(graph.label(member))} ({escape(member)})</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="12" fill="white" stroke="{colour}" '
            f'stroke-width="{width}"/>'
            f'<text x="{x:.1f}" y="{y + 26:.1f}" text-anchor="middle" fill="{colour}">'
            f"{label}</text></g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)

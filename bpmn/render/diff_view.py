"""The diff drawn on a diagram: the newer version with added (green), changed (amber) and
redrawn (orange) overlays, the removed elements drawn dashed red where the older version had
them, a legend and a list of what was removed. Used by `etalon bpmn render --diff-against`
and by the registry's diff picture."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from bpmn.diff import Diff, ElementDiff, diff
from bpmn.diff_summary import FIELD_NAMES, element_name
from bpmn.errors import BpmnError
from bpmn.loading import BpmnDocument
from bpmn.render.svg import Overlay, render_svg


@dataclass(frozen=True)
class DiffPicture:
    svg: str
    removed: tuple[tuple[str, str], ...]  # (id, Russian label) of removed elements
    highlighted: int  # how many elements of the newer diagram carry an overlay


def render_diff(
    old: BpmnDocument,
    new: BpmnDocument,
    *,
    result: Diff | None = None,
    diagram_id: str | None = None,
) -> DiffPicture:
    """Draw `new` with the diff against `old` on it (raises BpmnError for an unknown diagram)."""
    result = result if result is not None else diff(old, new)
    overlays = diff_overlays(result)
    removed = removed_elements(result)
    svg = render_svg(new, overlays=overlays, diagram_id=diagram_id)
    return DiffPicture(annotate_diff(svg, old, removed, diagram_id), tuple(removed), len(overlays))


ADDED = Overlay(fill="#e3f5e1", stroke="#2e7d32", badge="+")
CHANGED = Overlay(fill="#fff3cd", stroke="#d98b00", badge="Δ")
REPLACED = Overlay(fill="#ffe0c2", stroke="#e65100", badge="⇄")
REMOVED_STROKE = "#c62828"
#: process-level items that are drawn (indicators and deadlines live in metadata only)
_DRAWN_PROCESS_ITEMS = frozenset({"lane"})
_CONTAINERS = frozenset({"lane", "participant"})


def _with_title(overlay: Overlay, title: str, *, container: bool = False) -> Overlay:
    # A lane tinted all over would drown the tasks inside it: containers get the outline only.
    fill = None if container else overlay.fill
    return Overlay(fill=fill, stroke=overlay.stroke, badge=overlay.badge, title=title)


def _label(item: ElementDiff) -> str:
    name = f" «{item.name}»" if item.name else ""
    return f"{element_name(item.type)}{name}"


def _changed_fields(item: ElementDiff) -> str:
    return ", ".join(FIELD_NAMES.get(c.field, c.field) for c in item.changes)


def diff_overlays(result: Diff) -> dict[str, Overlay]:
    """Overlays for the newer diagram: added green, changed amber, redrawn (replaced) orange."""
    overlays: dict[str, Overlay] = {}
    lanes_added = [e for p in result.processes for e in p.added if e.type in _DRAWN_PROCESS_ITEMS]
    lanes_changed = [
        e for p in result.processes for e in p.changed if e.type in _DRAWN_PROCESS_ITEMS
    ]
    for item in [*result.added, *lanes_added]:
        overlays[item.id] = _with_title(
            ADDED, f"Добавлено: {_label(item)}", container=item.type in _CONTAINERS
        )
    for item in [*result.changed, *lanes_changed]:
        overlays[item.id] = _with_title(
            CHANGED,
            f"Изменено: {_label(item)}: {_changed_fields(item)}",
            container=item.type in _CONTAINERS,
        )
    for replacement in result.replaced:
        overlays[replacement.new_id] = _with_title(
            REPLACED,
            f"Перерисовано заново: {element_name(replacement.type)} (было {replacement.old_id})",
        )
    return overlays


def removed_elements(result: Diff) -> list[tuple[str, str]]:
    """(id, Russian label) of every drawn element that the newer version no longer has."""
    lanes = [e for p in result.processes for e in p.removed if e.type in _DRAWN_PROCESS_ITEMS]
    return [(item.id, _label(item)) for item in [*result.removed, *lanes]]


_SVG_NS = "http://www.w3.org/2000/svg"
_LINE_HEIGHT = 18.0
_REMOVED_STYLE = (
    f".etalon-removed :not(text) {{ stroke: {REMOVED_STROKE}; stroke-dasharray: 6 4; "
    "stroke-width: 2.5; }\n"
    ".etalon-removed { opacity: 0.6; }"
)


def _svg(tag: str, attrs: dict[str, str] | None = None, text: str | None = None):
    element = etree.Element(f"{{{_SVG_NS}}}{tag}", attrs or {})
    element.text = text
    return element


def _view_box(root: etree._Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.get("viewBox", "0 0 100 100").split())
    return x, y, w, h


def _old_groups(
    old: BpmnDocument, removed_ids: set[str], diagram_id: str | None
) -> tuple[list[etree._Element], tuple[float, float, float, float] | None]:
    """Copies of the removed elements' groups (and labels) as the older version drew them."""
    try:
        old_svg = render_svg(old, diagram_id=diagram_id)
    except BpmnError:  # the diagram id exists only in the newer file: use the first diagram
        old_svg = render_svg(old)
    old_root = etree.fromstring(old_svg.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    groups = []
    for group in old_root.iter(f"{{{_SVG_NS}}}g"):
        for attribute in ("data-element-id", "data-label-for"):
            if group.get(attribute) in removed_ids:
                ghost = copy.deepcopy(group)
                # Renamed so that finding an element by id in the newer diagram stays exact.
                ghost.set(attribute.replace("data-", "data-removed-"), ghost.attrib.pop(attribute))
                groups.append(ghost)
    return groups, _view_box(old_root) if groups else None


def annotate_diff(
    svg: str, old: BpmnDocument, removed: Sequence[tuple[str, str]], diagram_id: str | None
) -> str:
    """Add to ``svg`` a colour legend under the drawing and, when elements were removed, those
    elements dashed red as the older diagram drew them plus a text list of them (elements the
    chosen diagram does not show are still listed)."""
    root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    x, y, w, h = _view_box(root)
    if removed:
        groups, old_box = _old_groups(old, {element_id for element_id, _ in removed}, diagram_id)
        if groups:
            root.insert(0, _svg("style", {}, _REMOVED_STYLE))
            layer = _svg("g", {"class": "etalon-removed"})
            layer.extend(groups)
            root.append(layer)
        if old_box is not None:
            right = max(x + w, old_box[0] + old_box[2])
            bottom = max(y + h, old_box[1] + old_box[3])
            x, y = min(x, old_box[0]), min(y, old_box[1])
            w, h = right - x, bottom - y
    block = _svg("g", {"class": "etalon-diff-legend"})
    left = x + 20
    for text, colour in _LEGEND:
        attrs = {"x": f"{left:g}", "y": f"{y + h + _LINE_HEIGHT:g}", "fill": colour}
        block.append(_svg("text", attrs, text))
        left += 8.0 * len(text) + 24
    lines = []
    if removed:
        lines = ["Удалено по сравнению с прежней версией:"] + [
            f"– {label} ({element_id})" for element_id, label in removed
        ]
        listing = _svg("g", {"class": "etalon-removed-list"})
        for number, line in enumerate(lines, start=2):
            attrs = {"x": f"{x + 20:g}", "y": f"{y + h + number * _LINE_HEIGHT:g}"}
            attrs["fill"] = REMOVED_STROKE
            listing.append(_svg("text", attrs, line))
        block.append(listing)
    root.append(block)
    h += (len(lines) + 2) * _LINE_HEIGHT
    w = max(w, left - x, 40 + 7.0 * max((len(line) for line in lines), default=0))
    _reframe(root, x, y, w, h)
    return etree.tostring(root, encoding="unicode")


_LEGEND = (
    ("■ добавлено", ADDED.stroke or ""),
    ("■ изменено", CHANGED.stroke or ""),
    ("■ перерисовано заново", REPLACED.stroke or ""),
    ("- - удалено", REMOVED_STROKE),
)


def _reframe(root: etree._Element, x: float, y: float, w: float, h: float) -> None:
    root.set("viewBox", f"{x:g} {y:g} {w:g} {h:g}")
    root.set("width", f"{w:g}")
    root.set("height", f"{h:g}")
    for background in root.iter(f"{{{_SVG_NS}}}rect"):
        if background.get("class") == "bpmn-background":
            for key, value in (("x", x), ("y", y), ("width", w), ("height", h)):
                background.set(key, f"{value:g}")
            break

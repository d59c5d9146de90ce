"""Semantic diff, process level: indicators, stage deadlines, lanes; pools, message flows,
data stores; and the layout-only changes kept apart from the semantic ones."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bpmn.diff_model import (
    Change,
    ElementDiff,
    LayoutChange,
    ProcessDiff,
    compare,
    deadline_changes,
    fields_changes,
    plain,
)
from bpmn.model import Definitions, Process

#: differences smaller than this (in diagram units) are rounding, not moves
LAYOUT_TOLERANCE = 0.5


# --- collaboration, data stores -----------------------------------------------------------


def keyed_elements(
    old: Iterable[Any], new: Iterable[Any], kind: str, fields: tuple[str, ...]
) -> tuple[list, list, list]:
    """Added, removed and changed elements of one kind (pools, message flows, data stores)."""
    before = {item.id: item for item in old}
    after = {item.id: item for item in new}
    added = [ElementDiff(i, kind, after[i].name) for i in after if i not in before]
    removed = [ElementDiff(i, kind, before[i].name) for i in before if i not in after]
    changed: list[ElementDiff] = []
    for item_id, item in before.items():
        other = after.get(item_id)
        if other is None:
            continue
        changes: list[Change] = []
        for name in fields:
            compare(changes, name, getattr(item, name), getattr(other, name))
        if changes:
            changed.append(ElementDiff(item_id, kind, other.name, None, tuple(changes)))
    return added, removed, changed


# --- process level ------------------------------------------------------------------------


def _indicator_changes(old: Any, new: Any) -> tuple[Change, ...]:
    changes: list[Change] = []
    before, after = dict(old.attributes), dict(new.attributes)
    for name in dict.fromkeys([*before, *after]):
        compare(changes, name, before.get(name), after.get(name))
    compare(changes, "corridor", old.corridor, new.corridor)
    compare(changes, "actions", old.actions, new.actions)
    return tuple(changes)


def _deadline_key(deadline: Any, index: int) -> str:
    return deadline.id or f"{deadline.from_checkpoint}→{deadline.to_checkpoint}#{index}"


def _process_items(old: Process | None, new: Process | None) -> tuple[list, list, list]:
    added: list[ElementDiff] = []
    removed: list[ElementDiff] = []
    changed: list[ElementDiff] = []
    kinds: list[tuple[str, dict[str, Any], dict[str, Any], Callable[[Any, Any], tuple]]] = [
        (
            "indicator",
            {i.id or f"#{n}": i for n, i in enumerate(old.indicators if old else ())},
            {i.id or f"#{n}": i for n, i in enumerate(new.indicators if new else ())},
            _indicator_changes,
        ),
        (
            "deadline",
            {_deadline_key(d, n): d for n, d in enumerate(old.deadlines if old else ())},
            {_deadline_key(d, n): d for n, d in enumerate(new.deadlines if new else ())},
            deadline_changes,
        ),
        (
            "lane",
            {lane.id: lane for lane in (old.lanes if old else ())},
            {lane.id: lane for lane in (new.lanes if new else ())},
            lambda o, n: fields_changes(o, n, ("name", "role", "parent_lane_id")),
        ),
    ]
    for kind, before, after, item_changes in kinds:
        added += [
            ElementDiff(k, kind, v.name, v.process_id if kind != "deadline" else None)
            for k, v in after.items()
            if k not in before
        ]
        removed += [ElementDiff(k, kind, v.name) for k, v in before.items() if k not in after]
        for key, item in before.items():
            if key in after and (changes := item_changes(item, after[key])):
                changed.append(ElementDiff(key, kind, after[key].name, None, changes))
    return added, removed, changed


def process_changes(a: Definitions, b: Definitions) -> list[ProcessDiff]:
    """Per-process changes; processes without any are left out."""
    before = {p.id: p for p in a.processes}
    after = {p.id: p for p in b.processes}
    result: list[ProcessDiff] = []
    for process_id in dict.fromkeys([*before, *after]):
        old, new = before.get(process_id), after.get(process_id)
        status = "changed" if old and new else ("added" if new else "removed")
        changes = (
            fields_changes(
                old, new, ("name", "is_executable", "standard", "supports", "documentation")
            )
            if old and new
            else ()
        )
        added, removed, changed = _process_items(old, new)
        if status != "changed" or changes or added or removed or changed:
            named = new or old
            result.append(
                ProcessDiff(
                    process_id,
                    named.name if named else None,
                    status,
                    changes,
                    tuple(added),
                    tuple(removed),
                    tuple(changed),
                )
            )
    return result


# --- layout -------------------------------------------------------------------------------


def _close(p: Iterable[float], q_: Iterable[float]) -> bool:
    return all(abs(x - y) <= LAYOUT_TOLERANCE for x, y in zip(p, q_, strict=True))


def layout_changes(a: Definitions, b: Definitions) -> list[LayoutChange]:
    """Shapes moved or resized and edges re-routed, for elements present in both versions."""

    def shapes(d: Definitions) -> dict[str, Any]:
        return {s.element_id: s for g in reversed(d.diagrams) for s in g.shapes}

    def edges(d: Definitions) -> dict[str, Any]:
        return {e.element_id: e for g in reversed(d.diagrams) for e in g.edges}

    changes: list[LayoutChange] = []
    after = shapes(b)
    for element_id, old in shapes(a).items():
        new = after.get(element_id)
        if new is None or old.bounds is None or new.bounds is None:
            continue
        ob, nb = old.bounds, new.bounds
        moved = not _close((ob.x, ob.y), (nb.x, nb.y))
        resized = not _close((ob.width, ob.height), (nb.width, nb.height))
        if moved or resized:
            kind = (
                "moved"
                if moved and not resized
                else "resized"
                if resized and not moved
                else "moved_resized"
            )
            changes.append(LayoutChange(element_id, kind, plain(ob), plain(nb)))
    after_edges = edges(b)
    for element_id, old_edge in edges(a).items():
        new_edge = after_edges.get(element_id)
        if new_edge is None:
            continue
        same = len(old_edge.waypoints) == len(new_edge.waypoints) and all(
            _close(p, q_) for p, q_ in zip(old_edge.waypoints, new_edge.waypoints, strict=True)
        )
        if not same:
            changes.append(
                LayoutChange(
                    element_id, "rerouted", plain(old_edge.waypoints), plain(new_edge.waypoints)
                )
            )
    return changes

"""Semantic diff of two versions of a BPMN standard.

What a methodologist cares about — elements added, removed, renamed, rewired, moved to another
lane/role, their checkpoints, deadlines, technology cards, forms and fields; the process's
indicators, stage deadlines and lanes — is reported apart from layout noise (shapes moved,
edges re-routed), which never makes a diff non-empty. An element deleted and redrawn with a
new id but the same type and name near the same place is reported as a likely replacement.

Everything is keyed by id in dicts, so a diff is linear in the size of the documents.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bpmn.diff_model import (
    Change,
    Diff,
    ElementDiff,
    LayoutChange,
    ProcessDiff,
    Replacement,
    compare,
    deadline_changes,
    normalized_text,
    plain,
)
from bpmn.diff_process import keyed_elements, layout_changes, process_changes
from bpmn.extract import extract
from bpmn.loading import BpmnDocument
from bpmn.model import Definitions, FlowNode, Lane, SequenceFlow

__all__ = [
    "Change",
    "Diff",
    "ElementDiff",
    "LayoutChange",
    "ProcessDiff",
    "Replacement",
    "diff",
    "plain",
]

logger = logging.getLogger(__name__)

#: a redrawn element counts as "near the same place" within this distance of centres
REPLACEMENT_DISTANCE = 120.0


# --- flow nodes --------------------------------------------------------------------------

_NODE_FIELDS = (
    "name",
    "type",
    "parent_id",
    "attached_to",
    "cancel_activity",
    "event_definitions",
    "called_element",
    "loop",
    "triggered_by_event",
    "timer",
    "documentation",
    "checkpoint",
    "technology_cards",
    "result",
    "forms",
    "fields",
)


@dataclass(frozen=True, slots=True)
class _Side:
    """One version, indexed by id."""

    definitions: Definitions
    nodes: dict[str, FlowNode]
    flows: dict[str, SequenceFlow]
    lanes: dict[str, Lane]
    centres: dict[str, tuple[float, float]]

    @classmethod
    def of(cls, definitions: Definitions) -> _Side:
        nodes: dict[str, FlowNode] = {}
        for node in definitions.all_nodes:
            nodes.setdefault(node.id, node)
        flows: dict[str, SequenceFlow] = {}
        for flow in definitions.sequence_flows:
            flows.setdefault(flow.id, flow)
        lanes: dict[str, Lane] = {}
        for lane in definitions.lanes:
            lanes.setdefault(lane.id, lane)
        centres: dict[str, tuple[float, float]] = {}
        for diagram in definitions.diagrams:
            for shape in diagram.shapes:
                if shape.bounds is not None:
                    centres.setdefault(shape.element_id, shape.bounds.center)
        return cls(definitions, nodes, flows, lanes, centres)

    def role_of(self, node: FlowNode) -> str | None:
        lane = self.lanes.get(node.lane_id) if node.lane_id else None
        return lane.role.code if lane is not None and lane.role is not None else None


def _node_changes(
    old: FlowNode, new: FlowNode, a: _Side, b: _Side, flow_map: dict[str, str]
) -> tuple[Change, ...]:
    changes: list[Change] = []
    for name in _NODE_FIELDS:
        compare(changes, name, getattr(old, name), getattr(new, name))
    if old.default_flow != new.default_flow and flow_map.get(old.default_flow or "") != (
        new.default_flow
    ):
        changes.append(Change("default_flow", old.default_flow, new.default_flow))
    if old.lane_id != new.lane_id:
        old_lane, new_lane = a.lanes.get(old.lane_id or ""), b.lanes.get(new.lane_id or "")
        changes.append(
            Change(
                "lane",
                {"id": old.lane_id, "name": old_lane.name if old_lane else None},
                {"id": new.lane_id, "name": new_lane.name if new_lane else None},
            )
        )
    before_deadline, after_deadline = old.deadline, new.deadline
    if (before_deadline is None) != (after_deadline is None) or (
        before_deadline is not None
        and after_deadline is not None
        and deadline_changes(before_deadline, after_deadline)
    ):
        changes.append(Change("deadline", plain(before_deadline), plain(after_deadline)))
    compare(changes, "role", a.role_of(old), b.role_of(new))
    for direction in ("incoming", "outgoing"):
        before = [flow_map.get(f, f) for f in getattr(old, direction)]
        after = list(getattr(new, direction))
        if sorted(before) != sorted(after):
            changes.append(Change(direction, list(getattr(old, direction)), after))
    return tuple(changes)


def _flow_changes(
    old: SequenceFlow, new: SequenceFlow, node_map: dict[str, str]
) -> tuple[Change, ...]:
    changes: list[Change] = []
    for name in ("source", "target"):
        before, after = getattr(old, name), getattr(new, name)
        if node_map.get(before, before) != after:
            changes.append(Change(name, before, after))
    for name in ("name", "condition", "is_default"):
        compare(changes, name, getattr(old, name), getattr(new, name))
    return tuple(changes)


# --- replacements ------------------------------------------------------------------------


def _match_replacements(
    removed: Iterable[str],
    added: Iterable[str],
    key: Callable[[str, bool], tuple | None],
    distance: Callable[[str, str], float | None],
) -> list[tuple[str, str, float | None]]:
    """Pair removed with added ids of equal ``key``, nearest first, each used at most once."""
    by_key: dict[tuple, list[str]] = {}
    for new_id in added:
        k = key(new_id, True)
        if k is not None:
            by_key.setdefault(k, []).append(new_id)
    candidates: list[tuple[float, str, str, float | None]] = []
    for old_id in removed:
        k = key(old_id, False)
        pool = by_key.get(k, []) if k is not None else []
        for new_id in pool:
            d = distance(old_id, new_id)
            if d is None and len(pool) == 1 and k is not None and k[-1]:
                candidates.append((math.inf, old_id, new_id, None))  # unique name, no layout
            elif d is not None and d <= REPLACEMENT_DISTANCE:
                candidates.append((d, old_id, new_id, d))
    pairs: list[tuple[str, str, float | None]] = []
    used_old: set[str] = set()
    used_new: set[str] = set()
    for _, old_id, new_id, d in sorted(candidates, key=lambda c: (c[0], c[1], c[2])):
        if old_id not in used_old and new_id not in used_new:
            used_old.add(old_id)
            used_new.add(new_id)
            pairs.append((old_id, new_id, round(d, 1) if d is not None else None))
    return pairs


def _distance(a: _Side, b: _Side) -> Callable[[str, str], float | None]:
    def measure(old_id: str, new_id: str) -> float | None:
        p, q_ = a.centres.get(old_id), b.centres.get(new_id)
        return math.dist(p, q_) if p is not None and q_ is not None else None

    return measure


def _element(item: FlowNode | SequenceFlow, kind: str | None = None) -> ElementDiff:
    return ElementDiff(
        id=item.id,
        type=kind or getattr(item, "type", "sequenceFlow"),
        name=item.name,
        process_id=item.process_id,
    )


def _flow_elements(a: _Side, b: _Side) -> tuple[list, list, list, list]:
    removed_nodes = [i for i in a.nodes if i not in b.nodes]
    added_nodes = [i for i in b.nodes if i not in a.nodes]

    def node_key(element_id: str, is_new: bool) -> tuple:
        node = (b if is_new else a).nodes[element_id]
        return (node.type, normalized_text(node.name) or "")

    node_pairs = _match_replacements(removed_nodes, added_nodes, node_key, _distance(a, b))
    node_map = {old: new for old, new, _ in node_pairs}

    removed_flows = [i for i in a.flows if i not in b.flows]
    added_flows = [i for i in b.flows if i not in a.flows]

    def flow_key(element_id: str, is_new: bool) -> tuple:
        flow = (b if is_new else a).flows[element_id]
        source, target = flow.source, flow.target
        if not is_new:
            source, target = node_map.get(source, source), node_map.get(target, target)
        return (source, target, normalized_text(flow.condition), normalized_text(flow.name) or "")

    flow_pairs = _match_replacements(removed_flows, added_flows, flow_key, lambda _o, _n: 0.0)
    flow_map = {old: new for old, new, _ in flow_pairs}

    replaced = [
        Replacement(
            old,
            new,
            b.nodes[new].type,
            b.nodes[new].name,
            d,
            _node_changes(a.nodes[old], b.nodes[new], a, b, flow_map),
        )
        for old, new, d in node_pairs
    ] + [
        Replacement(
            old,
            new,
            "sequenceFlow",
            b.flows[new].name,
            None,
            _flow_changes(a.flows[old], b.flows[new], node_map),
        )
        for old, new, _ in flow_pairs
    ]
    added = [_element(b.nodes[i]) for i in added_nodes if i not in node_map.values()]
    added += [
        _element(b.flows[i], "sequenceFlow") for i in added_flows if i not in flow_map.values()
    ]
    removed = [_element(a.nodes[i]) for i in removed_nodes if i not in node_map]
    removed += [_element(a.flows[i], "sequenceFlow") for i in removed_flows if i not in flow_map]
    changed: list[ElementDiff] = []
    for node_id, old in a.nodes.items():
        new = b.nodes.get(node_id)
        if new is not None and (changes := _node_changes(old, new, a, b, flow_map)):
            changed.append(dataclasses.replace(_element(new), changes=changes))
    for flow_id, old_flow in a.flows.items():
        new_flow = b.flows.get(flow_id)
        if new_flow is not None and (changes := _flow_changes(old_flow, new_flow, node_map)):
            changed.append(dataclasses.replace(_element(new_flow, "sequenceFlow"), changes=changes))
    return added, removed, changed, replaced


def diff(old: Definitions | BpmnDocument, new: Definitions | BpmnDocument) -> Diff:
    """Compare two versions of a standard; see :class:`Diff`.

    Accepts extracted :class:`~bpmn.model.Definitions` or loaded documents (extracted here).
    """
    a = extract(old) if isinstance(old, BpmnDocument) else old
    b = extract(new) if isinstance(new, BpmnDocument) else new
    side_a, side_b = _Side.of(a), _Side.of(b)
    added, removed, changed, replaced = _flow_elements(side_a, side_b)
    for kind, old_items, new_items, fields in (
        ("participant", a.participants, b.participants, ("name", "process_ref")),
        (
            "messageFlow",
            a.message_flows,
            b.message_flows,
            ("name", "source", "target", "message_ref"),
        ),
        ("dataStore", a.data_stores, b.data_stores, ("name", "type", "ref")),
    ):
        more_added, more_removed, more_changed = keyed_elements(old_items, new_items, kind, fields)
        added += more_added
        removed += more_removed
        changed += more_changed
    result = Diff(
        added=tuple(added),
        removed=tuple(removed),
        changed=tuple(changed),
        replaced=tuple(replaced),
        processes=tuple(process_changes(a, b)),
        layout=tuple(layout_changes(a, b)),
    )
    logger.debug(
        "diff %s → %s: +%d −%d ~%d ⇄%d, %d layout changes",
        a.source,
        b.source,
        len(result.added),
        len(result.removed),
        len(result.changed),
        len(result.replaced),
        len(result.layout),
    )
    return result

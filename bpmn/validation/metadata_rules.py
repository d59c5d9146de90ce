"""Rules of Etalon's own metadata (docs/etalon-metadata.md): checkpoints, deadlines, indicators,
roles, fields, the standard's kind and category, and what a supporting process supports.

Metadata is read leniently by :mod:`bpmn.metadata` (raw text kept, parsed value None when
malformed); this module judges it. Every problem names the BPMN element that carries the
metadata and the line of the ``etalon:*`` element itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence

from lxml import etree

from bpmn.errors import ERROR, WARNING, Problem
from bpmn.loading import BpmnDocument
from bpmn.metadata import lane_roles, node_metadata, parse_duration, process_metadata
from bpmn.model import CALENDAR, WORKING, Deadline, Indicator
from bpmn.namespaces import BPMN
from bpmn.validation.index import DocumentIndex
from bpmn.validation.naming import describe

CHECKPOINT_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
ROLE_CODE = re.compile(r"[a-z][a-z0-9_.-]*")
CALENDARS = frozenset({WORKING, CALENDAR})
FIELD_TYPES = frozenset({"string", "integer", "number", "boolean", "date", "enum"})
STANDARD_KINDS = frozenset({"process", "organization"})
CATEGORIES = frozenset({"main", "supporting"})
UNITS = frozenset(
    {"working_days", "days", "hours", "minutes", "seconds", "percent", "count", "score"}
)
DIRECTIONS = frozenset({"lower_better", "higher_better"})
#: attributes each indicator kind needs; those naming checkpoints are checked against them
KIND_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "duration": ("from", "to"),
    "share_within_deadline": ("from", "to", "deadline"),
    "share_with_flag": ("flag",),
    "count_per_employee": ("checkpoint",),
    "satisfaction": ("checkpoint", "attribute"),
}
_CHECKPOINT_ATTRIBUTES = ("from", "to", "checkpoint")


def _p(code: str, severity: str, message: str, owner: etree._Element, line: int | None) -> Problem:
    return Problem(code, severity, message, owner.get("id"), line or owner.sourceline)


def check_metadata(index: DocumentIndex, others: Sequence[BpmnDocument] = ()) -> Iterator[Problem]:
    """All metadata rules of the document; ``others`` resolve ``etalon:supports``."""
    checkpoints_of: dict[etree._Element, set[str]] = {p: set() for p in index.processes}
    seen_checkpoints: dict[str, int | None] = {}
    for container in index.containers:
        for node in container.nodes:
            meta = node_metadata(node, node.get("id") or "")
            for cp in meta.checkpoints:
                if cp.id:
                    checkpoints_of[container.process].add(cp.id)
            yield from _node_rules(node, meta, seen_checkpoints)
    known_processes = {p.get("id") for p in index.processes}
    for other in others:
        known_processes |= {p.get("id") for p in other.root.iterchildren("{" + BPMN + "}process")}
    indicator_ids: set[str] = set()
    for process in index.processes:
        yield from _process_rules(process, checkpoints_of[process], indicator_ids, known_processes)
    for lane in index.lanes:
        yield from _lane_rules(lane)


def _duration_problems(deadline: Deadline, owner: etree._Element, what: str) -> Iterator[Problem]:
    if deadline.duration is None:
        yield _p(
            "deadline.duration_invalid",
            ERROR,
            f"{what} of {describe(owner)} has duration '{deadline.raw or ''}', which is not an "
            "ISO 8601 duration in days, hours, minutes or seconds (e.g. P5D, PT4H, P1DT2H; "
            "years and months have no fixed length)",
            owner,
            deadline.line,
        )
    if deadline.calendar not in CALENDARS:
        yield _p(
            "deadline.calendar_invalid",
            ERROR,
            f"{what} of {describe(owner)} has calendar '{deadline.calendar}'; "
            "use 'working' (working days on the production calendar) or 'calendar'",
            owner,
            deadline.line,
        )


def _node_rules(node, meta, seen_checkpoints: dict[str, int | None]) -> Iterator[Problem]:
    if len(meta.checkpoints) > 1:
        yield _p(
            "checkpoint.several_on_node",
            ERROR,
            f"{describe(node)} has {len(meta.checkpoints)} checkpoints; a flow node carries "
            "at most one",
            node,
            meta.checkpoints[1].line,
        )
    for cp in meta.checkpoints:
        if not cp.id or not CHECKPOINT_ID.fullmatch(cp.id):
            yield _p(
                "checkpoint.id_invalid",
                ERROR,
                f"checkpoint of {describe(node)} has id '{cp.id or ''}'; a checkpoint id starts "
                "with a letter or '_' and has only letters, digits, '_', '.', '-'",
                node,
                cp.line,
            )
        elif cp.id in seen_checkpoints:
            yield _p(
                "checkpoint.duplicate",
                ERROR,
                f"checkpoint '{cp.id}' of {describe(node)} is already defined on line "
                f"{seen_checkpoints[cp.id]}; checkpoint ids are unique in the document",
                node,
                cp.line,
            )
        else:
            seen_checkpoints[cp.id] = cp.line
    if len(meta.deadlines) > 1:
        yield _p(
            "deadline.several_on_node",
            ERROR,
            f"{describe(node)} has {len(meta.deadlines)} normative deadlines; a step has at "
            "most one",
            node,
            meta.deadlines[1].line,
        )
    for deadline in meta.deadlines:
        yield from _duration_problems(deadline, node, "the deadline")
    if meta.timer_calendar is not None and meta.timer_calendar not in CALENDARS:
        yield _p(
            "timer.calendar_invalid",
            ERROR,
            f"etalon:timer of {describe(node)} has calendar '{meta.timer_calendar}'; "
            "use 'working' or 'calendar'",
            node,
            None,
        )
    names: Counter[str] = Counter()
    for fld in meta.fields:
        label = f"field '{fld.name or ''}' of {describe(node)}"
        if not fld.name:
            yield _p(
                "field.name_missing",
                ERROR,
                f"a field of {describe(node)} has no name",
                node,
                fld.line,
            )
        else:
            names[fld.name] += 1
            if names[fld.name] == 2:
                yield _p(
                    "field.duplicate",
                    ERROR,
                    f"{label} is defined twice; field names are unique per task",
                    node,
                    fld.line,
                )
        if fld.type not in FIELD_TYPES:
            yield _p(
                "field.type_invalid",
                ERROR,
                f"{label} has type '{fld.type or ''}'; use one of "
                + ", ".join(sorted(FIELD_TYPES)),
                node,
                fld.line,
            )
        elif fld.type == "enum" and not fld.values:
            yield _p(
                "field.enum_without_values",
                ERROR,
                f"{label} is an enum but lists no values (attribute values, space-separated)",
                node,
                fld.line,
            )
        if fld.required is None:
            yield _p(
                "field.required_invalid",
                ERROR,
                f"{label} has required='{fld.required_raw}'; use 'true' or 'false'",
                node,
                fld.line,
            )


def _process_rules(
    process: etree._Element,
    checkpoints: set[str],
    indicator_ids: set[str],
    known_processes: set[str | None],
) -> Iterator[Problem]:
    meta = process_metadata(process, process.get("id") or "")
    std = meta.standard
    if std is not None:
        if std.kind not in STANDARD_KINDS:
            yield _p(
                "standard.kind_invalid",
                ERROR,
                f"etalon:standard of {describe(process)} has kind '{std.kind or ''}'; "
                "use 'process' (ЦМП) or 'organization' (ЦМО)",
                process,
                std.line,
            )
        if std.category not in CATEGORIES:
            yield _p(
                "standard.category_invalid",
                ERROR,
                f"etalon:standard of {describe(process)} has category '{std.category}'; "
                "use 'main' or 'supporting'",
                process,
                std.line,
            )
    supporting = std is not None and std.category == "supporting"
    for support in meta.supports:
        if not supporting:
            yield _p(
                "supports.not_supporting",
                ERROR,
                f"{describe(process)} declares that it supports '{support.process}', but "
                "only a supporting process (etalon:standard category='supporting') may",
                process,
                support.line,
            )
        if not support.process or support.process not in known_processes:
            yield _p(
                "supports.unknown_process",
                ERROR,
                f"{describe(process)} supports process '{support.process or ''}', which "
                "is neither in this file nor among the processes in force",
                process,
                support.line,
            )
    deadline_ids: set[str] = set()
    for deadline in meta.deadlines:
        what = f"deadline '{deadline.id or deadline.name or ''}'"
        if not deadline.id:
            yield _p(
                "deadline.id_missing",
                ERROR,
                f"a stage deadline of {describe(process)} has no id",
                process,
                deadline.line,
            )
        elif deadline.id in deadline_ids:
            yield _p(
                "deadline.duplicate",
                ERROR,
                f"{what} of {describe(process)} is defined twice",
                process,
                deadline.line,
            )
        else:
            deadline_ids.add(deadline.id)
        for attr, ref in (("from", deadline.from_checkpoint), ("to", deadline.to_checkpoint)):
            if ref not in checkpoints:
                state = f"names '{ref}', which is not" if ref else "is missing; it must name"
                yield _p(
                    "deadline.checkpoint_unknown",
                    ERROR,
                    f"{what} of {describe(process)}: '{attr}' {state} a checkpoint of this process",
                    process,
                    deadline.line,
                )
        yield from _duration_problems(deadline, process, what)
    weights = 0.0
    for indicator in meta.indicators:
        yield from _indicator_rules(process, indicator, checkpoints, indicator_ids)
        if indicator.weight is not None and 0 <= indicator.weight <= 1:
            weights += indicator.weight
    if weights > 1 + 1e-9:
        yield _p(
            "indicator.weights_exceed",
            ERROR,
            f"the indicator weights of {describe(process)} add up to {weights:g}; in the "
            "integrated quality index they must add up to at most 1",
            process,
            None,
        )


def _indicator_rules(
    process: etree._Element, ind: Indicator, checkpoints: set[str], indicator_ids: set[str]
) -> Iterator[Problem]:
    what = f"indicator '{ind.id or ind.name or ''}' of {describe(process)}"
    line = ind.line
    if not ind.id:
        yield _p("indicator.id_missing", ERROR, f"{what} has no id", process, line)
    elif ind.id in indicator_ids:
        yield _p(
            "indicator.duplicate",
            ERROR,
            f"{what}: the id is already used by another indicator of the document",
            process,
            line,
        )
    else:
        indicator_ids.add(ind.id)
    attrs = dict(ind.attributes)
    if ind.kind not in KIND_ATTRIBUTES:
        yield _p(
            "indicator.kind_invalid",
            ERROR,
            f"{what} has kind '{ind.kind or ''}'; use one of " + ", ".join(KIND_ATTRIBUTES),
            process,
            line,
        )
    else:
        for attr in KIND_ATTRIBUTES[ind.kind]:
            if not attrs.get(attr):
                yield _p(
                    "indicator.attribute_missing",
                    ERROR,
                    f"{what} of kind '{ind.kind}' needs attribute '{attr}'",
                    process,
                    line,
                )
    for attr in _CHECKPOINT_ATTRIBUTES:
        ref = attrs.get(attr)
        if ref and ref not in checkpoints:
            yield _p(
                "indicator.checkpoint_unknown",
                ERROR,
                f"{what}: '{attr}' names '{ref}', which is not a checkpoint of this process",
                process,
                line,
            )
    if ind.deadline_raw is not None and parse_duration(ind.deadline_raw) is None:
        yield _p(
            "indicator.deadline_invalid",
            ERROR,
            f"{what} has deadline '{ind.deadline_raw}', which is not an ISO 8601 duration "
            "in days, hours, minutes or seconds",
            process,
            line,
        )
    if ind.calendar not in CALENDARS:
        yield _p(
            "indicator.calendar_invalid",
            ERROR,
            f"{what} has calendar '{ind.calendar}'; use 'working' or 'calendar'",
            process,
            line,
        )
    if ind.unit not in UNITS:
        yield _p(
            "indicator.unit_invalid",
            ERROR,
            f"{what} has unit '{ind.unit or ''}'; use one of " + ", ".join(sorted(UNITS)),
            process,
            line,
        )
    if ind.direction not in DIRECTIONS:
        yield _p(
            "indicator.direction_invalid",
            ERROR,
            f"{what} has direction '{ind.direction or ''}'; use 'lower_better' or 'higher_better'",
            process,
            line,
        )
    if ind.target is None:
        yield _p(
            "indicator.target_invalid",
            ERROR,
            f"{what} has target '{ind.target_raw or ''}'; a number is required",
            process,
            line,
        )
    if ind.weight is None or not 0 <= ind.weight <= 1:
        yield _p(
            "indicator.weight_invalid",
            ERROR,
            f"{what} has weight '{ind.weight_raw}'; a number from 0 to 1 is required",
            process,
            line,
        )
    yield from _corridor_rules(process, ind, what)


def _corridor_rules(process: etree._Element, ind: Indicator, what: str) -> Iterator[Problem]:
    corridor = ind.corridor
    if corridor is None or corridor.green is None or corridor.red is None:
        missing = (
            "has no corridor"
            if corridor is None
            else f"has corridor green='{corridor.green_raw or ''}' red='{corridor.red_raw or ''}'"
        )
        yield _p(
            "indicator.corridor_invalid",
            ERROR,
            f"{what} {missing}; both bounds green and red must be numbers",
            process,
            corridor.line if corridor else ind.line,
        )
        return
    if ind.direction == "lower_better" and corridor.green > corridor.red:
        side = "lower_better: green must not be above red"
    elif ind.direction == "higher_better" and corridor.green < corridor.red:
        side = "higher_better: green must not be below red"
    else:
        return
    yield _p(
        "indicator.corridor_inverted",
        ERROR,
        f"{what} has corridor green={corridor.green:g}, red={corridor.red:g}, but is {side}",
        process,
        corridor.line,
    )


def _lane_rules(lane: etree._Element) -> Iterator[Problem]:
    roles = lane_roles(lane)
    has_children = lane.find("{" + BPMN + "}childLaneSet") is not None
    has_nodes = lane.find("{" + BPMN + "}flowNodeRef") is not None
    if not roles and has_nodes and not has_children:
        yield _p(
            "lane.role_missing",
            WARNING,
            f"{describe(lane)} holds flow nodes but has no etalon:role; its work "
            "cannot be assigned to a job role",
            lane,
            None,
        )
    for role in roles:
        if not role.code or not ROLE_CODE.fullmatch(role.code):
            yield _p(
                "role.code_invalid",
                ERROR,
                f"the role of {describe(lane)} has code '{role.code or ''}'; a role "
                "code is lower-case letters, digits and '_', '.', '-', starting with a "
                "letter (e.g. registration_specialist)",
                lane,
                role.line,
            )

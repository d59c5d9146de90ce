"""Etalon extension metadata (``urn:etalon:bpmn:1.0``): durations and ``etalon:*`` elements.

Parsing is lenient on purpose: a malformed value keeps its raw text and gets a parsed value
of None, and nothing here raises. Judging values is the validator's job; this module only
gives it what it needs (raw strings and line numbers). See docs/etalon-metadata.md.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass

from lxml import etree

from bpmn.model import (
    CALENDAR,
    WORKING,
    Checkpoint,
    Corridor,
    Deadline,
    Duration,
    Field,
    Form,
    Indicator,
    Role,
    StandardInfo,
    Support,
    TechnologyCard,
)
from bpmn.namespaces import BPMN, ETALON, localname, q

__all__ = [
    "CALENDAR",
    "WORKING",
    "Duration",
    "NodeMetadata",
    "ProcessMetadata",
    "etalon_children",
    "lane_roles",
    "node_metadata",
    "parse_duration",
    "parse_number",
    "process_metadata",
    "timer_calendar",
]

logger = logging.getLogger(__name__)

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)
_EXTENSION = q(BPMN, "extensionElements")


def parse_duration(text: str | None, calendar: str | None = None) -> Duration | None:
    """Parse an ISO 8601 duration (``P5D``, ``PT4H``, ``P1DT2H``, ``P2W``, ``PT1.5S``).

    Returns None for anything malformed, for an empty ``P``/``PT``, and for years or
    months, whose length is not fixed and so cannot be a normative deadline.
    """
    if text is None:
        return None
    match = _DURATION.fullmatch(text.strip())
    if match is None or text.strip() in ("P", "") or text.strip().endswith("T"):
        return None
    parts = match.groupdict()
    if not any(parts.values()):
        return None
    if int(parts["years"] or 0) or int(parts["months"] or 0):
        return None
    seconds = float((parts["seconds"] or "0").replace(",", "."))
    return Duration(
        days=int(parts["weeks"] or 0) * 7 + int(parts["days"] or 0),
        hours=int(parts["hours"] or 0),
        minutes=int(parts["minutes"] or 0),
        seconds=int(seconds) if seconds.is_integer() else seconds,
        calendar=calendar or WORKING,
    )


def parse_number(text: str | None) -> float | None:
    """Parse a finite decimal number; None when absent or malformed."""
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def etalon_children(el: etree._Element) -> list[etree._Element]:
    """The ``etalon:*`` elements inside ``el``'s ``bpmn:extensionElements``, in order."""
    found: list[etree._Element] = []
    for ext in el.iterchildren(_EXTENSION):
        found.extend(child for child in ext.iterchildren(f"{{{ETALON}}}*"))
    return found


def _text(el: etree._Element) -> str | None:
    text = "".join(el.itertext()).strip()
    return text or None


def _deadline(el: etree._Element, node_id: str | None) -> Deadline:
    raw = el.get("duration")
    calendar = el.get("calendar") or WORKING
    return Deadline(
        id=el.get("id"),
        name=el.get("name"),
        from_checkpoint=el.get("from"),
        to_checkpoint=el.get("to"),
        node_id=node_id,
        duration=parse_duration(raw, calendar),
        raw=raw,
        calendar=calendar,
        line=el.sourceline,
    )


def _bool(text: str | None) -> bool | None:
    if text is None:
        return False
    return {"true": True, "1": True, "false": False, "0": False}.get(text.strip().lower())


def _field(el: etree._Element) -> Field:
    required_raw = el.get("required")
    values_raw = el.get("values")
    return Field(
        name=el.get("name"),
        type=el.get("type"),
        label=el.get("label"),
        required=_bool(required_raw),
        required_raw=required_raw,
        values=tuple(values_raw.split()) if values_raw else (),
        values_raw=values_raw,
        line=el.sourceline,
    )


def _corridor(el: etree._Element) -> Corridor:
    green, red = el.get("green"), el.get("red")
    return Corridor(
        green=parse_number(green),
        red=parse_number(red),
        green_raw=green,
        red_raw=red,
        line=el.sourceline,
    )


def _indicator(el: etree._Element, process_id: str) -> Indicator:
    corridors = [c for c in el.iterchildren(q(ETALON, "corridor"))]
    actions = tuple(t for a in el.iterchildren(q(ETALON, "action")) if (t := _text(a)))
    calendar = el.get("calendar") or WORKING
    deadline_raw = el.get("deadline")
    return Indicator(
        id=el.get("id"),
        name=el.get("name"),
        kind=el.get("kind"),
        process_id=process_id,
        unit=el.get("unit"),
        direction=el.get("direction"),
        target=parse_number(el.get("target")),
        target_raw=el.get("target"),
        weight=parse_number(el.get("weight")) if el.get("weight") is not None else 0.0,
        weight_raw=el.get("weight"),
        from_checkpoint=el.get("from"),
        to_checkpoint=el.get("to"),
        checkpoint=el.get("checkpoint"),
        deadline=parse_duration(deadline_raw, calendar),
        deadline_raw=deadline_raw,
        calendar=calendar,
        flag=el.get("flag"),
        attribute=el.get("attribute"),
        corridor=_corridor(corridors[0]) if corridors else None,
        actions=actions,
        attributes=tuple(sorted((str(k), str(v)) for k, v in el.attrib.items())),
        line=el.sourceline,
    )


@dataclass(frozen=True, slots=True)
class NodeMetadata:
    """Etalon metadata found on one flow node."""

    checkpoints: tuple[Checkpoint, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    technology_cards: tuple[TechnologyCard, ...] = ()
    result: str | None = None
    forms: tuple[Form, ...] = ()
    fields: tuple[Field, ...] = ()
    timer_calendar: str | None = None


@functools.lru_cache(maxsize=8_192)
def node_metadata(el: etree._Element, node_id: str) -> NodeMetadata:
    """Read ``etalon:checkpoint/deadline/technologyCard/result/form/field/timer`` of a node.

    Validation and extraction both read every node of a document: the result (frozen) is
    cached per element, which keeps the element's proxy — and so the key — alive while cached.
    Loaded documents are never modified, so a cached entry cannot go stale.
    """
    checkpoints: list[Checkpoint] = []
    deadlines: list[Deadline] = []
    cards: list[TechnologyCard] = []
    forms: list[Form] = []
    fields: list[Field] = []
    result: str | None = None
    timer: str | None = None
    for child in etalon_children(el):
        name = localname(child)
        if name == "checkpoint":
            attributes = tuple((child.get("attributes") or "").split())
            checkpoints.append(
                Checkpoint(
                    id=child.get("id"),
                    name=child.get("name"),
                    node_id=node_id,
                    attributes=attributes,
                    line=child.sourceline,
                )
            )
        elif name == "deadline":
            deadlines.append(_deadline(child, node_id))
        elif name == "technologyCard":
            cards.append(TechnologyCard(child.get("ref"), child.get("title"), child.sourceline))
        elif name == "form":
            forms.append(Form(child.get("code"), child.get("name"), child.sourceline))
        elif name == "field":
            fields.append(_field(child))
        elif name == "result" and result is None:
            result = _text(child)
        elif name == "timer":
            timer = child.get("calendar") or WORKING
    return NodeMetadata(
        checkpoints=tuple(checkpoints),
        deadlines=tuple(deadlines),
        technology_cards=tuple(cards),
        result=result,
        forms=tuple(forms),
        fields=tuple(fields),
        timer_calendar=timer,
    )


def timer_calendar(el: etree._Element) -> str | None:
    """``etalon:timer/@calendar`` of a timer event, ``working`` if given bare, else None."""
    return node_metadata(el, "").timer_calendar


@dataclass(frozen=True, slots=True)
class ProcessMetadata:
    """Etalon metadata found on one process."""

    standard: StandardInfo | None = None
    supports: tuple[Support, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    indicators: tuple[Indicator, ...] = ()


def process_metadata(el: etree._Element, process_id: str) -> ProcessMetadata:
    """Read ``etalon:standard/supports/deadline/indicator`` of a process."""
    standard: StandardInfo | None = None
    supports: list[Support] = []
    deadlines: list[Deadline] = []
    indicators: list[Indicator] = []
    for child in etalon_children(el):
        name = localname(child)
        if name == "standard" and standard is None:
            standard = StandardInfo(
                kind=child.get("kind"),
                category=child.get("category") or "main",
                service_code=child.get("serviceCode"),
                line=child.sourceline,
            )
        elif name == "supports":
            supports.append(Support(child.get("process"), child.sourceline))
        elif name == "deadline":
            deadlines.append(_deadline(child, None))
        elif name == "indicator":
            indicators.append(_indicator(child, process_id))
    return ProcessMetadata(standard, tuple(supports), tuple(deadlines), tuple(indicators))


def lane_roles(el: etree._Element) -> tuple[Role, ...]:
    """The ``etalon:role`` elements of a lane (normally zero or one)."""
    return tuple(
        Role(code=child.get("code"), name=child.get("name"), line=child.sourceline)
        for child in etalon_children(el)
        if localname(child) == "role"
    )

"""BPMN element kinds the renderer tells apart, and what it reads from the semantic elements."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from bpmn.namespaces import BPMN, localname, q

EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
TASKS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "serviceTask",
        "scriptTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
    }
)
SUB_PROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
ACTIVITIES = TASKS | SUB_PROCESSES | {"callActivity"}
GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
DATA = frozenset({"dataObjectReference", "dataObject", "dataInput", "dataOutput"})
CONTAINERS = frozenset({"participant", "lane"})

_DEFINITION_MARKERS = {
    "messageEventDefinition": "message",
    "timerEventDefinition": "timer",
    "errorEventDefinition": "error",
    "signalEventDefinition": "signal",
    "escalationEventDefinition": "escalation",
    "conditionalEventDefinition": "conditional",
    "compensateEventDefinition": "compensation",
    "linkEventDefinition": "link",
    "terminateEventDefinition": "terminate",
    "cancelEventDefinition": "cancel",
}


@dataclass(frozen=True)
class ShapeContext:
    """What a shape routine needs beyond its own DI: the id index and expansion state."""

    index: dict[str, etree._Element]
    expanded: bool = False


def element_name(element: etree._Element | None, index: dict[str, etree._Element]) -> str:
    """Return the text a shape shows: its name, an annotation's text, a group's category."""
    if element is None:
        return ""
    kind = localname(element)
    if kind == "textAnnotation":
        text = element.find(q(BPMN, "text"))
        return (text.text or "") if text is not None else ""
    if kind == "group" and not element.get("name"):
        value = index.get(element.get("categoryValueRef") or "")
        return (value.get("value") or "") if value is not None else ""
    name = element.get("name")
    if not name and kind == "dataObjectReference":
        target = index.get(element.get("dataObjectRef") or "")
        name = target.get("name") if target is not None else None
    return name or ""


def is_true(element: etree._Element, attr: str, default: bool = False) -> bool:
    value = element.get(attr)
    if value is None:
        return default
    return value.strip().lower() in ("true", "1")


def event_markers(element: etree._Element, index: dict[str, etree._Element]) -> str | None:
    """Return the marker an event shows: one definition's name, ``multiple``, or None."""
    found: list[str] = []
    for child in element:
        kind = localname(child)
        if kind == "eventDefinitionRef":
            target = index.get((child.text or "").strip())
            kind = localname(target) if target is not None else ""
        marker = _DEFINITION_MARKERS.get(kind)
        if marker:
            found.append(marker)
    if not found:
        return None
    if len(found) > 1:
        return "parallelMultiple" if is_true(element, "parallelMultiple") else "multiple"
    return found[0]

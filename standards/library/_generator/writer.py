"""Serialise a :class:`Process` as a BPMN 2.0 document with Etalon metadata and full DI.

Element order follows the BPMN 2.0 XSD (documentation, extensionElements, incoming,
outgoing, event definitions), so the files validate against the OMG schema and open in
Camunda Modeler / bpmn.io unchanged.
"""

from __future__ import annotations

from lxml import etree

from bpmn.namespaces import BPMN, BPMNDI, DC, DI, ETALON, XSI, q
from standards.library._generator.layout import Bounds, Diagram, layout
from standards.library._generator.model import (
    CALL,
    TIMER,
    XOR,
    Flow,
    Indicator,
    Node,
    Process,
)

NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "etalon": ETALON}
TARGET_NAMESPACE = "urn:etalon:standards:library"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _sub(parent: etree._Element, ns: str, tag: str, **attrs: str | None) -> etree._Element:
    el = etree.SubElement(parent, q(ns, tag))
    for key, value in attrs.items():
        if value is not None:
            el.set(key, value)
    return el


def _text(parent: etree._Element, ns: str, tag: str, text: str, **attrs: str | None) -> None:
    _sub(parent, ns, tag, **attrs).text = text


def _process_extensions(parent: etree._Element, process: Process) -> None:
    ext = _sub(parent, BPMN, "extensionElements")
    _sub(
        ext,
        ETALON,
        "standard",
        kind=process.kind,
        category=process.category,
        serviceCode=process.service_code,
    )
    for supported in process.supports:
        _sub(ext, ETALON, "supports", process=supported)
    for dl in process.deadlines:
        _sub(
            ext,
            ETALON,
            "deadline",
            id=dl.id,
            name=dl.name,
            **{"from": dl.start, "to": dl.end},
            duration=dl.duration,
            calendar=dl.calendar,
        )
    for indicator in process.indicators:
        _indicator(ext, indicator)


def _indicator(parent: etree._Element, ind: Indicator) -> None:
    el = _sub(
        parent,
        ETALON,
        "indicator",
        id=ind.id,
        name=ind.name,
        kind=ind.kind,
        **{"from": ind.start, "to": ind.end},
        deadline=ind.deadline,
        calendar=ind.calendar,
        checkpoint=ind.checkpoint,
        flag=ind.flag,
        attribute=ind.attribute,
        unit=ind.unit,
        direction=ind.direction,
        target=_num(ind.target),
        weight=_num(ind.weight),
    )
    _sub(el, ETALON, "corridor", green=_num(ind.green), red=_num(ind.red))
    for action in ind.actions:
        _text(el, ETALON, "action", action)


def _node_extensions(parent: etree._Element, node: Node) -> None:
    has_any = (
        node.checkpoint
        or node.deadline
        or node.cards
        or node.result
        or node.forms
        or node.fields
        or node.timer
    )
    if not has_any:
        return
    ext = _sub(parent, BPMN, "extensionElements")
    if node.checkpoint:
        cp = node.checkpoint
        _sub(
            ext,
            ETALON,
            "checkpoint",
            id=cp.id,
            name=cp.name,
            attributes=" ".join(cp.attributes) or None,
        )
    if node.deadline:
        _sub(
            ext,
            ETALON,
            "deadline",
            duration=node.deadline.duration,
            calendar=node.deadline.calendar,
        )
    for card in node.cards:
        _sub(ext, ETALON, "technologyCard", ref=card.ref, title=card.title)
    if node.result:
        _text(ext, ETALON, "result", node.result)
    for form in node.forms:
        _sub(ext, ETALON, "form", code=form.code, name=form.name)
    for f in node.fields:
        _sub(
            ext,
            ETALON,
            "field",
            name=f.name,
            type=f.type,
            values=" ".join(f.values) or None,
            required="true" if f.required else None,
            label=f.label,
        )
    if node.timer and node.timer.calendar == "working":
        _sub(ext, ETALON, "timer", calendar="working")


def _flow_node(parent: etree._Element, node: Node, flows: tuple[Flow, ...]) -> None:
    attrs: dict[str, str | None] = {"id": node.id, "name": node.name or None}
    if node.kind == TIMER:
        attrs["cancelActivity"] = "true" if node.interrupting else "false"
        attrs["attachedToRef"] = node.attached_to
    if node.kind == CALL:
        attrs["calledElement"] = node.called
    if node.kind == XOR:
        default = [f.id for f in flows if f.source == node.id and f.default]
        attrs["default"] = default[0] if default else None
    el = _sub(parent, BPMN, node.kind, **attrs)
    if node.documentation:
        _text(el, BPMN, "documentation", node.documentation)
    _node_extensions(el, node)
    for flow in flows:
        if flow.target == node.id:
            _text(el, BPMN, "incoming", flow.id)
    for flow in flows:
        if flow.source == node.id:
            _text(el, BPMN, "outgoing", flow.id)
    if node.kind == TIMER and node.timer:
        definition = _sub(el, BPMN, "timerEventDefinition", id=f"{node.id}_Definition")
        duration = _sub(definition, BPMN, "timeDuration")
        duration.set(q(XSI, "type"), "bpmn:tFormalExpression")
        # A quoted string: SpiffWorkflow evaluates timer expressions as Python expressions.
        duration.text = f'"{node.timer.duration}"'


def _sequence_flow(parent: etree._Element, flow: Flow) -> None:
    el = _sub(
        parent,
        BPMN,
        "sequenceFlow",
        id=flow.id,
        name=flow.name,
        sourceRef=flow.source,
        targetRef=flow.target,
    )
    if flow.condition:
        cond = _sub(el, BPMN, "conditionExpression")
        cond.set(q(XSI, "type"), "bpmn:tFormalExpression")
        cond.text = flow.condition


def _bounds(parent: etree._Element, b: Bounds) -> None:
    _sub(parent, DC, "Bounds", x=_num(b.x), y=_num(b.y), width=_num(b.width), height=_num(b.height))


def _diagram(root: etree._Element, process: Process, diagram: Diagram, collaboration: str) -> None:
    dia = _sub(root, BPMNDI, "BPMNDiagram", id=f"{process.id}_Diagram")
    plane = _sub(dia, BPMNDI, "BPMNPlane", id=f"{process.id}_Plane", bpmnElement=collaboration)
    participant = f"{process.id}_Participant"
    shape = _sub(
        plane,
        BPMNDI,
        "BPMNShape",
        id=f"{participant}_di",
        bpmnElement=participant,
        isHorizontal="true",
    )
    _bounds(shape, diagram.pool)
    for lane in process.lanes:
        shape = _sub(
            plane, BPMNDI, "BPMNShape", id=f"{lane.id}_di", bpmnElement=lane.id, isHorizontal="true"
        )
        _bounds(shape, diagram.lanes[lane.id])
    for node in process.nodes:
        extra = {"isMarkerVisible": "true"} if node.kind == XOR else {}
        shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{node.id}_di", bpmnElement=node.id, **extra)
        _bounds(shape, diagram.shapes[node.id])
        if node.id in diagram.labels:
            _bounds(_sub(shape, BPMNDI, "BPMNLabel"), diagram.labels[node.id])
    for flow in process.flows:
        edge = _sub(plane, BPMNDI, "BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
        for x, y in diagram.edges[flow.id]:
            _sub(edge, DI, "waypoint", x=_num(x), y=_num(y))
        if flow.id in diagram.edge_labels:
            _bounds(_sub(edge, BPMNDI, "BPMNLabel"), diagram.edge_labels[flow.id])


def build_document(process: Process) -> etree._Element:
    """Return the ``bpmn:definitions`` element of ``process`` with its diagram."""
    root = etree.Element(
        q(BPMN, "definitions"),
        nsmap=NSMAP,
        id=f"{process.id}_Definitions",
        targetNamespace=TARGET_NAMESPACE,
        exporter="Etalon standards library generator",
        exporterVersion="1",
    )
    collaboration = f"{process.id}_Collaboration"
    collab = _sub(root, BPMN, "collaboration", id=collaboration)
    _sub(
        collab,
        BPMN,
        "participant",
        id=f"{process.id}_Participant",
        name=process.participant,
        processRef=process.id,
    )
    proc = _sub(root, BPMN, "process", id=process.id, name=process.name, isExecutable="true")
    if process.documentation:
        _text(proc, BPMN, "documentation", process.documentation)
    _process_extensions(proc, process)
    lane_set = _sub(proc, BPMN, "laneSet", id=f"{process.id}_LaneSet")
    for lane in process.lanes:
        lane_el = _sub(lane_set, BPMN, "lane", id=lane.id, name=lane.name)
        ext = _sub(lane_el, BPMN, "extensionElements")
        _sub(ext, ETALON, "role", code=lane.role.code, name=lane.role.name)
        for node in process.nodes:
            if node.lane == lane.id:
                _text(lane_el, BPMN, "flowNodeRef", node.id)
    for node in process.nodes:
        _flow_node(proc, node, process.flows)
    for flow in process.flows:
        _sequence_flow(proc, flow)
    _diagram(root, process, layout(process), collaboration)
    return root


def serialize(process: Process) -> bytes:
    """Return the BPMN file content of ``process`` (UTF-8, indented, with XML declaration)."""
    root = build_document(process)
    etree.indent(root, space="  ")
    body = etree.tostring(root, encoding="unicode", pretty_print=True)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")

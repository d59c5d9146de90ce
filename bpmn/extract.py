"""Extraction of the document model (:mod:`bpmn.model`) from a loaded BPMN document.

Files come from many modellers (bpmn.io, Signavio, ARIS, Bizagi, Trisotech, Yaoqiang) with
their own habits: ``incoming``/``outgoing`` children missing or stale, boundary events left
out of lanes, lanes nested in ``childLaneSet``, event definitions referenced by id. So the
graph is rebuilt from the sequence flows' ``sourceRef``/``targetRef``, lanes are resolved to
the innermost one, and anything unexpected is skipped rather than fatal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from lxml import etree

from bpmn.loading import BpmnDocument
from bpmn.metadata import lane_roles, node_metadata, process_metadata
from bpmn.model import (
    Bounds,
    Collaboration,
    DataStore,
    Definitions,
    Diagram,
    Edge,
    FlowNode,
    Lane,
    MessageFlow,
    Participant,
    Process,
    SequenceFlow,
    Shape,
    Timer,
)
from bpmn.namespaces import BPMN, BPMNDI, DC, DI, localname, q

logger = logging.getLogger(__name__)

ACTIVITIES = frozenset(
    {
        "task",
        "userTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "manualTask",
        "businessRuleTask",
        "scriptTask",
        "callActivity",
        "subProcess",
        "adHocSubProcess",
        "transaction",
    }
)
EVENTS = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "implicitThrowEvent",
    }
)
GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
FLOW_NODE_TYPES = ACTIVITIES | EVENTS | GATEWAYS
#: flow nodes whose children are flow elements again
CONTAINERS = frozenset({"subProcess", "adHocSubProcess", "transaction"})
DATA_TYPES = frozenset({"dataStoreReference", "dataObjectReference", "dataObject"})
TIMER_KINDS = ("timeDuration", "timeDate", "timeCycle")


def _is_bpmn(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and el.tag.startswith("{" + BPMN + "}")


def _documentation(el: etree._Element) -> str | None:
    texts = ["".join(d.itertext()).strip() for d in el.iterchildren(q(BPMN, "documentation"))]
    joined = "\n".join(t for t in texts if t)
    return joined or None


def _bool_attr(el: etree._Element, name: str, default: bool | None) -> bool | None:
    value = el.get(name)
    if value is None:
        return default
    return value.strip().lower() == "true"


def _event_definitions(el: etree._Element, shared: dict[str, str]) -> tuple[str, ...]:
    kinds: list[str] = []
    for child in el:
        name = localname(child)
        if not _is_bpmn(child):
            continue
        if name.endswith("EventDefinition"):
            kinds.append(name.removesuffix("EventDefinition"))
        elif name == "eventDefinitionRef" and child.text:
            kind = shared.get(child.text.strip())
            if kind:
                kinds.append(kind)
    return tuple(kinds)


def _timer(el: etree._Element, calendar: str | None) -> Timer | None:
    definition = el.find(q(BPMN, "timerEventDefinition"))
    if definition is None:
        return None
    for kind in TIMER_KINDS:
        expression = definition.find(q(BPMN, kind))
        if expression is not None:
            text = "".join(expression.itertext()).strip() or None
            return Timer(kind=kind, expression=text, calendar=calendar)
    return Timer(kind=None, expression=None, calendar=calendar)


def _loop(el: etree._Element) -> str | None:
    if el.find(q(BPMN, "standardLoopCharacteristics")) is not None:
        return "standard"
    multi = el.find(q(BPMN, "multiInstanceLoopCharacteristics"))
    if multi is not None:
        return "sequential" if _bool_attr(multi, "isSequential", False) else "parallel"
    return None


@dataclass
class _ProcessScan:
    """Mutable gathering state for one process; frozen into a Process at the end."""

    process_id: str
    shared_events: dict[str, str]
    nodes: list[tuple[etree._Element, str | None]] = field(default_factory=list)
    flows: list[SequenceFlow] = field(default_factory=list)
    data: list[DataStore] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    lane_of: dict[str, str] = field(default_factory=dict)

    def walk(self, container: etree._Element, parent_id: str | None) -> None:
        for child in container:
            if not _is_bpmn(child):
                continue
            name = localname(child)
            element_id = child.get("id")
            if name == "laneSet":
                self.walk_lanes(child, None)
            elif name in FLOW_NODE_TYPES and element_id:
                self.nodes.append((child, parent_id))
                if name in CONTAINERS:
                    self.walk(child, element_id)
            elif name == "sequenceFlow" and element_id:
                self.flows.append(self.sequence_flow(child, parent_id))
            elif name in DATA_TYPES and element_id:
                ref = child.get("dataStoreRef") or child.get("dataObjectRef")
                self.data.append(
                    DataStore(
                        element_id, child.get("name"), name, self.process_id, ref, child.sourceline
                    )
                )

    def walk_lanes(self, lane_set: etree._Element, parent_lane: str | None) -> None:
        # Parents are recorded before children, so a node named by a nested lane ends up
        # in the innermost lane.
        for lane_el in lane_set.iterchildren(q(BPMN, "lane")):
            lane_id = lane_el.get("id")
            if not lane_id:
                continue
            refs = tuple(
                r.text.strip() for r in lane_el.iterchildren(q(BPMN, "flowNodeRef")) if r.text
            )
            roles = lane_roles(lane_el)
            self.lanes.append(
                Lane(
                    id=lane_id,
                    name=lane_el.get("name"),
                    process_id=self.process_id,
                    role=roles[0] if roles else None,
                    flow_node_ids=refs,
                    parent_lane_id=parent_lane,
                    roles=roles,
                    line=lane_el.sourceline,
                )
            )
            for ref in refs:
                self.lane_of[ref] = lane_id
            for child_set in lane_el.iterchildren(q(BPMN, "childLaneSet")):
                self.walk_lanes(child_set, lane_id)

    def sequence_flow(self, el: etree._Element, parent_id: str | None) -> SequenceFlow:
        condition_el = el.find(q(BPMN, "conditionExpression"))
        condition = None
        if condition_el is not None:
            condition = "".join(condition_el.itertext()).strip() or None
        return SequenceFlow(
            id=el.get("id", ""),
            source=el.get("sourceRef"),
            target=el.get("targetRef"),
            name=el.get("name"),
            condition=condition,
            process_id=self.process_id,
            parent_id=parent_id,
            line=el.sourceline,
        )


@dataclass
class _Graph:
    """Document-wide wiring: some tools put a node and its flows in different processes."""

    incoming: dict[str, list[str]] = field(default_factory=dict)
    outgoing: dict[str, list[str]] = field(default_factory=dict)
    defaults: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, scans: list[_ProcessScan]) -> _Graph:
        graph = cls()
        for scan in scans:
            for flow in scan.flows:
                if flow.source:
                    graph.outgoing.setdefault(flow.source, []).append(flow.id)
                if flow.target:
                    graph.incoming.setdefault(flow.target, []).append(flow.id)
            graph.defaults.update(d for el, _ in scan.nodes if (d := el.get("default")))
        return graph


def _build_nodes(scan: _ProcessScan, graph: _Graph) -> tuple[FlowNode, ...]:
    lane_of = dict(scan.lane_of)
    nodes: list[FlowNode] = []
    for el, parent_id in scan.nodes:
        node_id = el.get("id", "")
        node_type = localname(el)
        meta = node_metadata(el, node_id)
        # Contents of a sub-process and boundary events are often left out of lanes:
        # they belong where their container or host is.
        host = el.get("attachedToRef") or parent_id
        lane_id = lane_of.get(node_id) or (lane_of.get(host) if host else None)
        if lane_id:
            lane_of.setdefault(node_id, lane_id)
        nodes.append(
            FlowNode(
                id=node_id,
                type=node_type,
                name=el.get("name"),
                process_id=scan.process_id,
                lane_id=lane_id,
                parent_id=parent_id,
                incoming=tuple(graph.incoming.get(node_id, ())),
                outgoing=tuple(graph.outgoing.get(node_id, ())),
                event_definitions=_event_definitions(el, scan.shared_events),
                attached_to=el.get("attachedToRef"),
                cancel_activity=(
                    _bool_attr(el, "cancelActivity", True) if node_type == "boundaryEvent" else None
                ),
                called_element=el.get("calledElement") if node_type == "callActivity" else None,
                default_flow=el.get("default"),
                triggered_by_event=bool(_bool_attr(el, "triggeredByEvent", False)),
                loop=_loop(el),
                timer=_timer(el, meta.timer_calendar),
                checkpoints=meta.checkpoints,
                deadlines=meta.deadlines,
                technology_cards=meta.technology_cards,
                result=meta.result,
                forms=meta.forms,
                fields=meta.fields,
                documentation=_documentation(el),
                line=el.sourceline,
            )
        )
    return tuple(nodes)


def _with_default(flow: SequenceFlow) -> SequenceFlow:
    return SequenceFlow(
        id=flow.id,
        source=flow.source,
        target=flow.target,
        name=flow.name,
        condition=flow.condition,
        is_default=True,
        process_id=flow.process_id,
        parent_id=flow.parent_id,
        line=flow.line,
    )


def _process(el: etree._Element, scan: _ProcessScan, graph: _Graph) -> Process:
    process_id = scan.process_id
    nodes = _build_nodes(scan, graph)
    flows = tuple(_with_default(f) if f.id in graph.defaults else f for f in scan.flows)
    meta = process_metadata(el, process_id)
    return Process(
        id=process_id,
        name=el.get("name"),
        is_executable=_bool_attr(el, "isExecutable", None),
        standard=meta.standard,
        supports=meta.supports,
        lanes=tuple(scan.lanes),
        flow_nodes=nodes,
        sequence_flows=flows,
        deadlines=meta.deadlines,
        indicators=meta.indicators,
        data_stores=tuple(scan.data),
        documentation=_documentation(el),
        line=el.sourceline,
    )


def _collaboration(el: etree._Element) -> Collaboration:
    collaboration_id = el.get("id", "")
    participants = tuple(
        Participant(
            id=p.get("id", ""),
            name=p.get("name"),
            process_ref=p.get("processRef"),
            collaboration_id=collaboration_id,
            line=p.sourceline,
        )
        for p in el.iterchildren(q(BPMN, "participant"))
    )
    message_flows = tuple(
        MessageFlow(
            id=m.get("id", ""),
            source=m.get("sourceRef"),
            target=m.get("targetRef"),
            name=m.get("name"),
            message_ref=m.get("messageRef"),
            line=m.sourceline,
        )
        for m in el.iterchildren(q(BPMN, "messageFlow"))
    )
    return Collaboration(
        collaboration_id, el.get("name"), participants, message_flows, el.sourceline
    )


def _coordinate(text: str | None) -> float | None:
    """A finite number, or None: `parse_number` on the hot path of DI (thousands per file)."""
    if text is None:
        return None
    try:
        value = float(text)  # float() itself ignores surrounding white space
    except ValueError:
        return None
    return value if value - value == 0 else None  # inf - inf and nan - nan are nan


def _bounds(el: etree._Element | None) -> Bounds | None:
    if el is None:
        return None
    get = el.get
    x, y, width, height = (_coordinate(get(a)) for a in ("x", "y", "width", "height"))
    if x is None or y is None or width is None or height is None:
        return None
    return Bounds(x, y, width, height)


def extract_diagrams(root: etree._Element) -> tuple[Diagram, ...]:
    """The diagrams (``bpmndi:BPMNDiagram``) of a document: shapes' bounds, edges' waypoints."""
    diagrams: list[Diagram] = []
    bounds_tag, waypoint_tag = q(DC, "Bounds"), q(DI, "waypoint")
    for diagram in root.iterchildren(q(BPMNDI, "BPMNDiagram")):
        plane = diagram.find(q(BPMNDI, "BPMNPlane"))
        shapes: list[Shape] = []
        edges: list[Edge] = []
        if plane is not None:
            for shape in plane.iterchildren(q(BPMNDI, "BPMNShape")):
                element_id = shape.get("bpmnElement")
                if element_id:
                    shapes.append(
                        Shape(
                            element_id=element_id,
                            bounds=_bounds(shape.find(bounds_tag)),
                            is_expanded=_bool_attr(shape, "isExpanded", None),
                            is_horizontal=_bool_attr(shape, "isHorizontal", None),
                        )
                    )
            for edge in plane.iterchildren(q(BPMNDI, "BPMNEdge")):
                element_id = edge.get("bpmnElement")
                if element_id:
                    waypoints = []
                    for point in edge.iterchildren(waypoint_tag):
                        x, y = _coordinate(point.get("x")), _coordinate(point.get("y"))
                        if x is not None and y is not None:
                            waypoints.append((x, y))
                    edges.append(Edge(element_id=element_id, waypoints=tuple(waypoints)))
        diagrams.append(
            Diagram(
                id=diagram.get("id"),
                name=diagram.get("name"),
                plane_element=plane.get("bpmnElement") if plane is not None else None,
                shapes=tuple(shapes),
                edges=tuple(edges),
            )
        )
    return tuple(diagrams)


def extract(document: BpmnDocument) -> Definitions:
    """Build the :class:`~bpmn.model.Definitions` of a loaded document.

    Never raises on odd but well-formed content: elements without ids are skipped, and
    malformed Etalon metadata is kept raw for the validator.
    """
    root = document.root
    shared_events = {
        child.get("id", ""): localname(child).removesuffix("EventDefinition")
        for child in root
        if _is_bpmn(child) and localname(child).endswith("EventDefinition")
    }
    scans: list[tuple[etree._Element, _ProcessScan]] = []
    collaborations: list[Collaboration] = []
    data_stores: list[DataStore] = []
    for child in root:
        if not _is_bpmn(child):
            continue
        name = localname(child)
        if name == "process" and child.get("id"):
            scan = _ProcessScan(child.get("id", ""), shared_events)
            scan.walk(child, None)
            scans.append((child, scan))
        elif name == "collaboration":
            collaborations.append(_collaboration(child))
        elif name == "dataStore" and child.get("id"):
            data_stores.append(
                DataStore(child.get("id", ""), child.get("name"), name, line=child.sourceline)
            )
    graph = _Graph.of([scan for _, scan in scans])
    processes = [_process(el, scan, graph) for el, scan in scans]
    definitions = Definitions(
        id=root.get("id"),
        name=root.get("name"),
        target_namespace=root.get("targetNamespace"),
        exporter=root.get("exporter"),
        exporter_version=root.get("exporterVersion"),
        processes=tuple(processes),
        collaborations=tuple(collaborations),
        data_stores=tuple(data_stores),
        diagrams=extract_diagrams(root),
        source=document.source,
        sha256=document.sha256,
    )
    logger.debug(
        "extracted %s: %d processes, %d flow nodes",
        document.label,
        len(processes),
        len(definitions.all_nodes),
    )
    return definitions

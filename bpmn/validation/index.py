"""One pass over a BPMN document that collects what the validation rules look things up in.

Rules must stay linear in the size of the model (5,000-node standards exist), so nothing here
or in the rules runs XPath per node: everything is gathered once into dicts and lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from bpmn.loading import BpmnDocument
from bpmn.namespaces import BPMN, BPMNDI, localname

FLOW_NODE_TAGS = frozenset(
    {
        "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
        "boundaryEvent", "implicitThrowEvent",
        "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
        "sendTask", "receiveTask", "callActivity",
        "subProcess", "adHocSubProcess", "transaction",
        "exclusiveGateway", "inclusiveGateway", "parallelGateway", "complexGateway",
        "eventBasedGateway",
    }
)  # fmt: skip
CONTAINER_TAGS = frozenset({"process", "subProcess", "adHocSubProcess", "transaction"})
ACTIVITY_TAGS = frozenset(
    {
        "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
        "sendTask", "receiveTask", "callActivity", "subProcess", "adHocSubProcess", "transaction",
    }
)  # fmt: skip


@dataclass
class Container:
    """A scope of sequence flows: a process or a (event / ad-hoc / transaction) sub-process."""

    element: etree._Element
    process: etree._Element
    nodes: list[etree._Element] = field(default_factory=list)
    flows: list[etree._Element] = field(default_factory=list)

    @property
    def is_process(self) -> bool:
        return self.element is self.process


@dataclass
class DocumentIndex:
    """Elements of one document, grouped the way the rules need them."""

    by_id: dict[str, list[etree._Element]] = field(default_factory=dict)
    processes: list[etree._Element] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    container_of: dict[etree._Element, Container] = field(default_factory=dict)
    lanes: list[etree._Element] = field(default_factory=list)
    message_flows: list[etree._Element] = field(default_factory=list)
    global_tasks: set[str] = field(default_factory=set)

    def first(self, element_id: str | None) -> etree._Element | None:
        found = self.by_id.get(element_id or "")
        return found[0] if found else None


def build_index(document: BpmnDocument) -> DocumentIndex:
    """Walk ``document`` once and return its :class:`DocumentIndex`."""
    index = DocumentIndex()
    bpmn_prefix = "{" + BPMN + "}"
    id_prefixes = (bpmn_prefix, "{" + BPMNDI + "}")
    containers: dict[etree._Element, Container] = {}
    # Only BPMN and BPMN DI elements matter below; letting lxml skip the rest (dc:Bounds,
    # di:waypoint, vendor and Etalon extensions) halves the walk on a file with full DI.
    for el in document.root.iter(bpmn_prefix + "*", "{" + BPMNDI + "}*"):
        element_id = el.get("id")
        # Only BPMN's own ids are references' targets: Etalon ids (checkpoints, indicators)
        # have their own rules, and vendors' extension elements carry ids of their own tools.
        if element_id is not None and el.tag.startswith(id_prefixes):
            index.by_id.setdefault(element_id, []).append(el)
        if not el.tag.startswith(bpmn_prefix):
            continue
        local = localname(el)
        parent = el.getparent()
        scope = containers.get(parent) if parent is not None else None
        if local == "process":
            index.processes.append(el)
        elif local == "lane":
            index.lanes.append(el)
        elif local == "messageFlow":
            index.message_flows.append(el)
        elif local.startswith("global") and element_id:
            index.global_tasks.add(element_id)
        if scope is not None:
            if local in FLOW_NODE_TAGS:
                scope.nodes.append(el)
                index.container_of[el] = scope
            elif local == "sequenceFlow":
                scope.flows.append(el)
                index.container_of[el] = scope
        if local == "process" or (local in CONTAINER_TAGS and scope is not None):
            container = Container(el, el if local == "process" else scope.process)
            containers[el] = container
            index.containers.append(container)
    return index

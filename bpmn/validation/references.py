"""Identity and reference rules: unique ids, and every reference naming something that exists."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from bpmn.errors import ERROR, WARNING, Problem
from bpmn.namespaces import BPMN, localname
from bpmn.validation.index import ACTIVITY_TAGS, FLOW_NODE_TAGS, DocumentIndex
from bpmn.validation.naming import describe

# Elements the engine and Etalon address by id; a clash among them makes references ambiguous.
_ADDRESSED = FLOW_NODE_TAGS | {"process", "sequenceFlow", "lane", "participant", "messageFlow"}


def _line(el: etree._Element) -> int | None:
    return el.sourceline


def check_ids(index: DocumentIndex) -> Iterator[Problem]:
    """Ids must be unique; a clash between addressed elements is an error, else a warning."""
    for element_id, elements in index.by_id.items():
        if len(elements) < 2:
            continue
        addressed = sum(
            1 for el in elements if el.tag.startswith("{" + BPMN) and localname(el) in _ADDRESSED
        )
        severity = ERROR if addressed >= 1 else WARNING
        first = elements[0]
        for other in elements[1:]:
            yield Problem(
                "id.duplicate",
                severity,
                f"the id '{element_id}' is used twice: by {describe(first)} on line "
                f"{first.sourceline} and by {describe(other)} on line {other.sourceline}; "
                "ids must be unique so that references are unambiguous",
                element_id,
                _line(other),
            )


def check_sequence_flows(index: DocumentIndex) -> Iterator[Problem]:
    """Sequence flows connect two flow nodes of the same process or sub-process."""
    for container in index.containers:
        for flow in container.flows:
            for end, attr in (("source", "sourceRef"), ("target", "targetRef")):
                ref = flow.get(attr)
                target = index.first(ref)
                if not ref:
                    reason = f"has no {end} (attribute {attr} is missing)"
                elif target is None:
                    reason = f"has {end} '{ref}', which does not exist in the file"
                elif localname(target) not in FLOW_NODE_TAGS:
                    reason = f"has {end} {describe(target)}, which is not a flow node"
                elif index.container_of.get(target) is not container:
                    reason = (
                        f"has {end} {describe(target)}, which lies in another process or "
                        f"sub-process than {describe(container.element)}"
                    )
                else:
                    continue
                yield Problem(
                    f"ref.sequence_flow.{end}",
                    ERROR,
                    f"{describe(flow)} {reason}",
                    flow.get("id"),
                    _line(flow),
                )


def check_defaults_and_attachments(index: DocumentIndex) -> Iterator[Problem]:
    """``default`` names an outgoing flow of its node; boundary events sit on an activity."""
    for container in index.containers:
        for node in container.nodes:
            default = node.get("default")
            if default:
                flow = index.first(default)
                if flow is None or localname(flow) != "sequenceFlow":
                    reason = "which is not a sequence flow of the file"
                elif flow.get("sourceRef") != node.get("id"):
                    reason = "which does not leave this element"
                else:
                    reason = ""
                if reason:
                    yield Problem(
                        "ref.default_flow",
                        ERROR,
                        f"{describe(node)} names '{default}' as its default flow, {reason}",
                        node.get("id"),
                        _line(node),
                    )
            if localname(node) == "boundaryEvent":
                ref = node.get("attachedToRef")
                host = index.first(ref)
                if host is None or localname(host) not in ACTIVITY_TAGS:
                    what = f"'{ref}', which is not an activity of the file" if ref else "nothing"
                    yield Problem(
                        "ref.attached_to",
                        ERROR,
                        f"{describe(node)} is attached to {what}",
                        node.get("id"),
                        _line(node),
                    )


def check_lanes(index: DocumentIndex) -> Iterator[Problem]:
    """Lanes list flow nodes that exist."""
    bpmn_ref = "{" + BPMN + "}flowNodeRef"
    for lane in index.lanes:
        for ref_el in lane.iterchildren(bpmn_ref):
            ref = (ref_el.text or "").strip()
            node = index.first(ref)
            if node is None or localname(node) not in FLOW_NODE_TAGS:
                yield Problem(
                    "ref.lane_node",
                    ERROR,
                    f"{describe(lane)} lists '{ref}', which is not a flow node of the file",
                    lane.get("id"),
                    _line(ref_el),
                )


def check_message_flows(index: DocumentIndex) -> Iterator[Problem]:
    """Message flows connect participants or flow nodes that exist."""
    for flow in index.message_flows:
        for end, attr in (("source", "sourceRef"), ("target", "targetRef")):
            ref = flow.get(attr)
            if not ref or index.first(ref) is None:
                what = f"'{ref}', which does not exist in the file" if ref else "nothing"
                yield Problem(
                    f"ref.message_flow.{end}",
                    ERROR,
                    f"{describe(flow)} has {end} {what}",
                    flow.get("id"),
                    _line(flow),
                )

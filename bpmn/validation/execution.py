"""What the engine (SpiffWorkflow 3.2) can run, and what Etalon refuses to run.

These are checks against the engine's parser as shipped: its BpmnParser knows no complex
gateway, no link or compensation events, and cancel events only inside transactions. A
standard is still a valid *description* of work when it uses them, so they are warnings; a
region that runs the standard on Etalon's engine needs to know before publication.

Script tasks are different: SpiffWorkflow's script engine ``exec``s their text with full Python
builtins, so an uploaded file with a script task is refused unless it comes from a trusted
source (``trusted=True``, e.g. the standards library shipped with Etalon).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from bpmn.errors import ERROR, WARNING, Problem
from bpmn.namespaces import BPMN, localname
from bpmn.validation.index import DocumentIndex
from bpmn.validation.naming import describe

_UNSUPPORTED_NODES = {
    "complexGateway": "complex gateways",
    "implicitThrowEvent": "implicit throw events",
}
_UNSUPPORTED_DEFINITIONS = {
    "linkEventDefinition": "link events",
    "compensateEventDefinition": "compensation events",
}
# Event definitions SpiffWorkflow's BoundaryEventParser understands; others raise there.
_BOUNDARY_DEFINITIONS = frozenset(
    {
        "cancelEventDefinition", "errorEventDefinition", "escalationEventDefinition",
        "messageEventDefinition", "signalEventDefinition", "timerEventDefinition",
        "conditionalEventDefinition",
    }
)  # fmt: skip


def _unsupported(node: etree._Element, index: DocumentIndex) -> str | None:
    local = localname(node)
    if local in _UNSUPPORTED_NODES:
        return _UNSUPPORTED_NODES[local]
    if node.get("isForCompensation") == "true":
        return "compensation activities"
    definitions = [
        localname(c)
        for c in node.iterchildren(etree.Element)
        if localname(c).endswith("EventDefinition")
    ]
    for definition in definitions:
        if definition in _UNSUPPORTED_DEFINITIONS:
            return _UNSUPPORTED_DEFINITIONS[definition]
    if local == "boundaryEvent" and not any(d in _BOUNDARY_DEFINITIONS for d in definitions):
        return "boundary events without a message, timer, signal, error, escalation or condition"
    if "cancelEventDefinition" in definitions and local in ("boundaryEvent", "endEvent"):
        scope = index.first(node.get("attachedToRef")) if local == "boundaryEvent" else None
        if scope is None:
            container = index.container_of.get(node)
            scope = container.element if container is not None else None
        if scope is None or localname(scope) != "transaction":
            return "cancel events outside a transaction"
    if local == "adHocSubProcess" and node.get("ordering") == "Sequential":
        return "ad-hoc sub-processes with sequential ordering"
    return None


def check_execution(index: DocumentIndex, *, trusted: bool) -> Iterator[Problem]:
    """Warn about elements the engine cannot execute; refuse script tasks unless trusted."""
    script_tag = "{" + BPMN + "}scriptTask"
    for container in index.containers:
        for node in container.nodes:
            if node.tag == script_tag and not trusted:
                yield Problem(
                    "script.untrusted",
                    ERROR,
                    f"{describe(node)} is a script task: its program would run on the server "
                    "with full rights, which Etalon does not allow for uploaded files; "
                    "model the step as a user, manual or service task",
                    node.get("id"),
                    node.sourceline,
                )
            reason = _unsupported(node, index)
            if reason:
                yield Problem(
                    "engine.unsupported",
                    WARNING,
                    f"{describe(node)} cannot be executed by Etalon's engine "
                    f"(it does not support {reason}); the standard can be published and measured "
                    "but not run on Etalon",
                    node.get("id"),
                    node.sourceline,
                )

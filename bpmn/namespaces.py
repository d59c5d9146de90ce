"""XML namespaces of BPMN 2.0, its diagram interchange, and Etalon's extension metadata."""

from __future__ import annotations

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ETALON = "urn:etalon:bpmn:1.0"

#: Prefixes used when Etalon writes XML or evaluates XPath.
NSMAP = {
    "bpmn": BPMN,
    "bpmndi": BPMNDI,
    "dc": DC,
    "di": DI,
    "xsi": XSI,
    "etalon": ETALON,
}


def q(ns: str, local: str) -> str:
    """Return the Clark-notation name ``{ns}local`` used by lxml."""
    return f"{{{ns}}}{local}"


def localname(el: etree._Element) -> str:
    """Return the tag name of ``el`` without its namespace (``"userTask"``).

    Comments and processing instructions have no string tag; they yield ``""``.
    """
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace(el: etree._Element) -> str | None:
    """Return the namespace URI of ``el`` or None."""
    tag = el.tag
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    return tag[1:].partition("}")[0]

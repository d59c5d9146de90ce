"""How validation messages name BPMN elements: kind in words, name, and id."""

from __future__ import annotations

import re

from lxml import etree

from bpmn.namespaces import localname

_SPECIAL = {
    "subProcess": "sub-process",
    "adHocSubProcess": "ad-hoc sub-process",
    "callActivity": "call activity",
    "sequenceFlow": "sequence flow",
    "messageFlow": "message flow",
}


def kind(el: etree._Element) -> str:
    """``userTask`` → ``user task``; event sub-processes are called that."""
    local = localname(el)
    if local == "subProcess" and el.get("triggeredByEvent") == "true":
        return "event sub-process"
    if local in _SPECIAL:
        return _SPECIAL[local]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", local).lower()


def describe(el: etree._Element) -> str:
    """Name ``el`` for a methodologist: ``user task 'Проверить документы' (Task_CheckDocs)``."""
    name = (el.get("name") or "").strip()
    element_id = el.get("id")
    label = kind(el)
    if name:
        label += f" '{name}'"
    if element_id:
        label += f" ({element_id})"
    return label

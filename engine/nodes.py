"""What the engine knows about flow nodes beyond SpiffWorkflow, and what it reports about them.

Pure: lxml trees in, frozen dataclasses out. Etalon metadata (checkpoints, working-time
timers) is read straight from ``extensionElements``, so SpiffWorkflow's parser never needs to
know our namespace.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from bpmn.namespaces import BPMN, ETALON, localname
from engine.errors import DomainError

#: Task-spec names SpiffWorkflow creates itself; a BPMN id equal to one of them silently
#: replaces Spiff's own start or end task and the process does nothing.
RESERVED_IDS = frozenset({"Start", "End"})
RESERVED_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin")
ISO_TIMER_LITERAL = re.compile(
    r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[0-9:.+\-Z]*)?)(/P[0-9YMWDTHS.,]+)?$",
    re.IGNORECASE,
)


class ReservedNodeId(DomainError):
    """A flow node id collides with a name the execution engine uses internally."""


def check_reserved_ids(root: Any) -> None:
    """Refuse documents whose element ids collide with SpiffWorkflow's internal task names."""
    for element in root.iter(f"{{{BPMN}}}*"):
        element_id = element.get("id") or ""
        if element_id in RESERVED_IDS or element_id.endswith(RESERVED_SUFFIXES):
            raise ReservedNodeId(
                f"the element id '{element_id}' ({localname(element)}) is reserved by the "
                f"execution engine; rename it (for example to '{element_id}Event')",
                element_id=element_id,
            )


# -- metadata of nodes --------------------------------------------------------------------


@dataclass(frozen=True)
class NodeInfo:
    """What the engine needs to know about a flow node beyond what SpiffWorkflow keeps."""

    id: str
    name: str | None
    kind: str
    process_id: str
    checkpoint_id: str | None = None
    checkpoint_name: str | None = None
    timer_calendar: str | None = None


def read_nodes(root: Any) -> dict[str, NodeInfo]:
    nodes: dict[str, NodeInfo] = {}
    for process in root.iter(f"{{{BPMN}}}process"):
        process_id = process.get("id", "")
        for element in process.iter():
            kind = localname(element)
            node_id = element.get("id")
            if not node_id or element.tag.partition("}")[0][1:] != BPMN:
                continue
            extensions = element.find(f"{{{BPMN}}}extensionElements")
            checkpoint = timer = None
            if extensions is not None:
                checkpoint = extensions.find(f"{{{ETALON}}}checkpoint")
                timer = extensions.find(f"{{{ETALON}}}timer")
            nodes[node_id] = NodeInfo(
                id=node_id,
                name=element.get("name"),
                kind=kind,
                process_id=process_id,
                checkpoint_id=checkpoint.get("id") if checkpoint is not None else None,
                checkpoint_name=(
                    (checkpoint.get("name") or element.get("name"))
                    if checkpoint is not None
                    else None
                ),
                timer_calendar=(timer.get("calendar", "working") if timer is not None else None),
            )
    return nodes


REACHED, COMPLETED = "reached", "completed"
_HUMAN_KINDS = {"userTask", "manualTask", "task"}


@dataclass(frozen=True)
class HumanTask:
    """A ready user or manual task waiting for a person."""

    task_id: str
    node_id: str
    name: str | None
    kind: str
    lane: str | None
    checkpoint_id: str | None


@dataclass(frozen=True)
class NodeEvent:
    """A flow node was reached or completed; ``checkpoint_id`` is set on checkpoint nodes."""

    phase: str
    node_id: str
    name: str | None
    kind: str
    task_id: str
    checkpoint_id: str | None
    at: dt.datetime


@dataclass(frozen=True)
class WaitingTimer:
    """A timer event the workflow waits for; ``due`` is when it fires (UTC)."""

    task_id: str
    node_id: str
    name: str | None
    kind: str  # duration | date | cycle
    due: dt.datetime | None
    calendar: str


_EXPRESSION_TAGS = ("conditionExpression", "completionCondition", "loopCardinality")
_TIMER_TAGS = ("timeDuration", "timeDate", "timeCycle")


def check_expressions(root: Any) -> None:
    """Refuse, before anything runs, conditions and scripts the restricted language refuses.

    Timer values that are plain ISO 8601 literals (``PT4H``) are not Python and are skipped.
    Raises UnsafeExpression / ExpressionError with the element id in ``details``.
    """
    from engine import expressions  # local: keeps this module importable without the engine

    for element in root.iter(f"{{{BPMN}}}*"):
        tag = localname(element)
        text = (element.text or "").strip()
        if not text or tag not in (*_EXPRESSION_TAGS, *_TIMER_TAGS, "script"):
            continue
        if tag in _TIMER_TAGS and ISO_TIMER_LITERAL.match(text):
            continue
        owner = element.getparent()
        while owner is not None and owner.get("id") is None:
            owner = owner.getparent()
        try:
            if tag == "script":
                expressions.check_script(text)
            else:
                expressions.check(text)
        except expressions.ExpressionError as exc:
            exc.details["element_id"] = owner.get("id") if owner is not None else None
            raise

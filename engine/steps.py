"""What a running instance needs to know about the steps of a standard beyond SpiffWorkflow:
who does a step (the lane's ``etalon:role``), which form fields it declares, its normative
deadline, and which case data its checkpoint copies into events.

Pure: BPMN bytes in, frozen dataclasses out; cached per content hash like parsed specs.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from bpmn.extract import extract
from bpmn.loading import load_document
from bpmn.model import Lane

logger = logging.getLogger(__name__)

_CACHE_SIZE = 64
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "enum")


@dataclass(frozen=True)
class FormField:
    """A field the performer of a user task fills in (``etalon:field``)."""

    name: str
    type: str = "string"
    required: bool = False
    values: tuple[str, ...] = ()
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form, as stored on a task and shown by the API."""
        return {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "values": list(self.values),
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FormField:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=data["name"],
            type=data.get("type", "string"),
            required=bool(data.get("required")),
            values=tuple(data.get("values") or ()),
            label=data.get("label"),
        )


@dataclass(frozen=True)
class StepInfo:
    """A flow node's performer, form, deadline and checkpoint attributes."""

    node_id: str
    role: str | None = None
    lane: str | None = None
    fields: tuple[FormField, ...] = ()
    deadline: str | None = None  # ISO 8601 duration of the step
    deadline_calendar: str = "working"
    checkpoint_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepCatalog:
    """Every flow node of a document by id, and the processes its call activities call."""

    steps: Mapping[str, StepInfo] = field(default_factory=dict)
    called_processes: tuple[str, ...] = ()  # called by call activities, defined elsewhere
    has_timers: bool = False

    def step(self, node_id: str) -> StepInfo:
        """The step ``node_id`` (an empty one for nodes the document does not describe)."""
        return self.steps.get(node_id) or StepInfo(node_id)

    def merged(self, other: StepCatalog) -> StepCatalog:
        """This catalogue plus the steps of a supporting document (own steps win)."""
        return StepCatalog(
            {**other.steps, **self.steps},
            self.called_processes,
            self.has_timers or other.has_timers,
        )


_cache: OrderedDict[str, StepCatalog] = OrderedDict()
_lock = Lock()


def step_catalog(bpmn_bytes: bytes) -> StepCatalog:
    """The steps of a BPMN document (cached by the SHA-256 of its bytes)."""
    key = hashlib.sha256(bpmn_bytes).hexdigest()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    catalog = _build(bpmn_bytes)
    with _lock:
        _cache[key] = catalog
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return catalog


def _build(bpmn_bytes: bytes) -> StepCatalog:
    definitions = extract(load_document(bpmn_bytes, source="steps"))
    steps: dict[str, StepInfo] = {}
    called: list[str] = []
    has_timers = False
    for process in definitions.processes:
        lanes = {lane.id: lane for lane in process.lanes}
        for node in process.flow_nodes:
            lane = _role_lane(lanes, node.lane_id)
            deadline = node.deadline
            checkpoint = node.checkpoint
            steps[node.id] = StepInfo(
                node_id=node.id,
                role=lane.role.code if lane is not None and lane.role else None,
                lane=(lane.name if lane is not None else _lane_name(lanes, node.lane_id)),
                fields=tuple(
                    FormField(
                        name=f.name,
                        type=f.type if f.type in FIELD_TYPES else "string",
                        required=bool(f.required),
                        values=tuple(f.values),
                        label=f.label,
                    )
                    for f in node.fields
                    if f.name
                ),
                deadline=deadline.duration.iso() if deadline and deadline.duration else None,
                deadline_calendar=deadline.calendar if deadline else "working",
                checkpoint_attributes=checkpoint.attributes if checkpoint else (),
            )
            has_timers = has_timers or node.timer is not None
            if node.called_element:
                called.append(node.called_element)
    own = {process.id for process in definitions.processes}
    called = [name for name in called if name not in own]
    logger.debug("step catalogue: %d steps, calls %s", len(steps), called)
    return StepCatalog(steps, tuple(dict.fromkeys(called)), has_timers)


def _role_lane(lanes: Mapping[str, Lane], lane_id: str | None) -> Lane | None:
    """The innermost lane (this one or an enclosing one) that names a role."""
    seen: set[str] = set()
    while lane_id and lane_id not in seen:
        seen.add(lane_id)
        lane = lanes.get(lane_id)
        if lane is None:
            return None
        if lane.role is not None and lane.role.code:
            return lane
        lane_id = lane.parent_lane_id
    return None


def _lane_name(lanes: Mapping[str, Lane], lane_id: str | None) -> str | None:
    lane = lanes.get(lane_id) if lane_id else None
    return lane.name if lane is not None else None

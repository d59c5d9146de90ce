"""The compact description of a sample standard that the generator turns into BPMN 2.0 + DI.

A methodologist reads the generated ``.bpmn`` files; this module only exists so that the
twelve files stay consistent (ids, roles, checkpoints) and their diagrams stay tidy. Nodes
are placed on a grid of *lanes × columns × rows*; :mod:`.layout` turns the grid into pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# BPMN element names of the node kinds the library uses. No script tasks: standards are
# untrusted input for the engine and must not carry code.
START = "startEvent"
END = "endEvent"
USER_TASK = "userTask"
MANUAL_TASK = "manualTask"
XOR = "exclusiveGateway"
AND = "parallelGateway"
CALL = "callActivity"
TIMER = "boundaryEvent"

ACTIVITIES = frozenset({USER_TASK, MANUAL_TASK, CALL})
GATEWAYS = frozenset({XOR, AND})
EVENTS = frozenset({START, END, TIMER})


@dataclass(frozen=True)
class Role:
    """A job role (global code) and its Russian name."""

    code: str
    name: str


@dataclass(frozen=True)
class Lane:
    """A lane of the pool: one office unit / job role."""

    id: str
    name: str
    role: Role


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint on a flow node; ``attributes`` are case data copied into its events."""

    id: str
    name: str | None = None
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deadline:
    """A normative step duration (ISO 8601) in working or calendar time."""

    duration: str
    calendar: str = "working"


@dataclass(frozen=True)
class TechCard:
    """A technology card (технокарта) reference."""

    ref: str
    title: str


@dataclass(frozen=True)
class Form:
    """A document form used in an operation."""

    code: str
    name: str


@dataclass(frozen=True)
class Field:
    """A data field the performer of a user task fills in."""

    name: str
    type: str
    label: str
    required: bool = False
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Node:
    """A flow node placed on the grid: ``col`` left to right, ``row`` inside its lane."""

    id: str
    kind: str
    name: str
    lane: str
    col: float
    row: int = 0
    checkpoint: Checkpoint | None = None
    deadline: Deadline | None = None
    cards: tuple[TechCard, ...] = ()
    result: str | None = None
    forms: tuple[Form, ...] = ()
    fields: tuple[Field, ...] = ()
    documentation: str | None = None
    called: str | None = None  # callActivity/@calledElement
    attached_to: str | None = None  # boundary timer host
    timer: Deadline | None = None  # boundary timer duration
    interrupting: bool = True
    label: str = "below"  # where an event's / gateway's name goes: below | above | above_left


@dataclass(frozen=True)
class Flow:
    """A sequence flow; ``exit``/``enter`` pick the sides of the shapes the edge uses."""

    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    default: bool = False
    exit: str | None = None  # right | left | top | bottom
    enter: str | None = None
    channel: float | None = None  # middle leg: column (h-h edges) or px below lane top (v-v)
    channel_lane: str | None = None


@dataclass(frozen=True)
class StageDeadline:
    """A normative deadline between two checkpoints of the process."""

    id: str
    name: str
    start: str
    end: str
    duration: str
    calendar: str = "working"


@dataclass(frozen=True)
class Indicator:
    """A quality indicator with its target, corridor, weight and corrective actions."""

    id: str
    name: str
    kind: str
    unit: str
    direction: str
    target: float
    green: float
    red: float
    weight: float = 0.0
    start: str | None = None  # @from
    end: str | None = None  # @to
    deadline: str | None = None
    calendar: str | None = None
    checkpoint: str | None = None
    flag: str | None = None
    attribute: str | None = None
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Process:
    """One executable process: the content of one ``vN.bpmn`` file."""

    id: str
    name: str
    participant: str
    kind: str
    category: str
    service_code: str
    lanes: tuple[Lane, ...]
    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]
    documentation: str | None = None
    supports: tuple[str, ...] = ()
    deadlines: tuple[StageDeadline, ...] = ()
    indicators: tuple[Indicator, ...] = ()

    def node(self, node_id: str) -> Node:
        """Return the node with ``node_id`` (KeyError if absent)."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)


@dataclass(frozen=True)
class Version:
    """One edition of a sample standard and the one-line note of what it changed."""

    number: int
    note: str
    process: Process


@dataclass(frozen=True)
class Standard:
    """A sample standard of the library and its versions."""

    key: str
    title: str
    versions: tuple[Version, ...]
    owning_unit: str = "FED"
    calls: tuple[str, ...] = field(default=())  # keys of standards reached by call activities

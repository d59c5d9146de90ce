"""The document model: what a BPMN standard says, as frozen dataclasses.

Everything here is plain data extracted by :func:`bpmn.extract.extract`. Etalon metadata is
kept *leniently*: a malformed value keeps its raw text next to a parsed value of None, so the
validator can report it with its line. ``line`` fields never take part in equality, so two
documents that say the same thing compare equal wherever it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WORKING = "working"
CALENDAR = "calendar"


@dataclass(frozen=True, slots=True)
class Duration:
    """An ISO 8601 duration (``P1DT2H``) and the calendar it is counted on."""

    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: float = 0
    calendar: str = WORKING

    def total_seconds(self) -> float:
        """Length in plain calendar time (a day is 24 hours), whatever ``calendar`` says."""
        return self.days * 86400 + self.hours * 3600 + self.minutes * 60 + self.seconds

    def iso(self) -> str:
        """Canonical ISO 8601 text of the length (``P1DT2H``, ``PT0S`` when empty)."""
        date = f"{self.days}D" if self.days else ""
        seconds = f"{self.seconds:g}S" if self.seconds else ""
        time = (
            (f"{self.hours}H" if self.hours else "")
            + (f"{self.minutes}M" if self.minutes else "")
            + seconds
        )
        if not date and not time:
            return "PT0S"
        return "P" + date + (f"T{time}" if time else "")

    def __str__(self) -> str:
        return f"{self.iso()} ({self.calendar})"


@dataclass(frozen=True, slots=True)
class Role:
    """A job role (lane ``etalon:role``): a global code and a human name."""

    code: str | None
    name: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A reported and measured point: ``etalon:checkpoint`` on a flow node."""

    id: str | None
    name: str | None
    node_id: str
    attributes: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A normative deadline: between two checkpoints (process) or of one step (flow node)."""

    id: str | None
    name: str | None
    from_checkpoint: str | None
    to_checkpoint: str | None
    node_id: str | None
    duration: Duration | None
    raw: str | None
    calendar: str = WORKING
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class TechnologyCard:
    """A technology card (технокарта) an operation follows."""

    ref: str | None
    title: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Form:
    """A document form used in an operation."""

    code: str | None
    name: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Field:
    """A data field the performer of a user task fills in."""

    name: str | None
    type: str | None
    label: str | None = None
    required: bool | None = None
    required_raw: str | None = None
    values: tuple[str, ...] = ()
    values_raw: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Corridor:
    """Green/red bounds of an indicator; raw texts are kept for the validator."""

    green: float | None
    red: float | None
    green_raw: str | None = None
    red_raw: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Indicator:
    """A quality indicator of a process with its target, corridor and prescribed actions."""

    id: str | None
    name: str | None
    kind: str | None
    process_id: str
    unit: str | None = None
    direction: str | None = None
    target: float | None = None
    target_raw: str | None = None
    weight: float | None = None
    weight_raw: str | None = None
    from_checkpoint: str | None = None
    to_checkpoint: str | None = None
    checkpoint: str | None = None
    deadline: Duration | None = None
    deadline_raw: str | None = None
    calendar: str = WORKING
    flag: str | None = None
    attribute: str | None = None
    corridor: Corridor | None = None
    actions: tuple[str, ...] = ()
    #: every XML attribute as written, sorted, for rules and diffs this model does not foresee
    attributes: tuple[tuple[str, str], ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class StandardInfo:
    """``etalon:standard`` on a process: ЦМП/ЦМО, main/supporting, service code."""

    kind: str | None
    category: str | None
    service_code: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Support:
    """``etalon:supports``: a main process this supporting process serves."""

    process: str | None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Timer:
    """The timer definition of a timer event: one of timeDuration/timeDate/timeCycle."""

    kind: str | None
    expression: str | None
    #: ``etalon:timer/@calendar``; None when absent (BPMN default: plain calendar time)
    calendar: str | None = None


@dataclass(frozen=True, slots=True)
class FlowNode:
    """A task, event, gateway, sub-process or call activity, with its Etalon metadata."""

    id: str
    type: str
    name: str | None
    process_id: str
    lane_id: str | None = None
    parent_id: str | None = None
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    event_definitions: tuple[str, ...] = ()
    attached_to: str | None = None
    cancel_activity: bool | None = None
    called_element: str | None = None
    default_flow: str | None = None
    triggered_by_event: bool = False
    loop: str | None = None
    timer: Timer | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    technology_cards: tuple[TechnologyCard, ...] = ()
    result: str | None = None
    forms: tuple[Form, ...] = ()
    fields: tuple[Field, ...] = ()
    documentation: str | None = None
    line: int | None = field(default=None, compare=False)

    @property
    def checkpoint(self) -> Checkpoint | None:
        """The node's checkpoint (the first one if several are, wrongly, declared)."""
        return self.checkpoints[0] if self.checkpoints else None

    @property
    def deadline(self) -> Deadline | None:
        """The normative duration of this step (the first if several are declared)."""
        return self.deadlines[0] if self.deadlines else None

    @property
    def is_event(self) -> bool:
        return self.type.endswith("Event")

    @property
    def is_gateway(self) -> bool:
        return self.type.endswith("Gateway")


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    """A sequence flow; ``condition`` is the expression text or None."""

    id: str
    source: str | None
    target: str | None
    name: str | None = None
    condition: str | None = None
    is_default: bool = False
    process_id: str | None = None
    parent_id: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class MessageFlow:
    """A message flow between pools or their elements."""

    id: str
    source: str | None
    target: str | None
    name: str | None = None
    message_ref: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class DataStore:
    """A data store (definitions level) or a data store / data object reference in a process."""

    id: str
    name: str | None
    type: str
    process_id: str | None = None
    ref: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Lane:
    """A lane (swimlane) with its role and the flow nodes it holds; nested lanes are flat."""

    id: str
    name: str | None
    process_id: str
    role: Role | None = None
    flow_node_ids: tuple[str, ...] = ()
    parent_lane_id: str | None = None
    roles: tuple[Role, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Participant:
    """A pool of a collaboration, possibly referring to a process."""

    id: str
    name: str | None
    process_ref: str | None
    collaboration_id: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Collaboration:
    id: str
    name: str | None
    participants: tuple[Participant, ...] = ()
    message_flows: tuple[MessageFlow, ...] = ()
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Bounds:
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True, slots=True)
class Shape:
    """A diagram shape of a BPMN element (``bpmndi:BPMNShape``)."""

    element_id: str
    bounds: Bounds | None
    is_expanded: bool | None = None
    is_horizontal: bool | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """A diagram edge of a flow (``bpmndi:BPMNEdge``)."""

    element_id: str
    waypoints: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Diagram:
    """One ``bpmndi:BPMNDiagram`` and its plane's shapes and edges."""

    id: str | None
    name: str | None
    plane_element: str | None
    shapes: tuple[Shape, ...] = ()
    edges: tuple[Edge, ...] = ()


@dataclass(frozen=True, slots=True)
class Process:
    """A BPMN process: its flow (nested sub-processes flattened, see ``parent_id``) and metadata."""

    id: str
    name: str | None
    is_executable: bool | None = None
    standard: StandardInfo | None = None
    supports: tuple[Support, ...] = ()
    lanes: tuple[Lane, ...] = ()
    flow_nodes: tuple[FlowNode, ...] = ()
    sequence_flows: tuple[SequenceFlow, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    data_stores: tuple[DataStore, ...] = ()
    documentation: str | None = None
    line: int | None = field(default=None, compare=False)

    def node(self, node_id: str) -> FlowNode | None:
        """The flow node ``node_id`` of this process (linear scan; use Definitions.node)."""
        return next((n for n in self.flow_nodes if n.id == node_id), None)

    @property
    def checkpoints(self) -> tuple[Checkpoint, ...]:
        return tuple(cp for n in self.flow_nodes for cp in n.checkpoints)


@dataclass(frozen=True, slots=True)
class Definitions:
    """A whole BPMN document (``bpmn:definitions``) as the rest of Etalon sees it."""

    id: str | None
    name: str | None
    target_namespace: str | None = None
    exporter: str | None = None
    exporter_version: str | None = None
    processes: tuple[Process, ...] = ()
    collaborations: tuple[Collaboration, ...] = ()
    data_stores: tuple[DataStore, ...] = ()
    diagrams: tuple[Diagram, ...] = ()
    source: str | None = field(default=None, compare=False)
    sha256: str | None = field(default=None, compare=False)
    _nodes: dict[str, FlowNode] = field(
        init=False, default=None, compare=False, repr=False, hash=False
    )

    def __post_init__(self) -> None:
        nodes: dict[str, FlowNode] = {}
        for process in self.processes:
            for node in process.flow_nodes:
                nodes.setdefault(node.id, node)
        object.__setattr__(self, "_nodes", nodes)

    def node(self, node_id: str) -> FlowNode | None:
        """The flow node with this id in any process, or None."""
        return self._nodes.get(node_id)

    def process(self, process_id: str) -> Process | None:
        """The process with this id, or None."""
        return next((p for p in self.processes if p.id == process_id), None)

    @property
    def all_nodes(self) -> tuple[FlowNode, ...]:
        """Every flow node of every process, sub-process contents included."""
        return tuple(n for p in self.processes for n in p.flow_nodes)

    @property
    def sequence_flows(self) -> tuple[SequenceFlow, ...]:
        return tuple(f for p in self.processes for f in p.sequence_flows)

    @property
    def participants(self) -> tuple[Participant, ...]:
        return tuple(pt for c in self.collaborations for pt in c.participants)

    @property
    def message_flows(self) -> tuple[MessageFlow, ...]:
        return tuple(mf for c in self.collaborations for mf in c.message_flows)

    @property
    def lanes(self) -> tuple[Lane, ...]:
        return tuple(lane for p in self.processes for lane in p.lanes)

    @property
    def checkpoints(self) -> tuple[Checkpoint, ...]:
        """Every checkpoint of the document, in document order."""
        return tuple(cp for p in self.processes for cp in p.checkpoints)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for p in self.processes for i in p.indicators)

    @property
    def deadlines(self) -> tuple[Deadline, ...]:
        """Process-level stage deadlines and flow-node step deadlines."""
        return tuple(d for p in self.processes for d in p.deadlines) + tuple(
            d for n in self.all_nodes for d in n.deadlines
        )

    @property
    def roles(self) -> tuple[Role, ...]:
        """Distinct roles of all lanes (by code, first name wins), in document order."""
        seen: dict[str, Role] = {}
        for lane in self.lanes:
            for role in lane.roles:
                if role.code:
                    seen.setdefault(role.code, role)
        return tuple(seen.values())

    @property
    def called_processes(self) -> tuple[str, ...]:
        """Distinct ``calledElement`` values of call activities, in document order."""
        called = (n.called_element for n in self.all_nodes if n.called_element)
        return tuple(dict.fromkeys(called))

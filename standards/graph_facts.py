"""What the dependency graph needs to know of one version, extracted once from its BPMN:
processes, operations with their roles, deadlines and documents, checkpoints, indicators.

Pure: frozen dataclasses built from `bpmn.model.Definitions`, no database."""

from __future__ import annotations

from dataclasses import dataclass

from bpmn.model import Definitions, FlowNode

#: flow node types that are work somebody (or some system) performs
_ACTIVITY_SUFFIXES = ("Task", "task")
_ACTIVITY_TYPES = {"subProcess", "callActivity", "transaction", "adHocSubProcess"}


def is_operation(node_type: str) -> bool:
    """True for activities (tasks, sub-processes, call activities); events and gateways are not
    operations a role performs."""
    return node_type.endswith(_ACTIVITY_SUFFIXES) or node_type in _ACTIVITY_TYPES


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A technology card or a document form an operation uses."""

    kind: str  # technology_card | form
    code: str
    title: str | None = None

    @property
    def node(self) -> str:
        return f"document:{self.kind}:{self.code}"


@dataclass(frozen=True, slots=True)
class OperationFact:
    """A flow node of a version with what the graph and the impact walk need of it."""

    id: str
    name: str | None
    type: str
    process_id: str
    role: str | None = None
    role_name: str | None = None
    deadline: str | None = None  # ISO 8601
    deadline_calendar: str | None = None
    documents: tuple[DocumentRef, ...] = ()
    checkpoints: tuple[str, ...] = ()
    called_process: str | None = None

    @property
    def is_operation(self) -> bool:
        return is_operation(self.type)


@dataclass(frozen=True, slots=True)
class CheckpointFact:
    id: str
    name: str | None
    node_id: str
    process_id: str


@dataclass(frozen=True, slots=True)
class IndicatorFact:
    id: str
    name: str | None
    process_id: str
    checkpoints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeadlineFact:
    """A process-level (stage) deadline between two checkpoints."""

    id: str
    name: str | None
    process_id: str
    checkpoints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProcessFact:
    id: str
    name: str | None
    category: str | None = None
    supports: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionFacts:
    """One version of one standard as the graph sees it."""

    standard_key: str
    standard_title: str
    number: int
    processes: tuple[ProcessFact, ...] = ()
    nodes: tuple[OperationFact, ...] = ()  # every flow node except gateways
    checkpoints: tuple[CheckpointFact, ...] = ()
    indicators: tuple[IndicatorFact, ...] = ()
    deadlines: tuple[DeadlineFact, ...] = ()
    role_names: tuple[tuple[str, str | None], ...] = ()

    @property
    def version_node(self) -> str:
        return version_node(self.standard_key, self.number)

    @property
    def label(self) -> str:
        return f"{self.standard_key} v{self.number}"

    def node(self, node_id: str) -> OperationFact | None:
        """The flow node `node_id` (linear: used on a handful of changed elements)."""
        return next((n for n in self.nodes if n.id == node_id), None)

    def role_name(self, code: str) -> str | None:
        return dict(self.role_names).get(code)


def version_node(key: str, number: int) -> str:
    return f"version:{key}@{number}"


def _role(definitions: Definitions, node: FlowNode, lanes: dict) -> tuple[str | None, str | None]:
    lane = lanes.get(node.lane_id) if node.lane_id else None
    if lane is None or lane.role is None:
        return None, None
    return lane.role.code, lane.role.name or lane.name


def facts_of(key: str, title: str, number: int, definitions: Definitions) -> VersionFacts:
    """Extract the graph facts of a version from its definitions."""
    lanes = {lane.id: lane for lane in definitions.lanes}
    nodes: list[OperationFact] = []
    checkpoints: list[CheckpointFact] = []
    for process in definitions.processes:
        for node in process.flow_nodes:
            if node.is_gateway:
                continue
            role, role_name = _role(definitions, node, lanes)
            deadline = node.deadline
            documents = tuple(
                DocumentRef("technology_card", card.ref, card.title)
                for card in node.technology_cards
                if card.ref
            ) + tuple(DocumentRef("form", form.code, form.name) for form in node.forms if form.code)
            own = tuple(cp.id for cp in node.checkpoints if cp.id)
            nodes.append(
                OperationFact(
                    id=node.id,
                    name=node.name,
                    type=node.type,
                    process_id=process.id,
                    role=role,
                    role_name=role_name,
                    deadline=deadline.duration.iso() if deadline and deadline.duration else None,
                    deadline_calendar=deadline.calendar if deadline else None,
                    documents=documents,
                    checkpoints=own,
                    called_process=node.called_element,
                )
            )
            checkpoints += [
                CheckpointFact(cp.id, cp.name or node.name, node.id, process.id)
                for cp in node.checkpoints
                if cp.id
            ]
    indicators = tuple(
        IndicatorFact(
            i.id,
            i.name,
            i.process_id,
            tuple(c for c in (i.from_checkpoint, i.to_checkpoint, i.checkpoint) if c is not None),
        )
        for i in definitions.indicators
        if i.id
    )
    deadlines = tuple(
        DeadlineFact(
            d.id,
            d.name,
            p.id,
            tuple(c for c in (d.from_checkpoint, d.to_checkpoint) if c is not None),
        )
        for p in definitions.processes
        for d in p.deadlines
        if d.id
    )
    processes = tuple(
        ProcessFact(
            p.id,
            p.name,
            p.standard.category if p.standard else None,
            tuple(s.process for s in p.supports if s.process),
        )
        for p in definitions.processes
    )
    role_names = tuple((r.code, r.name) for r in definitions.roles if r.code)
    return VersionFacts(
        key,
        title,
        number,
        processes,
        tuple(nodes),
        tuple(checkpoints),
        indicators,
        deadlines,
        role_names,
    )

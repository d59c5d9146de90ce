"""Impact of a change: from the semantic diff of a version against the version in force, walk
the dependency graph — roles whose operations changed, documents touched, indicators and
checkpoints that change meaning, main processes calling a changed process, regions running
affected versions — and explain each finding in Russian, ranked.

`walk_impact` is pure (graph + diff + facts → report); `version_impact` fetches them for a
version of the registry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bpmn.diff import Diff, ElementDiff
from standards.graph import (
    DependencyGraph,
    checkpoint_node,
    indicator_node,
    process_node,
    role_node,
)
from standards.graph_facts import OperationFact, VersionFacts, is_operation
from standards.impact_text import (
    deadline_change_text,
    duration_text,
    indicator_change_text,
    listing,
    quoted,
)

logger = logging.getLogger(__name__)

#: ranks, most urgent first: what people do differently, what they use, what is measured,
#: who depends on the process, where it runs
RANK_ROLE_MAJOR = 1
RANK_ROLE = 2
RANK_DOCUMENT = 3
RANK_MEASURE = 4
RANK_CALLER = 5
RANK_REGION = 6
SECTIONS = {
    RANK_ROLE_MAJOR: "Роли: изменились операции (срок, исполнитель, состав)",
    RANK_ROLE: "Роли: прочие изменения операций",
    RANK_DOCUMENT: "Документы и технологические карты",
    RANK_MEASURE: "Показатели, контрольные точки и нормативы сроков",
    RANK_CALLER: "Процессы, вызывающие изменённый или опирающиеся на него",
    RANK_REGION: "Регионы, которым нужно перейти на новую версию",
}
_MAJOR_FIELDS = {"deadline", "role"}
_SILENT_FIELDS = {"lane", "role", "deadline"}  # said in their own words


@dataclass(frozen=True)
class ImpactItem:
    """One explained finding; `node` is the graph node it concerns."""

    rank: int
    kind: str  # role | document | indicator | checkpoint | deadline | caller | region
    node: str
    label: str
    text: str
    role: str | None = None
    element_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "kind": self.kind,
            "node": self.node,
            "label": self.label,
            "text": self.text,
            "role": self.role,
            "element_id": self.element_id,
        }


@dataclass(frozen=True)
class ImpactReport:
    """The ranked, explained impact of one version against the version in force."""

    standard_key: str
    from_number: int | None
    to_number: int
    items: tuple[ImpactItem, ...]
    roles: tuple[str, ...]  # codes of roles whose operations changed
    changes: tuple[str, ...]  # the diff's summary lines

    def of_kind(self, kind: str) -> list[ImpactItem]:
        return [item for item in self.items if item.kind == kind]

    def lines_for_role(self, code: str) -> list[str]:
        """What changed for one role: the study material of its people."""
        return [item.text for item in self.items if item.role == code]

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard_key,
            "from": self.from_number,
            "to": self.to_number,
            "roles": list(self.roles),
            "counts": {
                kind: len(self.of_kind(kind))
                for kind in dict.fromkeys(item.kind for item in self.items)
            },
            "items": [item.to_dict() for item in self.items],
            "changes": list(self.changes),
        }

    def to_text(self) -> str:
        start = f"v{self.from_number}" if self.from_number else "(нет версии в силе)"
        lines = [f"Влияние изменений {self.standard_key}: {start} → v{self.to_number}"]
        if not self.items:
            lines.append("Изменения ни на что не влияют.")
        rank = None
        for number, item in enumerate(self.items, 1):
            if item.rank != rank:
                rank = item.rank
                lines.append("")
                lines.append(SECTIONS[rank])
            lines.append(f"{number}. {item.text}")
        return "\n".join(lines)


def _role_label(code: str, facts: VersionFacts | None, graph: DependencyGraph) -> str:
    name = facts.role_name(code) if facts else None
    return quoted(name or graph.label(role_node(code)), code)


def _detail_texts(changes: tuple[Any, ...]) -> list[str]:
    texts = []
    for change in changes:
        field = change.field
        if field in _SILENT_FIELDS:
            continue
        if field == "name":
            texts.append(f"название {quoted(change.old)} → {quoted(change.new)}")
        elif field == "technology_cards":
            texts.append(f"технокарты: {listing(change.old)} → {listing(change.new)}")
        elif field == "forms":
            texts.append(f"формы: {listing(change.old)} → {listing(change.new)}")
        elif field == "fields":
            texts.append("изменён состав заполняемых полей")
        elif field == "checkpoint":
            texts.append("изменена контрольная точка")
        elif field == "called_element":
            texts.append(f"вызывает {quoted(change.new)} вместо {quoted(change.old)}")
        elif field in ("incoming", "outgoing"):
            texts.append("изменено место в порядке выполнения")
        elif field == "documentation":
            texts.append("изменено описание")
        else:
            texts.append(f"изменено: {field}")
    return list(dict.fromkeys(texts))


class _Walk:
    """One impact walk; collects items, then ranks them."""

    def __init__(
        self, graph: DependencyGraph, diff: Diff, old: VersionFacts | None, new: VersionFacts
    ):
        self.graph, self.diff, self.old, self.new = graph, diff, old, new
        self.items: list[ImpactItem] = []
        self.roles: dict[str, None] = {}
        self.checkpoints: dict[tuple[str, str], str] = {}  # (process, cp) → why
        self.processes: dict[str, None] = {}
        self.documents: dict[str, tuple[str, str]] = {}  # node → (label, operation name)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.items.append(ImpactItem(*args, **kwargs))

    # --- operations and roles -------------------------------------------------------------

    def elements(self) -> list[tuple[str, OperationFact | None, OperationFact | None, Any]]:
        """(status, old fact, new fact, changes) of every changed flow node."""
        old, new = self.old, self.new
        found: list[tuple[str, OperationFact | None, OperationFact | None, Any]] = []

        def fact(facts: VersionFacts | None, element_id: str) -> OperationFact | None:
            return facts.node(element_id) if facts else None

        for element in self.diff.changed:
            if element.type != "sequenceFlow":
                found.append(
                    ("changed", fact(old, element.id), fact(new, element.id), element.changes)
                )
        for replacement in self.diff.replaced:
            if replacement.type != "sequenceFlow":
                found.append(
                    (
                        "changed",
                        fact(old, replacement.old_id),
                        fact(new, replacement.new_id),
                        replacement.changes,
                    )
                )
        for status, elements, facts in (
            ("added", self.diff.added, new),
            ("removed", self.diff.removed, old),
        ):
            for element in elements:
                op = fact(facts, element.id)
                if op is not None:
                    pair = (None, op) if status == "added" else (op, None)
                    found.append((status, *pair, ()))
        return found

    def operations(self) -> None:
        for status, before, after, changes in self.elements():
            current = after or before
            if current is None:
                continue
            self.processes[current.process_id] = None
            fields = {c.field: c for c in changes}
            for op in (before, after):
                for cp in op.checkpoints if op else ():
                    if status != "changed" or fields.keys() & {"deadline", "role", "checkpoint"}:
                        self.checkpoints[(op.process_id, cp)] = current.name or current.id
            for op in (before, after):
                for document in op.documents if op else ():
                    self.documents[document.node] = (
                        document.title or document.code,
                        current.name or current.id,
                    )
            if not is_operation(current.type):
                continue
            self._role_items(status, before, after, fields, changes)

    def _role_items(self, status, before, after, fields, changes) -> None:
        current = after or before
        name = quoted(current.name or current.id)
        old_role = before.role if before else None
        new_role = after.role if after else None
        details = _detail_texts(changes)
        if "deadline" in fields:
            details.insert(0, deadline_change_text(fields["deadline"].old, fields["deadline"].new))
        major = status != "changed" or bool(fields.keys() & _MAJOR_FIELDS)
        rank = RANK_ROLE_MAJOR if major else RANK_ROLE
        tail = f" — {'; '.join(details)}" if details else ""
        element_id = current.id
        if status == "added" and new_role:
            deadline = duration_text(after.deadline, after.deadline_calendar)
            text = f"новая операция {name} (срок {deadline})"
            self._role(rank, new_role, f"{text}{tail}", element_id, self.new)
        elif status == "removed" and old_role:
            self._role(rank, old_role, f"операция {name} исключена", element_id, self.old)
        elif old_role != new_role:
            if new_role:
                was = _role_label(old_role, self.old, self.graph) if old_role else "без роли"
                text = f"операция {name} передана от роли {was}{tail}"
                self._role(RANK_ROLE_MAJOR, new_role, text, element_id, self.new)
            if old_role:
                now = _role_label(new_role, self.new, self.graph) if new_role else "без роли"
                text = f"операция {name} передана роли {now}"
                self._role(RANK_ROLE_MAJOR, old_role, text, element_id, self.old)
        elif new_role and details:
            self._role(rank, new_role, f"операция {name}{tail}", element_id, self.new)

    def _role(self, rank, code, text, element_id, facts) -> None:
        self.roles[code] = None
        label = _role_label(code, facts, self.graph)
        self.add(rank, "role", role_node(code), label, f"роль {label}: {text}", code, element_id)

    # --- documents, indicators, checkpoints ----------------------------------------------

    def documents_touched(self) -> None:
        for node, (title, operation) in sorted(self.documents.items()):
            users = self.graph.predecessors(node, "uses")
            others = [u for u in users if self.graph.standard_of(u) != self.new.standard_key]
            text = f"документ {quoted(title)}: используется в изменённой операции «{operation}»"
            if others:
                text += f"; используется также в операциях других стандартов: {len(others)}"
            self.add(RANK_DOCUMENT, "document", node, title, text)

    def measures(self) -> None:
        reported: set[str] = set()
        for process in self.diff.processes:
            self.processes[process.id] = None
            for status, elements in (
                ("changed", process.changed),
                ("added", process.added),
                ("removed", process.removed),
            ):
                for element in elements:
                    self._process_item(process.id, status, element, reported)
        for (process_id, cp), operation in self.checkpoints.items():
            node = checkpoint_node(process_id, cp)
            label = self._checkpoint_label(process_id, cp)
            self.add(
                RANK_MEASURE,
                "checkpoint",
                node,
                label,
                f"контрольная точка {quoted(label)}: изменён шаг «{operation}», "
                "на котором она отмечается",
                element_id=cp,
            )
            for indicator in self._indicators_measuring(process_id, cp):
                if indicator in reported:
                    continue
                reported.add(indicator)
                name = self.graph.label(indicator)
                self.add(
                    RANK_MEASURE,
                    "indicator",
                    indicator,
                    name,
                    f"показатель {quoted(name)}: измеряет контрольную точку {quoted(label)}, "
                    "шаг которой изменился — значения до и после перехода несопоставимы",
                    element_id=indicator.rsplit("/", 1)[-1],
                )

    def _checkpoint_label(self, process_id: str, cp: str) -> str:
        for facts in (self.new, self.old):
            for item in facts.checkpoints if facts else ():
                if item.id == cp and item.process_id == process_id:
                    return item.name or cp
        return cp

    def _indicators_measuring(self, process_id: str, cp: str) -> list[str]:
        found = dict.fromkeys(self.graph.predecessors(checkpoint_node(process_id, cp), "measures"))
        for indicator in self.new.indicators:
            if indicator.process_id == process_id and cp in indicator.checkpoints:
                found[indicator_node(process_id, indicator.id)] = None
        return sorted(found)

    def _process_item(self, process_id: str, status: str, element: ElementDiff, reported) -> None:
        name = element.name or element.id
        if element.type == "indicator":
            node = indicator_node(process_id, element.id)
            reported.add(node)
            what = {
                "added": "новый показатель",
                "removed": "показатель исключён",
                "changed": indicator_change_text(list(element.changes)),
            }[status]
            text = f"показатель {quoted(name)}: {what}"
            self.add(RANK_MEASURE, "indicator", node, name, text, element_id=element.id)
        elif element.type == "deadline":
            change = next((c for c in element.changes if c.field == "duration"), None)
            if status == "changed" and change is not None:
                what = deadline_change_text(
                    {"duration": change.old, "calendar": "working"},
                    {"duration": change.new, "calendar": "working"},
                )
            else:
                what = {"added": "новый норматив", "removed": "норматив исключён"}.get(
                    status, "изменён"
                )
            text = f"норматив {quoted(name)}: {what}"
            node = f"deadline:{process_id}/{element.id}"
            self.add(RANK_MEASURE, "deadline", node, name, text, element_id=element.id)

    # --- callers and regions -------------------------------------------------------------

    def callers(self) -> dict[str, list[str]]:
        """Caller standards → why; adds caller items."""
        affected: dict[str, list[str]] = {}
        key = self.new.standard_key
        for process_id in self.processes:
            changed = self.graph.label(process_node(process_id))
            for caller, chain in self.graph.callers(process_id):
                owner = self.graph.standard_of(caller)
                if owner == key:
                    continue
                via = ""
                if len(chain) > 2:
                    via = " через " + " → ".join(quoted(self.graph.label(p)) for p in chain[1:-1])
                label = self.graph.label(caller)
                text = (
                    f"процесс {quoted(label)} ({owner}) вызывает изменённый процесс "
                    f"{quoted(changed)}{via}"
                )
                self.add(RANK_CALLER, "caller", caller, label, text)
                if owner:
                    affected.setdefault(owner, []).append(label)
            for main in self.graph.successors(process_node(process_id), "supports"):
                owner = self.graph.standard_of(main)
                if owner == key or main in self.processes:
                    continue
                label = self.graph.label(main)
                text = (
                    f"основной процесс {quoted(label)} ({owner}) опирается на изменённый "
                    f"обеспечивающий процесс {quoted(changed)}"
                )
                self.add(RANK_CALLER, "caller", main, label, text)
        return affected

    def regions(self, callers: dict[str, list[str]]) -> None:
        per_region: dict[str, list[str]] = {}
        key = self.new.standard_key
        for region in self.graph.regions_running(key):
            running = self.graph.in_force(key)
            per_region.setdefault(region, []).append(
                f"работает по {running.label if running else key}, нужно перейти на "
                f"v{self.new.number}"
            )
        for caller_key in sorted(callers):
            facts = self.graph.in_force(caller_key)
            for region in self.graph.regions_running(caller_key):
                per_region.setdefault(region, []).append(
                    f"работает по {facts.label if facts else caller_key}, который вызывает "
                    "изменённый процесс"
                )
        for region, reasons in sorted(per_region.items()):
            label = self.graph.label(region)
            text = f"регион {quoted(label)}: " + "; ".join(reasons)
            self.add(RANK_REGION, "region", region, label, text)


def walk_impact(
    graph: DependencyGraph, diff: Diff, *, old: VersionFacts | None, new: VersionFacts
) -> ImpactReport:
    """The impact of `new` replacing `old` (the version in force, None for a first version)."""
    walk = _Walk(graph, diff, old, new)
    walk.operations()
    walk.documents_touched()
    walk.measures()
    callers = walk.callers()
    walk.regions(callers)
    items = sorted(walk.items, key=lambda i: (i.rank, i.kind, i.role or "", i.text))
    unique = tuple(dict.fromkeys(items))
    return ImpactReport(
        new.standard_key,
        old.number if old else None,
        new.number,
        unique,
        tuple(walk.roles),
        tuple(diff.summary()),
    )

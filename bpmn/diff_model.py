"""The result of a semantic diff: changes, elements, replacements, process and layout changes.

All frozen dataclasses with ``to_dict()`` (JSON-serialisable); computed by :func:`bpmn.diff.diff`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from bpmn.diff_summary import summary_lines
from bpmn.model import Duration


@dataclass(frozen=True, slots=True)
class Change:
    """One attribute that differs: ``field`` with its old and new (JSON-ready) values."""

    field: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class ElementDiff:
    """An element added, removed or changed; ``changes`` is empty for added/removed ones."""

    id: str
    type: str
    name: str | None
    process_id: str | None = None
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "process_id": self.process_id,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True, slots=True)
class Replacement:
    """An element likely deleted and redrawn: same type and name, new id, near the old place."""

    old_id: str
    new_id: str
    type: str
    name: str | None
    distance: float | None = None
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict:
        return {
            "old_id": self.old_id,
            "new_id": self.new_id,
            "type": self.type,
            "name": self.name,
            "distance": self.distance,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True, slots=True)
class ProcessDiff:
    """Process-level changes: attributes, indicators, stage deadlines, lanes and their roles."""

    id: str
    name: str | None
    status: str  # "added" | "removed" | "changed"
    changes: tuple[Change, ...] = ()
    added: tuple[ElementDiff, ...] = ()
    removed: tuple[ElementDiff, ...] = ()
    changed: tuple[ElementDiff, ...] = ()

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "changes": [c.to_dict() for c in self.changes],
            "added": [e.to_dict() for e in self.added],
            "removed": [e.to_dict() for e in self.removed],
            "changed": [e.to_dict() for e in self.changed],
        }


@dataclass(frozen=True, slots=True)
class LayoutChange:
    """A layout-only change of a shape (``moved``/``resized``) or an edge (``rerouted``)."""

    id: str
    kind: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class Diff:
    """The semantic difference between two versions; ``layout`` is kept apart."""

    added: tuple[ElementDiff, ...] = ()
    removed: tuple[ElementDiff, ...] = ()
    changed: tuple[ElementDiff, ...] = ()
    replaced: tuple[Replacement, ...] = ()
    processes: tuple[ProcessDiff, ...] = ()
    layout: tuple[LayoutChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when nothing semantic differs (layout changes do not count)."""
        return not (self.added or self.removed or self.changed or self.replaced or self.processes)

    def to_dict(self) -> dict:
        """A JSON-serialisable dict of the whole diff."""
        return {
            "is_empty": self.is_empty,
            "added": [e.to_dict() for e in self.added],
            "removed": [e.to_dict() for e in self.removed],
            "changed": [e.to_dict() for e in self.changed],
            "replaced": [r.to_dict() for r in self.replaced],
            "processes": [p.to_dict() for p in self.processes],
            "layout": [chg.to_dict() for chg in self.layout],
        }

    def summary(self) -> list[str]:
        """Short human-readable lines (Russian) describing the semantic changes."""
        return summary_lines(self)


def plain(value: Any) -> Any:
    """A JSON-ready copy of a model value: dataclasses as dicts without lines, durations as ISO."""
    if isinstance(value, Duration):
        return value.iso()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("line", "node_id", "process_id")
        }
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


#: free-text fields: whitespace and empty-vs-absent differences are tool noise
_TEXT_FIELDS = frozenset({"name", "documentation", "result", "condition"})


def normalized_text(value: str | None) -> str | None:
    """``value`` with runs of whitespace collapsed; None when empty."""
    return " ".join(value.split()) or None if value is not None else None


def compare(changes: list[Change], field: str, old: Any, new: Any) -> None:
    """Append a Change to ``changes`` when ``old`` and ``new`` differ meaningfully."""
    if field in _TEXT_FIELDS and (old is None or isinstance(old, str)):
        if normalized_text(old) != normalized_text(new):
            changes.append(Change(field, old, new))
    elif old != new:
        changes.append(Change(field, plain(old), plain(new)))


def fields_changes(old: Any, new: Any, fields: tuple[str, ...]) -> tuple[Change, ...]:
    """Changes of the named attributes between two model objects."""
    changes: list[Change] = []
    for name in fields:
        compare(changes, name, getattr(old, name), getattr(new, name))
    return tuple(changes)


def deadline_changes(old: Any, new: Any) -> tuple[Change, ...]:
    """Changes between two deadlines; the raw text counts only when it could not be parsed."""
    fields = ("name", "from_checkpoint", "to_checkpoint", "duration", "calendar")
    if old.duration is None or new.duration is None:
        fields += ("raw",)
    return fields_changes(old, new, fields)

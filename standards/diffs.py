"""Diffs between two versions of a standard: the semantic diff, and the newer diagram drawn
with added / changed / replaced overlays (removed elements are listed)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bpmn.diff import Diff, diff
from bpmn.render import Overlay, render_svg
from engine.access import Actor
from models import Standard
from standards.registry import get_version, load_version_document

ADDED = Overlay(fill="#d7f5dd", stroke="#1e8e3e", badge="+", title="добавлено")
CHANGED = Overlay(fill="#fff1c2", stroke="#e37400", badge="~", title="изменено")
REPLACED = Overlay(fill="#dbe9ff", stroke="#1a56db", badge="⇄", title="заменено")


@dataclass(frozen=True)
class VersionDiff:
    standard_key: str
    old_number: int
    new_number: int
    diff: Diff

    def to_dict(self) -> dict:
        return {
            "standard": self.standard_key,
            "from": self.old_number,
            "to": self.new_number,
            **self.diff.to_dict(),
            "summary": self.diff.summary(),
        }


def diff_overlays(result: Diff) -> dict[str, Overlay]:
    """Overlays for the newer diagram: what was added, changed, or redrawn under a new id."""
    overlays: dict[str, Overlay] = {}
    for item in result.changed:
        overlays[item.id] = CHANGED
    for replacement in result.replaced:
        overlays[replacement.new_id] = REPLACED
    for item in result.added:
        overlays[item.id] = ADDED
    return overlays


def diff_versions(
    session: Session, actor: Actor, standard: Standard, old: int, new: int
) -> VersionDiff:
    old_version = get_version(session, actor, standard, old)
    new_version = get_version(session, actor, standard, new)
    result = diff(
        load_version_document(session, old_version), load_version_document(session, new_version)
    )
    return VersionDiff(standard.key, old, new, result)


def diff_svg(session: Session, actor: Actor, standard: Standard, old: int, new: int) -> str:
    """The newer version's diagram with the diff drawn on it."""
    result = diff_versions(session, actor, standard, old, new)
    new_version = get_version(session, actor, standard, new)
    document = load_version_document(session, new_version)
    return render_svg(document, overlays=diff_overlays(result.diff))

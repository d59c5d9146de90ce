"""Diffs between two versions of a standard: the semantic diff, and the newer diagram drawn
with the diff on it (bpmn.render.diff_view)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bpmn.diff import Diff, diff
from bpmn.render.diff_view import DiffPicture, render_diff
from engine.access import Actor
from models import Standard
from standards.registry import get_version, load_version_document


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


def diff_versions(
    session: Session, actor: Actor, standard: Standard, old: int, new: int
) -> VersionDiff:
    old_version = get_version(session, actor, standard, old)
    new_version = get_version(session, actor, standard, new)
    result = diff(
        load_version_document(session, old_version), load_version_document(session, new_version)
    )
    return VersionDiff(standard.key, old, new, result)


def diff_picture(
    session: Session, actor: Actor, standard: Standard, old: int, new: int
) -> DiffPicture:
    """The newer version's diagram with the diff drawn on it, removed elements included."""
    old_document = load_version_document(session, get_version(session, actor, standard, old))
    new_document = load_version_document(session, get_version(session, actor, standard, new))
    return render_diff(old_document, new_document)

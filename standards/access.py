"""Who may do what in the registry. Roles are checked against the scope of the standard's
owning unit; published material is readable by every authenticated actor."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from engine.access import Actor, in_scope, require_unit
from engine.errors import NotFound
from models import Role, Standard, StandardVersion, Unit, VersionStatus

AUTHORS = (Role.methodologist,)
REVIEWERS = (Role.methodologist, Role.approver, Role.administrator, Role.auditor)
PUBLISHERS = (Role.approver,)
PUBLIC_STATUSES = (VersionStatus.published, VersionStatus.superseded, VersionStatus.withdrawn)


def can_see_drafts(actor: Actor, standard: Standard) -> bool:
    return actor.reaches(standard.owning_unit.path, *REVIEWERS)


def require_author(actor: Actor, standard: Standard) -> None:
    require_unit(actor, standard.owning_unit, *AUTHORS, what="Standard")


def require_publisher(actor: Actor, standard: Standard) -> None:
    require_unit(actor, standard.owning_unit, *PUBLISHERS, what="Standard")


def require_visible(actor: Actor, standard: Standard | None, version: StandardVersion | None):
    """404 unless the actor may read this version (or the standard, when version is None)."""
    if standard is None:
        raise NotFound("Standard not found.")
    if can_see_drafts(actor, standard):
        return
    if version is None:
        if any(v.status in PUBLIC_STATUSES for v in standard.versions):
            return
        raise NotFound("Standard not found.")
    if version.status not in PUBLIC_STATUSES:
        raise NotFound(f"Version {version.number} of {standard.key} not found.")


def visible_standards_clause(actor: Actor) -> ColumnElement[bool]:
    """Standards the actor may list: in a reviewer's scope, or with something published."""
    unit_path = select(Unit.path).where(Unit.id == Standard.owning_unit_id).scalar_subquery()
    published = (
        select(StandardVersion.id)
        .where(
            StandardVersion.standard_id == Standard.id,
            StandardVersion.status.in_(PUBLIC_STATUSES),
        )
        .exists()
    )
    return or_(in_scope(actor, unit_path, *REVIEWERS), published)

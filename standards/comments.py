"""Comments on versions and on elements of their diagrams."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.loading import load_document
from engine import audit
from engine.access import Actor, require_role
from engine.errors import Invalid
from models import StandardVersion, VersionComment
from standards.access import REVIEWERS, require_visible


def add_comment(
    session: Session,
    actor: Actor,
    version: StandardVersion,
    *,
    body: str,
    element_id: str | None = None,
) -> VersionComment:
    """Comment on a version (or one of its elements); reviewers of the registry may."""
    require_role(actor, *REVIEWERS)
    require_visible(actor, version.standard, version)
    if not body.strip():
        raise Invalid("A comment needs text.", {"body": ["empty"]})
    if element_id is not None and not _has_element(version, element_id):
        raise Invalid(
            f"{version.label} has no element {element_id!r}.", {"element_id": ["unknown"]}
        )
    comment = VersionComment(
        version_id=version.id,
        element_id=element_id,
        body=body.strip(),
        author_id=actor.person_id,
    )
    session.add(comment)
    audit.record(
        session,
        actor,
        "version.comment",
        comment,
        unit_id=version.standard.owning_unit_id,
        key=version.standard.key,
        number=version.number,
        element_id=element_id,
    )
    return comment


def _has_element(version: StandardVersion, element_id: str) -> bool:
    return load_document(version.bpmn, source=version.label).element(element_id) is not None


def list_comments(session: Session, actor: Actor, version: StandardVersion):
    require_visible(actor, version.standard, version)
    return session.scalars(
        select(VersionComment)
        .where(VersionComment.version_id == version.id)
        .order_by(VersionComment.id)
    ).all()

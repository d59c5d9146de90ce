"""A standard's whole history, from the audit log: its own entries and those of its versions,
comments and approval decisions."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.access import READERS_OF_AUDIT, Actor, require_unit
from models import ApprovalDecision, AuditEntry, Standard, StandardVersion, VersionComment


def standard_history(session: Session, actor: Actor, standard: Standard) -> list[AuditEntry]:
    """Every audit entry about the standard, oldest first (administrators and auditors in the
    scope of its owning unit)."""
    require_unit(actor, standard.owning_unit, *READERS_OF_AUDIT, what="Standard")
    version_ids = select(StandardVersion.id).where(StandardVersion.standard_id == standard.id)
    related = {
        "Standard": [standard.id],
        "StandardVersion": list(session.scalars(version_ids)),
        "VersionComment": list(
            session.scalars(
                select(VersionComment.id).where(VersionComment.version_id.in_(version_ids))
            )
        ),
        "ApprovalDecision": list(
            session.scalars(
                select(ApprovalDecision.id).where(ApprovalDecision.version_id.in_(version_ids))
            )
        ),
    }
    clauses = [
        and_(AuditEntry.object_type == kind, AuditEntry.object_id.in_([str(i) for i in ids]))
        for kind, ids in related.items()
        if ids
    ]
    return list(session.scalars(select(AuditEntry).where(or_(*clauses)).order_by(AuditEntry.id)))

"""Moving running instances of a standard to a newer version of it, in bulk.

A dry run tells, per instance, whether it can move and why not; applying moves those that
can and leaves the others on their version. Every instance is checked on its own restored
workflow with SpiffWorkflow's diff (see :func:`engine.spiff.migration_problems`).
Administrators and methodologists move the instances in their scope.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor, in_scope, require_role
from engine.calendar_store import working_calendar
from engine.errors import Invalid
from engine.runtime import (
    resolve_supporting,
    restore_instance_workflow,
    runnable_of,
    save_instance_progress,
)
from engine.spiff import migrate, migration_problems
from models import InstanceStatus, ProcessInstance, Role, StandardVersion, Unit, VersionStatus

logger = logging.getLogger(__name__)

MIGRATORS = (Role.administrator, Role.methodologist)


@dataclass(frozen=True)
class InstanceMove:
    """One instance: whether it can move (or moved) and why not."""

    instance_id: int
    can_move: bool
    moved: bool = False
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form."""
        return {
            "instance_id": self.instance_id,
            "can_move": self.can_move,
            "moved": self.moved,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class MigrationReport:
    """The outcome of a bulk migration (or of its dry run)."""

    from_version_id: int
    to_version_id: int
    dry_run: bool
    instances: tuple[InstanceMove, ...] = field(default_factory=tuple)

    @property
    def movable(self) -> int:
        return sum(1 for i in self.instances if i.can_move)

    @property
    def moved(self) -> int:
        return sum(1 for i in self.instances if i.moved)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form."""
        return {
            "from_version_id": self.from_version_id,
            "to_version_id": self.to_version_id,
            "dry_run": self.dry_run,
            "total": len(self.instances),
            "movable": self.movable,
            "moved": self.moved,
            "instances": [i.to_dict() for i in self.instances],
        }


def migrate_instances(
    session: Session,
    actor: Actor,
    source: StandardVersion,
    target: StandardVersion,
    *,
    dry_run: bool = True,
) -> MigrationReport:
    """Check (``dry_run``) or move the running instances of ``source`` in the actor's scope
    to ``target``, a newer published version of the same standard."""
    require_role(actor, *MIGRATORS)
    if target.standard_id != source.standard_id:
        raise Invalid(
            "Instances move only between versions of the same standard.",
            {"to_version_id": ["belongs to another standard"]},
        )
    if target.number <= source.number:
        raise Invalid("Instances move only to a newer version.", {"to_version_id": ["not newer"]})
    if target.status != VersionStatus.published:
        raise Invalid(f"{target.label} is not published.", {"to_version_id": ["not published"]})
    calendar = working_calendar(session)
    supporting = resolve_supporting(session, target)
    new = runnable_of(session, target, supporting)
    instances = session.scalars(
        select(ProcessInstance)
        .join(Unit, ProcessInstance.unit_id == Unit.id)
        .where(
            ProcessInstance.version_id == source.id,
            ProcessInstance.status == InstanceStatus.running,
            in_scope(actor, Unit.path, *MIGRATORS),
        )
        .order_by(ProcessInstance.id)
    ).all()
    moves = []
    for instance in instances:
        workflow, _ = restore_instance_workflow(session, instance, calendar)
        try:
            problems = migration_problems(workflow, new.parsed)
            if not problems:
                moved = migrate(workflow, new.parsed)
                moved.serialize()  # what cannot be saved cannot move
        except Exception as exc:  # Spiff's migration may refuse in ways of its own
            logger.info("instance %s cannot move: %s", instance.id, exc)
            problems = [f"the engine cannot move it: {exc}"]
        if problems or dry_run:
            moves.append(InstanceMove(instance.id, not problems, False, tuple(problems)))
            continue
        instance.version = target
        instance.supporting_version_ids = list(supporting)
        save_instance_progress(
            session, instance, moved, new, calendar=calendar, actor_login=actor.login
        )
        audit.record(
            session,
            actor,
            "instance.migrate",
            instance,
            unit_id=instance.unit_id,
            from_version=source.label,
            to_version=target.label,
        )
        moves.append(InstanceMove(instance.id, True, True))
    session.flush()
    report = MigrationReport(source.id, target.id, dry_run, tuple(moves))
    logger.info(
        "migration %s → %s%s: %d instances, %d movable, %d moved",
        source.label,
        target.label,
        " (dry run)" if dry_run else "",
        len(moves),
        report.movable,
        report.moved,
    )
    return report

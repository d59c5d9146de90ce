"""The impact report of a version of the registry: its semantic diff against the version it
replaces, walked over the process's dependency graph. Shown to reviewers with the version
under review and used to generate study assignments on publication."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.diff import diff
from bpmn.extract import extract
from bpmn.loading import BpmnDocument, load_document
from engine.access import Actor, require_unit
from models import Standard, StandardVersion, VersionStatus
from standards.access import REVIEWERS
from standards.graph_facts import facts_of
from standards.graph_store import current_graph, version_facts
from standards.impact import ImpactReport, walk_impact
from standards.registry import get_version, load_version_document, version_in_force

logger = logging.getLogger(__name__)

_WAS_IN_FORCE = (VersionStatus.published, VersionStatus.superseded)


def base_version(session: Session, version: StandardVersion) -> StandardVersion | None:
    """What `version` replaces: for a published one, the latest earlier version that was
    published; for one not yet published, the version in force today."""
    if version.status in _WAS_IN_FORCE:
        return session.scalars(
            select(StandardVersion)
            .where(
                StandardVersion.standard_id == version.standard_id,
                StandardVersion.number < version.number,
                StandardVersion.status.in_(_WAS_IN_FORCE),
            )
            .order_by(StandardVersion.number.desc())
            .limit(1)
        ).one_or_none()
    in_force = version_in_force(session, version.standard)
    return in_force if in_force is not None and in_force.id != version.id else None


def impact_of(session: Session, version: StandardVersion) -> ImpactReport:
    """The impact report of `version` (no authorisation: callers check)."""
    base = base_version(session, version)
    new_definitions = extract(load_version_document(session, version))
    standard = version.standard
    new = facts_of(standard.key, standard.title, version.number, new_definitions)
    graph = current_graph(session)
    if base is None:
        old = None
        result = diff(extract(_empty_document()), new_definitions)
    else:
        old = version_facts(session, base)
        result = diff(extract(load_version_document(session, base)), new_definitions)
    report = walk_impact(graph, result, old=old, new=new)
    logger.info(
        "impact of %s against %s: %d item(s), roles %s",
        version.label,
        base.label if base else "nothing",
        len(report.items),
        ", ".join(report.roles) or "none",
    )
    return report


def version_impact(session: Session, actor: Actor, standard: Standard, number: int) -> ImpactReport:
    """The impact report of version `number` (reviewers over the owning unit)."""
    require_unit(actor, standard.owning_unit, *REVIEWERS, what="Standard")
    return impact_of(session, get_version(session, actor, standard, number))


def _empty_document() -> BpmnDocument:
    return load_document(
        b'<?xml version="1.0"?><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        b' id="empty" targetNamespace="urn:etalon:empty"/>',
        source="(нет версии в силе)",
    )

"""Loading the sample library through the registry, as `etalon seed` does: every standard is
registered, every version uploaded; the first versions are approved and published as one
release, later versions stay drafts for people to review, diff and send through approval."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor
from engine.errors import Forbidden
from engine.org import unit_by_code
from models import (
    ReleaseStatus,
    Standard,
    StandardCategory,
    StandardKind,
    StandardVersion,
    VersionStatus,
    utcnow,
)
from standards import registry, releases
from standards.library import load_catalog

logger = logging.getLogger(__name__)

SAMPLE_RELEASE = "Библиотека образцов: первые редакции"
SAMPLE_EFFECTIVE_DATE = dt.date(2026, 1, 1)


@dataclass(frozen=True)
class LibrarySummary:
    standards_created: int
    versions_uploaded: int
    published: int

    def __str__(self) -> str:
        return (
            f"library: {self.standards_created} standards, {self.versions_uploaded} versions "
            f"uploaded, {self.published} published"
        )


def approve_as_system(session: Session, actor: Actor, version: StandardVersion) -> None:
    """Mark a version approved without a route: only the system actor (seeding) may."""
    if not actor.is_system:
        raise Forbidden("Only the system may approve without the approval route.")
    version.status = VersionStatus.approved
    version.approved_at = utcnow()
    version.approval_route = "seed"
    audit.record(
        session,
        actor,
        "version.approve",
        version,
        unit_id=version.standard.owning_unit_id,
        key=version.standard.key,
        number=version.number,
        route="seed",
    )


def load_sample_library(
    session: Session, actor: Actor, keys: set[str] | None = None
) -> LibrarySummary:
    """Register and upload the library (or the standards of `keys`); publish the first
    versions as one release. Running it again uploads nothing already there."""
    created = uploaded = 0
    first_versions: list[StandardVersion] = []
    for entry in load_catalog():
        if keys is not None and entry.key not in keys:
            continue
        standard = session.scalars(select(Standard).where(Standard.key == entry.key)).first()
        if standard is None:
            standard = registry.create_standard(
                session,
                actor,
                key=entry.key,
                title=entry.title,
                kind=StandardKind(entry.kind),
                category=StandardCategory(entry.category),
                service_code=entry.service_code,
                owning_unit=unit_by_code(session, entry.owning_unit),
                process_id=entry.process_id,
            )
            created += 1
        known = {v.number for v in standard.versions}
        for version_entry in sorted(entry.versions, key=lambda v: v.number):
            if version_entry.number in known:
                continue
            result = registry.upload_version(
                session,
                actor,
                standard,
                entry.path(version_entry.number).read_bytes(),
                note=version_entry.note,
            )
            session.flush()
            session.refresh(standard)
            uploaded += int(result.created)
            if version_entry.number == 1 and result.created:
                first_versions.append(result.version)
    if uploaded:
        # Standards reference each other (calls, supports): check again now all are there.
        for version in session.scalars(
            select(StandardVersion).where(StandardVersion.error_count > 0)
        ):
            registry.recheck_version(session, actor, version)
    published = 0
    unreleased = [v for v in first_versions if v.release_id is None]
    if unreleased:
        for version in unreleased:
            approve_as_system(session, actor, version)
        release = releases.create_release(
            session,
            actor,
            name=SAMPLE_RELEASE,
            effective_date=SAMPLE_EFFECTIVE_DATE,
            versions=unreleased,
        )
        releases.publish_release(session, actor, release)
        published = len(unreleased) if release.status == ReleaseStatus.published else 0
    summary = LibrarySummary(created, uploaded, published)
    logger.info("%s", summary)
    return summary

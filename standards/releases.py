"""Releases: approved versions of several standards published together, atomically, with one
effective date; withdrawal of a published version."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor, require_role
from engine.errors import Conflict, InvalidTransition, NotFound
from models import Release, ReleaseStatus, StandardVersion, VersionStatus, utcnow
from standards import publication
from standards.access import AUTHORS, PUBLISHERS, require_publisher, require_visible
from standards.registry import standards_by_process, version_in_force

logger = logging.getLogger(__name__)


def create_release(
    session: Session,
    actor: Actor,
    *,
    name: str,
    effective_date: dt.date,
    versions: Sequence[StandardVersion],
) -> Release:
    """Group versions (one per standard) into a release to be published together."""
    require_role(actor, *AUTHORS, *PUBLISHERS)
    if not versions:
        raise Conflict("A release needs at least one version.")
    seen: set[int] = set()
    for version in versions:
        require_visible(actor, version.standard, version)
        if version.standard_id in seen:
            raise Conflict(f"The release holds two versions of {version.standard.key}.")
        seen.add(version.standard_id)
        _require_unreleased(version)
    release = Release(name=name, effective_date=effective_date, created_by_id=actor.person_id)
    session.add(release)
    for version in versions:
        version.release = release
    audit.record(
        session,
        actor,
        "release.create",
        release,
        name=name,
        effective_date=effective_date,
        versions=[v.label for v in versions],
    )
    return release


def _require_unreleased(version: StandardVersion) -> None:
    if version.release_id is not None and version.release.status == ReleaseStatus.published:
        raise Conflict(f"{version.label} is already published in release {version.release_id}.")
    if version.status not in (VersionStatus.approved, VersionStatus.in_review, VersionStatus.draft):
        raise InvalidTransition(
            f"{version.label} is {version.status}; only versions not yet published can join "
            "a release.",
            allowed=[],
        )


def get_release(session: Session, actor: Actor, release_id: int) -> Release:
    release = session.get(Release, release_id)
    require_role(actor, *AUTHORS, *PUBLISHERS)
    if release is None:
        raise NotFound("Release not found.")
    for version in release.versions:
        require_visible(actor, version.standard, version)
    return release


def publish_release(session: Session, actor: Actor, release: Release) -> Release:
    """Publish every version of the release, or none: all must be approved, and every call
    activity must reach a process with a version in force on the effective date (or in this
    release). Earlier published versions are superseded on the effective date."""
    if release.status == ReleaseStatus.published:
        raise InvalidTransition("The release is published already.", allowed=[])
    for version in release.versions:
        require_publisher(actor, version.standard)
        if version.status != VersionStatus.approved:
            raise InvalidTransition(
                f"{version.label} is {version.status}; every version of a release must be "
                "approved before it is published.",
                allowed=["approved"],
                version=version.label,
            )
    _check_calls(session, release)
    now = utcnow()
    today = now.date()
    for version in release.versions:
        previous = version_in_force(session, version.standard, release.effective_date)
        version.status = VersionStatus.published
        version.published_at = now
        version.effective_from = release.effective_date
        if previous is not None and release.effective_date <= today:
            _supersede(previous, now)
        audit.record(
            session,
            actor,
            "version.publish",
            version,
            unit_id=version.standard.owning_unit_id,
            key=version.standard.key,
            number=version.number,
            effective_from=release.effective_date,
            release=release.id,
        )
    release.status = ReleaseStatus.published
    release.published_at = now
    audit.record(session, actor, "release.publish", release, name=release.name)
    publication.after_publication(session, actor, release, list(release.versions))
    logger.info("published release %s (%d versions)", release.id, len(release.versions))
    return release


def _check_calls(session: Session, release: Release) -> None:
    in_release = {v.standard.process_id for v in release.versions}
    missing: list[str] = []
    for version in release.versions:
        own = {p["id"] for p in version.summary.get("processes", [])}
        called = set(version.summary.get("called_processes", [])) - own - in_release
        providers = standards_by_process(session, called)
        for process_id in sorted(called):
            standard = providers.get(process_id)
            if (
                standard is None
                or version_in_force(session, standard, release.effective_date) is None
            ):
                missing.append(f"{version.label} calls {process_id}")
    if missing:
        raise Conflict(
            "Publication refused: call activities would point at processes with no version "
            "in force on the effective date: " + "; ".join(missing) + ".",
            missing=missing,
        )


def _supersede(version: StandardVersion, now: dt.datetime) -> None:
    version.status = VersionStatus.superseded
    version.ended_at = now


def apply_effective_dates(session: Session, today: dt.date | None = None) -> int:
    """Supersede published versions whose successor has become effective (run by the worker;
    `version_in_force` is right without it, this keeps statuses honest)."""
    today = today or dt.date.today()
    published = session.scalars(
        select(StandardVersion)
        .where(StandardVersion.status == VersionStatus.published)
        .order_by(StandardVersion.standard_id, StandardVersion.effective_from)
    ).all()
    changed = 0
    by_standard: dict[int, list[StandardVersion]] = {}
    for version in published:
        by_standard.setdefault(version.standard_id, []).append(version)
    now = utcnow()
    for versions in by_standard.values():
        effective = [v for v in versions if v.effective_from and v.effective_from <= today]
        for older in effective[:-1]:
            _supersede(older, now)
            changed += 1
    return changed


def withdraw_version(
    session: Session, actor: Actor, version: StandardVersion, *, reason: str
) -> StandardVersion:
    """Take a published version out of force (approvers)."""
    require_publisher(actor, version.standard)
    if version.status != VersionStatus.published:
        raise InvalidTransition(
            f"{version.label} is {version.status}; only a published version can be withdrawn.",
            allowed=[],
        )
    version.status = VersionStatus.withdrawn
    version.ended_at = utcnow()
    audit.record(
        session,
        actor,
        "version.withdraw",
        version,
        unit_id=version.standard.owning_unit_id,
        key=version.standard.key,
        number=version.number,
        reason=reason,
    )
    publication.after_withdrawal(session, actor, version)
    return version

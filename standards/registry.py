"""Standards and their versions: create, upload (validated on arrival), replace a draft,
read, find the version in force on a date."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bpmn.errors import Problem
from bpmn.extract import extract
from bpmn.loading import BpmnDocument, Limits, load_document
from bpmn.validation import ValidationReport, validate
from engine import audit
from engine.access import Actor, require_role, require_unit
from engine.errors import Conflict, Invalid, NotFound
from models import (
    Role,
    Standard,
    StandardCategory,
    StandardKind,
    StandardVersion,
    Unit,
    VersionStatus,
)
from standards.access import (
    AUTHORS,
    require_author,
    require_visible,
    visible_standards_clause,
)
from standards.manifest import build_manifest

logger = logging.getLogger(__name__)

KEY = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$")
IN_FORCE = (VersionStatus.published, VersionStatus.superseded)


@dataclass(frozen=True)
class StandardFilter:
    kind: StandardKind | None = None
    category: StandardCategory | None = None
    status: VersionStatus | None = None  # standards having a version in this status
    service_code: str | None = None
    owning_unit_id: int | None = None
    text: str | None = None  # in key or title


def create_standard(
    session: Session,
    actor: Actor,
    *,
    key: str,
    title: str,
    kind: StandardKind,
    category: StandardCategory = StandardCategory.main,
    service_code: str | None = None,
    owning_unit: Unit,
    process_id: str | None = None,
) -> Standard:
    """Register a new standard (methodologists, in the scope of the owning unit)."""
    require_unit(actor, owning_unit, *AUTHORS)
    if not KEY.match(key):
        raise Invalid(
            f"{key!r} is not a standard key: dotted lower-case words, e.g. "
            "employment.job-seeker-registration.",
            {"key": ["invalid"]},
        )
    if session.scalars(select(Standard.id).where(Standard.key == key)).first():
        raise Conflict(f"A standard with key {key!r} exists already.", key=key)
    standard = Standard(
        key=key,
        title=title,
        kind=kind,
        category=category,
        service_code=service_code,
        owning_unit=owning_unit,
        process_id=process_id,
        created_by_id=actor.person_id,
    )
    session.add(standard)
    audit.record(session, actor, "standard.create", standard, unit_id=owning_unit.id, key=key)
    return standard


def update_standard(session: Session, actor: Actor, standard: Standard, **changes: Any) -> Standard:
    """Change title, service code or category (methodologists); `trusted` (administrators)."""
    if "trusted" in changes:
        require_unit(actor, standard.owning_unit, Role.administrator, what="Standard")
    if changes.keys() - {"trusted"}:
        require_author(actor, standard)
    applied = {}
    for name, value in changes.items():
        if value is not None and getattr(standard, name) != value:
            applied[name] = [getattr(standard, name), value]
            setattr(standard, name, value)
    if applied:
        audit.record(
            session,
            actor,
            "standard.update",
            standard,
            unit_id=standard.owning_unit_id,
            key=standard.key,
            **applied,
        )
    return standard


def get_standard(session: Session, actor: Actor, key: str) -> Standard:
    standard = session.scalars(select(Standard).where(Standard.key == key)).one_or_none()
    require_role(actor, *Role)
    require_visible(actor, standard, None)
    return standard  # type: ignore[return-value]


def visible_standards(actor: Actor, filters: StandardFilter) -> Select[tuple[Standard]]:
    query = select(Standard).where(visible_standards_clause(actor)).order_by(Standard.key)
    for column, value in (
        (Standard.kind, filters.kind),
        (Standard.category, filters.category),
        (Standard.service_code, filters.service_code),
        (Standard.owning_unit_id, filters.owning_unit_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.status is not None:
        query = query.where(
            select(StandardVersion.id)
            .where(
                StandardVersion.standard_id == Standard.id,
                StandardVersion.status == filters.status,
            )
            .exists()
        )
    if filters.text:
        pattern = f"%{filters.text.lower()}%"
        query = query.where(
            func.lower(Standard.key).like(pattern) | func.lower(Standard.title).like(pattern)
        )
    return query


def get_version(session: Session, actor: Actor, standard: Standard, number: int):
    version = session.scalars(
        select(StandardVersion).where(
            StandardVersion.standard_id == standard.id, StandardVersion.number == number
        )
    ).one_or_none()
    if version is None:
        raise NotFound(f"Version {number} of {standard.key} not found.")
    require_visible(actor, standard, version)
    return version


def visible_versions(actor: Actor, standard: Standard) -> list[StandardVersion]:
    return [v for v in standard.versions if _readable(actor, standard, v)]


def _readable(actor: Actor, standard: Standard, version: StandardVersion) -> bool:
    try:
        require_visible(actor, standard, version)
    except NotFound:
        return False
    return True


def version_in_force(
    session: Session, standard: Standard, on: dt.date | None = None
) -> StandardVersion | None:
    """The published version with the latest effective date not after `on` (today)."""
    on = on or dt.date.today()
    return session.scalars(
        select(StandardVersion)
        .where(
            StandardVersion.standard_id == standard.id,
            StandardVersion.status.in_(IN_FORCE),
            StandardVersion.effective_from <= on,
        )
        .order_by(StandardVersion.effective_from.desc(), StandardVersion.number.desc())
        .limit(1)
    ).one_or_none()


def standards_by_process(session: Session, process_ids: set[str]) -> dict[str, Standard]:
    if not process_ids:
        return {}
    rows = session.scalars(select(Standard).where(Standard.process_id.in_(process_ids)))
    return {s.process_id: s for s in rows if s.process_id}


def referenced_documents(session: Session, process_ids: set[str]) -> list[BpmnDocument]:
    """Documents defining `process_ids`, for validating references at upload: each standard's
    version in force, else its latest version (publication later insists on versions in
    force)."""
    documents = []
    for standard in standards_by_process(session, process_ids).values():
        version = version_in_force(session, standard) or next(
            (v for v in reversed(standard.versions) if v.status != VersionStatus.withdrawn),
            None,
        )
        if version is not None:
            documents.append(load_document(version.bpmn, source=version.label))
    return documents


@dataclass(frozen=True)
class UploadResult:
    version: StandardVersion
    created: bool
    report: ValidationReport | None


def _check(
    session: Session, standard: Standard, data: bytes, limits: Limits
) -> tuple[BpmnDocument, ValidationReport, dict[str, Any]]:
    """Load (raises BpmnError: nothing is stored), validate against what is in force, and
    build the manifest."""
    document = load_document(data, source=f"{standard.key} (upload)", limits=limits)
    definitions = extract(document)
    own = {p.id for p in definitions.processes}
    supported = {s.process for p in definitions.processes for s in p.supports if s.process}
    others = referenced_documents(session, (set(definitions.called_processes) | supported) - own)
    report = validate(document, others=others, trusted=standard.trusted)
    extra: list[Problem] = []
    if standard.process_id and standard.process_id not in own:
        extra.append(
            Problem(
                "standard.process_missing",
                "error",
                f"The standard {standard.key} is the process {standard.process_id!r}, which "
                f"this file does not contain (it has: {', '.join(sorted(own)) or 'none'}).",
            )
        )
    if extra:
        report = ValidationReport(tuple(extra) + report.problems)
    return document, report, build_manifest(definitions)


def upload_version(
    session: Session,
    actor: Actor,
    standard: Standard,
    data: bytes,
    *,
    note: str = "",
    limits: Limits = Limits(),
) -> UploadResult:
    """Store `data` as the next draft version. Bytes identical to the latest version create
    nothing; a file that cannot be loaded raises `BpmnError`; one with validation errors is
    kept as a draft that cannot be submitted."""
    require_author(actor, standard)
    digest = hashlib.sha256(data).hexdigest()
    latest = standard.versions[-1] if standard.versions else None
    if latest is not None and latest.sha256 == digest:
        return UploadResult(latest, False, None)
    _, report, manifest = _check(session, standard, data, limits)
    if standard.process_id is None and manifest["processes"]:
        executable = [p["id"] for p in manifest["processes"] if p["executable"]]
        standard.process_id = (executable or [manifest["processes"][0]["id"]])[0]
    version = StandardVersion(
        standard=standard,
        number=(latest.number + 1) if latest else 1,
        status=VersionStatus.draft,
        author_id=actor.person_id,
        note=note,
    )
    _store(version, data, digest, report, manifest)
    session.add(version)
    audit.record(
        session,
        actor,
        "version.upload",
        version,
        unit_id=standard.owning_unit_id,
        key=standard.key,
        number=version.number,
        errors=version.error_count,
        warnings=version.warning_count,
    )
    return UploadResult(version, True, report)


def replace_draft(
    session: Session,
    actor: Actor,
    version: StandardVersion,
    data: bytes,
    *,
    limits: Limits = Limits(),
) -> UploadResult:
    """Replace the bytes of a draft (fixing it in place). Anything past draft is immutable."""
    standard = version.standard
    require_author(actor, standard)
    require_draft(version)
    digest = hashlib.sha256(data).hexdigest()
    if digest == version.sha256:
        return UploadResult(version, False, None)
    _, report, manifest = _check(session, standard, data, limits)
    _store(version, data, digest, report, manifest)
    audit.record(
        session,
        actor,
        "version.replace",
        version,
        unit_id=standard.owning_unit_id,
        key=standard.key,
        number=version.number,
        errors=version.error_count,
    )
    return UploadResult(version, True, report)


def recheck_version(session: Session, actor: Actor, version: StandardVersion) -> StandardVersion:
    """Validate a version again against what the registry holds now (e.g. once the supporting
    process it calls has been uploaded). Only the problems change, never the content."""
    require_author(actor, version.standard)
    _, report, manifest = _check(session, version.standard, _bytes(session, version), Limits())
    _store_findings(version, report, manifest)
    audit.record(
        session,
        actor,
        "version.recheck",
        version,
        unit_id=version.standard.owning_unit_id,
        key=version.standard.key,
        number=version.number,
        errors=version.error_count,
    )
    return version


def require_draft(version: StandardVersion) -> None:
    if version.status != VersionStatus.draft:
        raise Conflict(
            f"{version.label} is {version.status} and can no longer change; upload a new "
            "version instead.",
            status=str(version.status),
        )


def _store(version, data, digest, report: ValidationReport, manifest) -> None:
    version.bpmn = data
    version.sha256 = digest
    version.size = len(data)
    _store_findings(version, report, manifest)


def _store_findings(version, report: ValidationReport, manifest) -> None:
    version.summary = manifest
    version.problems = [p.to_dict() for p in report.problems]
    version.error_count = len(report.errors)
    version.warning_count = len(report.warnings)


def _bytes(session: Session, version: StandardVersion) -> bytes:
    return session.scalars(
        select(StandardVersion.bpmn).where(StandardVersion.id == version.id)
    ).one()


def load_version_document(session: Session, version: StandardVersion) -> BpmnDocument:
    return load_document(_bytes(session, version), source=version.label)

"""The knowledge base: technology cards, forms and documents attached to a version of a
standard, or to one element of it.

Attachments are versioned with their version: they can be added to and removed from drafts
only; once the version is submitted they are as immutable as the BPMN (409). A new draft starts
without attachments; `carry_over_attachments` copies those of an earlier version whose element
still exists in the new one (same bytes and hash, `carried_from_id` pointing back).
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.extract import extract
from engine import audit
from engine.access import Actor
from engine.errors import Conflict, Invalid, NotFound
from models import Attachment, AttachmentKind, StandardVersion, VersionStatus
from standards.access import require_author, require_visible
from standards.documents import DocumentTooLarge, extract_text, sniff
from standards.registry import load_version_document

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def _require_mutable(version: StandardVersion) -> None:
    if version.status != VersionStatus.draft:
        raise Conflict(
            f"{version.label} is {version.status}: its attachments are immutable; attach to "
            "a new draft.",
            status=str(version.status),
        )


def _element_ids(session: Session, version: StandardVersion) -> set[str]:
    definitions = extract(load_version_document(session, version))
    ids = {p.id for p in definitions.processes}
    for process in definitions.processes:
        ids.update(n.id for n in process.flow_nodes)
        ids.update(lane.id for lane in process.lanes)
    return ids


def attach_document(
    session: Session,
    actor: Actor,
    version: StandardVersion,
    *,
    filename: str,
    data: bytes,
    kind: AttachmentKind = AttachmentKind.document,
    title: str | None = None,
    element_id: str | None = None,
    ref: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Attachment:
    """Attach a file to a draft (methodologists). Refuses files above `max_bytes`
    (`DocumentTooLarge`), of a type not accepted or not matching their extension
    (`UnsupportedDocument`), and elements the version does not have (`Invalid`)."""
    require_author(actor, version.standard)
    _require_mutable(version)
    if len(data) > max_bytes:
        raise DocumentTooLarge(
            f"{filename!r} has {len(data)} bytes; attachments may have at most {max_bytes}.",
            size=len(data),
            limit=max_bytes,
        )
    if not data:
        raise Invalid("The file is empty.", {"file": ["empty"]})
    sniffed = sniff(filename, data)
    if element_id is not None and element_id not in _element_ids(session, version):
        raise Invalid(
            f"{version.label} has no element {element_id!r}.", {"element_id": ["unknown"]}
        )
    attachment = Attachment(
        version_id=version.id,
        element_id=element_id,
        kind=kind,
        ref=ref,
        title=title or filename.rsplit(".", 1)[0],
        filename=filename.replace("/", "_").replace("\\", "_")[:300],
        content_type=sniffed.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        text=extract_text(sniffed.content_type, data),
        created_by_id=actor.person_id,
    )
    session.add(attachment)
    audit.record(
        session,
        actor,
        "attachment.add",
        attachment,
        unit_id=version.standard.owning_unit_id,
        version=version.label,
        filename=attachment.filename,
        sha256=attachment.sha256,
    )
    return attachment


def list_attachments(session: Session, actor: Actor, version: StandardVersion) -> list[Attachment]:
    require_visible(actor, version.standard, version)
    return list(
        session.scalars(
            select(Attachment).where(Attachment.version_id == version.id).order_by(Attachment.id)
        )
    )


def get_attachment(
    session: Session, actor: Actor, version: StandardVersion, attachment_id: int
) -> Attachment:
    require_visible(actor, version.standard, version)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.version_id != version.id:
        raise NotFound("Attachment not found.")
    return attachment


def remove_attachment(session: Session, actor: Actor, attachment: Attachment) -> None:
    version = attachment.version
    require_author(actor, version.standard)
    _require_mutable(version)
    audit.record(
        session,
        actor,
        "attachment.remove",
        attachment,
        unit_id=version.standard.owning_unit_id,
        version=version.label,
        filename=attachment.filename,
    )
    session.delete(attachment)
    session.flush()


def carry_over_attachments(
    session: Session, actor: Actor, version: StandardVersion, source: StandardVersion
) -> list[Attachment]:
    """Copy into draft `version` the attachments of `source` (an earlier version of the same
    standard) whose element still exists; those already carried over are skipped."""
    require_author(actor, version.standard)
    _require_mutable(version)
    if source.standard_id != version.standard_id or source.number >= version.number:
        raise Invalid(
            "Attachments carry over from an earlier version of the same standard.",
            {"from": ["not an earlier version"]},
        )
    require_visible(actor, source.standard, source)
    elements = _element_ids(session, version)
    present = {(a.sha256, a.element_id) for a in list_attachments(session, actor, version)}
    copied = []
    for old in list_attachments(session, actor, source):
        if old.element_id is not None and old.element_id not in elements:
            continue
        if (old.sha256, old.element_id) in present:
            continue
        new = Attachment(
            version_id=version.id,
            element_id=old.element_id,
            kind=old.kind,
            ref=old.ref,
            title=old.title,
            filename=old.filename,
            content_type=old.content_type,
            size=old.size,
            sha256=old.sha256,
            content=old.content,
            text=old.text,
            carried_from_id=old.id,
            created_by_id=actor.person_id,
        )
        session.add(new)
        copied.append(new)
    session.flush()
    audit.record(
        session,
        actor,
        "attachment.carry_over",
        version,
        unit_id=version.standard.owning_unit_id,
        source=source.label,
        count=len(copied),
    )
    return copied

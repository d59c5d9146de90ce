"""The per-role view: everything a job role does across the standards in force — operations,
expected results, forms, step deadlines, technology cards and attached documents, checkpoints.
The page an employee opens to learn their job."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Actor
from engine.errors import NotFound
from models import Attachment, StandardVersion
from standards.distribution import in_force_query, require_reader
from standards.registry import standards_by_process
from standards.search import version_definitions

OPERATION_TYPES = ("Task", "callActivity", "subProcess", "transaction")


@dataclass(frozen=True)
class DocumentRef:
    attachment_id: int
    kind: str
    title: str
    filename: str
    content_type: str
    url: str


@dataclass(frozen=True)
class Operation:
    standard_key: str
    standard_title: str
    version: int
    process_id: str
    process_name: str | None
    node_id: str
    name: str | None
    type: str
    lane: str | None
    result: str | None
    documentation: str | None
    deadline: dict[str, Any] | None
    forms: tuple[dict[str, Any], ...]
    technology_cards: tuple[dict[str, Any], ...]
    checkpoints: tuple[dict[str, Any], ...]
    calls: str | None  # key of the standard a call activity calls
    documents: tuple[DocumentRef, ...]


@dataclass(frozen=True)
class RoleView:
    code: str
    name: str | None
    on: dt.date
    standards: tuple[str, ...]
    operations: tuple[Operation, ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["on"] = self.on.isoformat()
        return data


def _is_operation(node_type: str) -> bool:
    return node_type.endswith("Task") or node_type in OPERATION_TYPES


def known_roles(session: Session, on: dt.date) -> dict[str, str | None]:
    """Role codes and names of the standards in force."""
    roles: dict[str, str | None] = {}
    for version in session.scalars(in_force_query(on)):
        for role in (version.summary or {}).get("roles", []):
            if role.get("code"):
                roles.setdefault(role["code"], role.get("name"))
    return roles


def resolve_role(roles: dict[str, str | None], wanted: str) -> str:
    """A role code from a code or a human name, case-insensitively."""
    folded = wanted.strip().casefold()
    for code, name in roles.items():
        if code.casefold() == folded or (name or "").casefold() == folded:
            return code
    raise NotFound(f"No standard in force has the role {wanted!r}.", known=sorted(roles))


def role_view(session: Session, actor: Actor, wanted: str, on: dt.date | None = None) -> RoleView:
    """What role `wanted` (code or name) does in every standard in force on `on` (today)."""
    require_reader(actor)
    on = on or dt.date.today()
    roles = known_roles(session, on)
    code = resolve_role(roles, wanted)
    operations: list[Operation] = []
    standards: list[str] = []
    for version in session.scalars(in_force_query(on)):
        found = _operations(session, version, code)
        if found:
            standards.append(version.standard.key)
            operations.extend(found)
    return RoleView(code, roles.get(code), on, tuple(standards), tuple(operations))


def _operations(session: Session, version: StandardVersion, code: str) -> list[Operation]:
    definitions = version_definitions(session, version)
    standard = version.standard
    attachments = session.scalars(
        select(Attachment).where(Attachment.version_id == version.id).order_by(Attachment.id)
    ).all()
    providers = standards_by_process(session, set(definitions.called_processes))
    base = f"/api/v1/standards/{standard.key}/versions/{version.number}/attachments"
    result = []
    for process in definitions.processes:
        for lane in process.lanes:
            lane_roles = {r.code for r in (lane.role, *lane.roles) if r is not None}
            if code not in lane_roles:
                continue
            for node_id in lane.flow_node_ids:
                node = process.node(node_id)
                if node is None or not _is_operation(node.type):
                    continue
                refs = {c.ref for c in node.technology_cards if c.ref}
                refs |= {f.code for f in node.forms if f.code}
                documents = tuple(
                    DocumentRef(
                        a.id,
                        str(a.kind),
                        a.title,
                        a.filename,
                        a.content_type,
                        f"{base}/{a.id}/content",
                    )
                    for a in attachments
                    if a.element_id == node.id or (a.ref and a.ref in refs)
                )
                deadline = node.deadline
                provider = providers.get(node.called_element or "")
                result.append(
                    Operation(
                        standard_key=standard.key,
                        standard_title=standard.title,
                        version=version.number,
                        process_id=process.id,
                        process_name=process.name,
                        node_id=node.id,
                        name=node.name,
                        type=node.type,
                        lane=lane.name,
                        result=node.result,
                        documentation=node.documentation,
                        deadline=(
                            {"iso": deadline.duration.iso(), "calendar": deadline.duration.calendar}
                            if deadline and deadline.duration
                            else None
                        ),
                        forms=tuple({"code": f.code, "name": f.name} for f in node.forms),
                        technology_cards=tuple(
                            {"ref": c.ref, "title": c.title} for c in node.technology_cards
                        ),
                        checkpoints=tuple({"id": c.id, "name": c.name} for c in node.checkpoints),
                        calls=provider.key if provider else None,
                        documents=documents,
                    )
                )
    return result

"""Helpers for execution-engine tests: published standard versions created as rows (the
registry is not needed), generated linear standards, actors of the sample org."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cli import sample_org
from engine import org
from engine.access import Actor, load_actor
from migrations import alembic_config
from models import (
    Person,
    Standard,
    StandardCategory,
    StandardKind,
    StandardVersion,
    VersionStatus,
    make_engine,
)
from standards.library import load_catalog

CATALOG = {entry.key: entry for entry in load_catalog()}


def publish(
    session: Session,
    key: str,
    bpmn: bytes,
    *,
    number: int = 1,
    process_id: str | None = None,
    trusted: bool = False,
    status: VersionStatus = VersionStatus.published,
) -> StandardVersion:
    """A standard version row with ``bpmn`` (the standard is created on first use)."""
    standard = session.scalars(select(Standard).where(Standard.key == key)).one_or_none()
    digest = hashlib.sha256(bpmn).hexdigest()
    if standard is not None:  # the sample library is seeded: reuse its identical version
        existing = next((v for v in standard.versions if v.number == number), None)
        if existing is not None and existing.sha256 == digest:
            existing.status = status
            session.flush()
            return existing
    if standard is None:
        standard = Standard(
            key=key,
            title=key,
            kind=StandardKind.process,
            category=StandardCategory.main,
            owning_unit_id=org.unit_by_code(session, "FED").id,
            process_id=process_id,
            trusted=trusted,
        )
        session.add(standard)
    version = StandardVersion(
        standard=standard,
        number=number,
        status=status,
        bpmn=bpmn,
        sha256=hashlib.sha256(bpmn).hexdigest(),
        size=len(bpmn),
    )
    session.add(version)
    session.flush()
    return version


def publish_library(session: Session, key: str, number: int = 1, **options) -> StandardVersion:
    """A version of a standard of the sample library, published."""
    entry = CATALOG[key]
    return publish(
        session,
        key,
        entry.path(number).read_bytes(),
        number=number,
        process_id=entry.process_id,
        **options,
    )


def linear_bpmn(tasks: int, *, role: str = "employee", process_id: str = "Linear") -> bytes:
    """A standard of ``tasks`` user tasks in a row, one lane with ``role``, a checkpoint at
    the first and the last task, one declared integer field per task."""
    nodes, flows, refs = [], [], []
    previous = "Start"
    refs.append("StartEvent_1")
    nodes.append('<bpmn:startEvent id="StartEvent_1"/>')
    previous = "StartEvent_1"
    for i in range(1, tasks + 1):
        task_id = f"Task_{i}"
        checkpoint = (
            f'<etalon:checkpoint id="CP_{i}" attributes="n{i}"/>' if i in (1, tasks) else ""
        )
        nodes.append(
            f'<bpmn:userTask id="{task_id}" name="Шаг {i}"><bpmn:extensionElements>'
            f"{checkpoint}"
            f'<etalon:deadline duration="PT4H" calendar="working"/>'
            f'<etalon:field name="n{i}" type="integer"/>'
            f"</bpmn:extensionElements></bpmn:userTask>"
        )
        flows.append(
            f'<bpmn:sequenceFlow id="F_{i}" sourceRef="{previous}" targetRef="{task_id}"/>'
        )
        refs.append(task_id)
        previous = task_id
    nodes.append('<bpmn:endEvent id="EndEvent_1"/>')
    refs.append("EndEvent_1")
    flows.append(f'<bpmn:sequenceFlow id="F_end" sourceRef="{previous}" targetRef="EndEvent_1"/>')
    lane_refs = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:etalon="urn:etalon:bpmn:1.0" id="Defs" targetNamespace="urn:test">'
        f'<bpmn:process id="{process_id}" isExecutable="true">'
        '<bpmn:laneSet id="LS"><bpmn:lane id="Lane_1" name="Исполнитель">'
        f'<bpmn:extensionElements><etalon:role code="{role}"/></bpmn:extensionElements>'
        f"{lane_refs}</bpmn:lane></bpmn:laneSet>"
        f"{''.join(nodes)}{''.join(flows)}</bpmn:process></bpmn:definitions>"
    ).encode()


@pytest.fixture
def actor_of(session) -> Callable[[str], Actor]:
    """The actor of a login of the sample org (grants as they are now)."""

    def make(login: str) -> Actor:
        person = session.scalars(select(Person).where(Person.login == login)).one()
        session.expire(person, ["grants"])
        return load_actor(session, person.id)

    return make


@pytest.fixture
def grant(session, system) -> Callable[[str, str, str], None]:
    """Give a login a role over a unit (by code), unless it holds it already."""

    def make(login: str, role: str, unit_code: str) -> None:
        person = org.person_by_login(session, login)
        unit = org.unit_by_code(session, unit_code)
        if not any(g.role == role and g.unit_id == unit.id for g in person.grants):
            org.grant_role(session, system, person, role, unit)
            session.flush()

    return make


@pytest.fixture
def committed_postgres(new_database):
    """A committed PostgreSQL database of its own (workers need real transactions)."""
    url = new_database("postgresql", "etalon_workers")
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as session:
        org.import_org(session, Actor.system("tests"), sample_org())
        session.commit()
    yield engine
    engine.dispose()
    command.downgrade(alembic_config(url), "base")

"""Org structure operations: units, people, role grants, and the bulk import of all three.

Administrators manage the subtree of their grant; the system actor (CLI, workers) manages all.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import ADMIN, Actor, in_scope, require_role, require_unit
from engine.errors import Conflict, Invalid, NotFound
from models import Person, PersonKind, Role, RoleGrant, Unit, UnitLevel

logger = logging.getLogger(__name__)

ROLE_CODE = re.compile(r"^[a-z][a-z0-9_.-]{0,99}$")
LOGIN = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")


def get_unit(session: Session, actor: Actor, unit_id: int, *roles: str) -> Unit:
    """The unit, if the actor holds one of `roles` over it (any role when none are named)."""
    unit = session.get(Unit, unit_id)
    require_unit(actor, unit, *(roles or tuple(actor.roles())))
    return unit  # type: ignore[return-value]


def unit_by_code(session: Session, code: str) -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code)).one_or_none()
    if unit is None:
        raise NotFound(f"Unit {code!r} not found.", code=code)
    return unit


def visible_units(actor: Actor, level: UnitLevel | None = None, parent_id: int | None = None):
    """A query of the units in the actor's scope, by path (so parents come before children)."""
    query = select(Unit).where(in_scope(actor, Unit.path, *actor.roles())).order_by(Unit.path)
    if level is not None:
        query = query.where(Unit.level == level)
    if parent_id is not None:
        query = query.where(Unit.parent_id == parent_id)
    return query


def create_unit(
    session: Session, actor: Actor, *, code: str, name: str, level: UnitLevel, parent: Unit | None
) -> Unit:
    """Add a unit under `parent` (none only for the federation, the root)."""
    if parent is None:
        require_role(actor, *ADMIN)
        if not actor.is_system and not any(p.count("/") == 2 for p in actor.scope_paths(*ADMIN)):
            raise NotFound("Parent unit not found.")
        if level != UnitLevel.federation:
            raise Invalid("Only the federation has no parent unit.", {"parent": ["required"]})
    else:
        require_unit(actor, parent, *ADMIN, what="Parent unit")
        if level.depth <= parent.level.depth:
            raise Invalid(
                f"A {level} cannot be placed under a {parent.level}.",
                {"level": [f"must be below {parent.level}"]},
            )
    if session.scalars(select(Unit.id).where(Unit.code == code)).first() is not None:
        raise Conflict(f"A unit with code {code!r} exists already.", code=code)
    unit = Unit(code=code, name=name, level=level, parent=parent)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    audit.record(session, actor, "unit.create", unit, unit_id=unit.id, code=code, name=name)
    return unit


def update_unit(session: Session, actor: Actor, unit: Unit, *, name: str | None = None) -> Unit:
    require_unit(actor, unit, *ADMIN)
    if name is not None and name != unit.name:
        audit.record(session, actor, "unit.rename", unit, unit_id=unit.id, old=unit.name, new=name)
        unit.name = name
    return unit


def get_person(session: Session, actor: Actor, person_id: int) -> Person:
    person = session.get(Person, person_id)
    require_unit(actor, person.unit if person else None, *ADMIN, what="Person")
    return person  # type: ignore[return-value]


def person_by_login(session: Session, login: str) -> Person:
    person = session.scalars(select(Person).where(Person.login == login)).one_or_none()
    if person is None:
        raise NotFound(f"Person {login!r} not found.", login=login)
    return person


def visible_people(actor: Actor, unit: Unit | None = None):
    require_role(actor, *ADMIN)
    query = (
        select(Person)
        .join(Unit, Person.unit_id == Unit.id)
        .where(in_scope(actor, Unit.path, *ADMIN))
        .order_by(Person.login)
    )
    if unit is not None:
        query = query.where(Unit.path.startswith(unit.path, autoescape=True))
    return query


def create_person(
    session: Session,
    actor: Actor,
    *,
    login: str,
    name: str,
    unit: Unit,
    email: str | None = None,
    kind: PersonKind = PersonKind.human,
) -> Person:
    require_unit(actor, unit, *ADMIN)
    if not LOGIN.match(login):
        raise Invalid("Logins are letters, digits and . _ @ -", {"login": ["invalid"]})
    if session.scalars(select(Person.id).where(Person.login == login)).first() is not None:
        raise Conflict(f"A person with login {login!r} exists already.", login=login)
    person = Person(login=login, name=name, email=email, kind=kind, unit=unit)
    session.add(person)
    audit.record(session, actor, "person.create", person, unit_id=unit.id, login=login)
    return person


def update_person(
    session: Session,
    actor: Actor,
    person: Person,
    *,
    name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
    unit: Unit | None = None,
) -> Person:
    require_unit(actor, person.unit, *ADMIN, what="Person")
    if unit is not None:
        require_unit(actor, unit, *ADMIN)
    changes: dict[str, Any] = {}
    for field, value in (("name", name), ("email", email), ("is_active", is_active)):
        if value is not None and getattr(person, field) != value:
            changes[field] = [getattr(person, field), value]
            setattr(person, field, value)
    if unit is not None and unit.id != person.unit_id:
        changes["unit"] = [person.unit.code, unit.code]
        person.unit = unit
    if changes:
        audit.record(session, actor, "person.update", person, unit_id=person.unit_id, **changes)
    return person


def grant_role(session: Session, actor: Actor, person: Person, role: str, unit: Unit) -> RoleGrant:
    """Give `person` the `role` over `unit`'s subtree. System roles and job-role codes alike."""
    require_unit(actor, unit, *ADMIN)
    require_unit(actor, person.unit, *ADMIN, what="Person")
    _check_role(person, role, unit)
    existing = session.scalars(
        select(RoleGrant).where(
            RoleGrant.person_id == person.id, RoleGrant.role == role, RoleGrant.unit_id == unit.id
        )
    ).one_or_none()
    if existing is not None:
        raise Conflict(f"{person.login} already holds {role} in {unit.code}.", grant_id=existing.id)
    grant = RoleGrant(person=person, role=role, unit=unit, granted_by_id=actor.person_id)
    session.add(grant)
    audit.record(
        session, actor, "grant.create", grant, unit_id=unit.id, login=person.login, role=role
    )
    return grant


def _check_role(person: Person, role: str, unit: Unit) -> None:
    if not ROLE_CODE.match(role):
        raise Invalid(f"{role!r} is not a role code.", {"role": ["invalid"]})
    is_machine_role = role == Role.regional_system
    if is_machine_role != (person.kind == PersonKind.system) and role in Role.__members__:
        raise Invalid(
            "regional_system is for system identities, and only that role is.",
            {"role": ["not allowed for this kind of person"]},
        )
    if is_machine_role and unit.level != UnitLevel.region:
        raise Invalid("A regional system is bound to one region.", {"unit": ["must be a region"]})


def revoke_grant(session: Session, actor: Actor, grant: RoleGrant) -> None:
    require_unit(actor, grant.unit, *ADMIN, what="Grant")
    audit.record(
        session,
        actor,
        "grant.revoke",
        grant,
        unit_id=grant.unit_id,
        login=grant.person.login,
        role=grant.role,
    )
    session.delete(grant)
    session.flush()


def get_grant(session: Session, actor: Actor, grant_id: int) -> RoleGrant:
    grant = session.get(RoleGrant, grant_id)
    require_unit(actor, grant.unit if grant else None, *ADMIN, what="Grant")
    return grant  # type: ignore[return-value]


@dataclass(frozen=True)
class ImportSummary:
    units_created: int
    people_created: int
    grants_created: int

    def to_dict(self) -> dict[str, int]:
        return {
            "units_created": self.units_created,
            "people_created": self.people_created,
            "grants_created": self.grants_created,
        }


def import_org(session: Session, actor: Actor, data: Mapping[str, Any]) -> ImportSummary:
    """Create the units, people and grants of `data` that do not exist yet (idempotent).

    `data` is `{"units": [{code, name, level, parent}], "people": [{login, name, unit, email?,
    kind?, grants: [{role, unit}]}]}`, parents listed before children. Existing rows are matched
    by unit code and login and left as they are.
    """
    units = {u.code: u for u in session.scalars(select(Unit))}
    created_units = created_people = created_grants = 0
    for index, row in enumerate(data.get("units", [])):
        code = _required(row, "code", f"units[{index}]")
        if code in units:
            continue
        parent_code = row.get("parent")
        if parent_code is not None and parent_code not in units:
            raise Invalid(f"units[{index}]: unknown parent {parent_code!r}.")
        try:
            level = UnitLevel(_required(row, "level", f"units[{index}]"))
        except ValueError:
            raise Invalid(f"units[{index}]: unknown level {row['level']!r}.") from None
        units[code] = create_unit(
            session,
            actor,
            code=code,
            name=_required(row, "name", f"units[{index}]"),
            level=level,
            parent=units[parent_code] if parent_code else None,
        )
        created_units += 1
    people = {p.login: p for p in session.scalars(select(Person))}
    for index, row in enumerate(data.get("people", [])):
        where = f"people[{index}]"
        login = _required(row, "login", where)
        person = people.get(login)
        if person is None:
            unit = units.get(_required(row, "unit", where))
            if unit is None:
                raise Invalid(f"{where}: unknown unit {row['unit']!r}.")
            person = create_person(
                session,
                actor,
                login=login,
                name=_required(row, "name", where),
                unit=unit,
                email=row.get("email"),
                kind=PersonKind(row.get("kind", PersonKind.human)),
            )
            people[login] = person
            created_people += 1
        held = {(g.role, g.unit_id) for g in person.grants}
        for grant in row.get("grants", []):
            unit = units.get(grant.get("unit", ""))
            if unit is None:
                raise Invalid(f"{where}: grant in unknown unit {grant.get('unit')!r}.")
            if (grant.get("role"), unit.id) in held:
                continue
            grant_role(session, actor, person, _required(grant, "role", where), unit)
            held.add((grant["role"], unit.id))
            created_grants += 1
    summary = ImportSummary(created_units, created_people, created_grants)
    logger.info("org import: %s", summary)
    return summary


def _required(row: Mapping[str, Any], key: str, where: str) -> Any:
    value = row.get(key)
    if value in (None, ""):
        raise Invalid(f"{where}: {key} is required.", {key: ["required"]})
    return value


def iter_units_by_level(session: Session, level: UnitLevel) -> Iterable[Unit]:
    return session.scalars(select(Unit).where(Unit.level == level).order_by(Unit.code))

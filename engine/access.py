"""One authorisation layer: role × scope.

A grant gives a role in a unit and its subtree. An operation first asks for a role (no grant of
it anywhere → `Forbidden`, 403), then for the object's unit to lie in the scope of such a grant
(outside → `NotFound`, 404: an actor must not learn that objects outside their scope exist).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session, selectinload

from engine.errors import Forbidden, NotFound
from models import Person, PersonKind, Role, RoleGrant, Unit


@dataclass(frozen=True, slots=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts. Built once per request (or CLI command) from a person and their grants."""

    person_id: int | None
    login: str
    kind: str = PersonKind.human
    grants: tuple[Grant, ...] = ()
    is_system: bool = False

    @classmethod
    def system(cls, login: str = "system") -> Actor:
        """The actor of CLI commands and background workers: may do anything."""
        return cls(person_id=None, login=login, kind=PersonKind.system, is_system=True)

    @classmethod
    def of(cls, person: Person) -> Actor:
        grants = tuple(Grant(g.role, g.unit_id, g.unit.path) for g in person.grants)
        return cls(person_id=person.id, login=person.login, kind=person.kind, grants=grants)

    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def has_role(self, *roles: str) -> bool:
        return self.is_system or any(grant.role in roles for grant in self.grants)

    def scope_paths(self, *roles: str) -> list[str]:
        """Path prefixes of the subtrees where the actor holds any of `roles`."""
        return [grant.unit_path for grant in self.grants if grant.role in roles]

    def reaches(self, unit_path: str, *roles: str) -> bool:
        if self.is_system:
            return True
        return any(unit_path.startswith(prefix) for prefix in self.scope_paths(*roles))


def load_actor(session: Session, person_id: int) -> Actor:
    person = session.scalars(
        select(Person)
        .where(Person.id == person_id)
        .options(selectinload(Person.grants).selectinload(RoleGrant.unit))
    ).one()
    return Actor.of(person)


def require_role(actor: Actor, *roles: str) -> None:
    """Raise `Forbidden` unless the actor holds one of `roles` somewhere."""
    if not actor.has_role(*roles):
        wanted = " or ".join(roles)
        raise Forbidden(f"This needs the role {wanted}.", roles=list(roles))


def require_unit(actor: Actor, unit: Unit | None, *roles: str, what: str = "Unit") -> None:
    """Raise `Forbidden` without the role, `NotFound` when `unit` lies outside its scope."""
    require_role(actor, *roles)
    if unit is None or not actor.reaches(unit.path, *roles):
        raise NotFound(f"{what} not found.")


def in_scope(actor: Actor, path_column: ColumnElement[str], *roles: str) -> ColumnElement[bool]:
    """A WHERE clause limiting rows whose unit path is `path_column` to the actor's scope."""
    if actor.is_system:
        return true()
    prefixes = _outermost(actor.scope_paths(*roles))
    if not prefixes:
        return false()
    return or_(*(path_column.startswith(prefix, autoescape=True) for prefix in prefixes))


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another one, so the clause stays short."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


ADMIN = (Role.administrator,)
READERS_OF_AUDIT = (Role.administrator, Role.auditor)

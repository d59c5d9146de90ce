"""Every endpoint × every system role × an object in / out of the actor's scope.

Each actor holds one role over the Lipetsk region (R48). "in" objects live in an office of
Lipetsk, "out" objects in Tula (R71). A role the endpoint does not serve gets 403; an object
outside the scope gets 404 (the actor must not learn it exists); list endpoints return only
what lies in scope. The test fails when an endpoint is added without a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from engine import identity, org
from models import Person, PersonKind, Role, Unit

ANY = frozenset(Role)
ADMIN = frozenset({Role.administrator})
SCOPE_UNIT = {"in": "R48-LIP", "out": "R71-TUL"}


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str]
    call: Callable  # (client, headers, target) -> response
    success: int = 200
    scoped: bool = True  # False: the object is the actor's own, or a list filtered to scope


def _units_in_scope(response, target):
    return all(u["path"].startswith(target["region_path"]) for u in response.get_json())


MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/health"): Row(ANY, lambda c, h, t: c.get("/api/v1/health"), scoped=False),
    ("GET", "/api/v1/me"): Row(ANY, lambda c, h, t: c.get("/api/v1/me", headers=h), scoped=False),
    ("GET", "/api/v1/units"): Row(
        ANY, lambda c, h, t: c.get("/api/v1/units?page_size=500", headers=h), scoped=False
    ),
    ("POST", "/api/v1/units"): Row(
        ADMIN,
        lambda c, h, t: c.post(
            "/api/v1/units",
            headers=h,
            json={
                "code": "NEW-DEPT",
                "name": "Новый отдел",
                "level": "department",
                "parent_id": t["unit"].id,
            },
        ),
        201,
    ),
    ("GET", "/api/v1/units/<int:unit_id>"): Row(
        ANY, lambda c, h, t: c.get(f"/api/v1/units/{t['unit'].id}", headers=h)
    ),
    ("PATCH", "/api/v1/units/<int:unit_id>"): Row(
        ADMIN,
        lambda c, h, t: c.patch(f"/api/v1/units/{t['unit'].id}", headers=h, json={"name": "N"}),
    ),
    ("GET", "/api/v1/people"): Row(
        ADMIN, lambda c, h, t: c.get(f"/api/v1/people?unit_id={t['unit'].id}", headers=h)
    ),
    ("POST", "/api/v1/people"): Row(
        ADMIN,
        lambda c, h, t: c.post(
            "/api/v1/people",
            headers=h,
            json={"login": "new.person", "name": "Новый сотрудник", "unit_id": t["unit"].id},
        ),
        201,
    ),
    ("GET", "/api/v1/people/<int:person_id>"): Row(
        ADMIN, lambda c, h, t: c.get(f"/api/v1/people/{t['person'].id}", headers=h)
    ),
    ("PATCH", "/api/v1/people/<int:person_id>"): Row(
        ADMIN,
        lambda c, h, t: c.patch(
            f"/api/v1/people/{t['person'].id}", headers=h, json={"name": "Иванов"}
        ),
    ),
    ("GET", "/api/v1/people/<int:person_id>/grants"): Row(
        ADMIN, lambda c, h, t: c.get(f"/api/v1/people/{t['person'].id}/grants", headers=h)
    ),
    ("POST", "/api/v1/people/<int:person_id>/grants"): Row(
        ADMIN,
        lambda c, h, t: c.post(
            f"/api/v1/people/{t['person'].id}/grants",
            headers=h,
            json={"role": "inspector", "unit_id": t["unit"].id},
        ),
        201,
    ),
    ("DELETE", "/api/v1/grants/<int:grant_id>"): Row(
        ADMIN, lambda c, h, t: c.delete(f"/api/v1/grants/{t['grant'].id}", headers=h), 204
    ),
    ("POST", "/api/v1/org/import"): Row(
        ADMIN,
        lambda c, h, t: c.post(
            "/api/v1/org/import",
            headers=h,
            json={
                "units": [
                    {
                        "code": "IMP-1",
                        "name": "Импорт",
                        "level": "department",
                        "parent": t["unit"].code,
                    }
                ]
            },
        ),
    ),
    ("GET", "/api/v1/tokens"): Row(
        ADMIN, lambda c, h, t: c.get(f"/api/v1/tokens?person_id={t['person'].id}", headers=h)
    ),
    ("POST", "/api/v1/tokens"): Row(
        ADMIN,
        lambda c, h, t: c.post("/api/v1/tokens", headers=h, json={"person_id": t["person"].id}),
        201,
    ),
    ("GET", "/api/v1/tokens/<int:token_id>"): Row(
        ADMIN, lambda c, h, t: c.get(f"/api/v1/tokens/{t['token'].id}", headers=h)
    ),
    ("DELETE", "/api/v1/tokens/<int:token_id>"): Row(
        ADMIN, lambda c, h, t: c.delete(f"/api/v1/tokens/{t['token'].id}", headers=h)
    ),
    ("GET", "/api/v1/audit"): Row(
        frozenset({Role.administrator, Role.auditor}),
        lambda c, h, t: c.get("/api/v1/audit?page_size=500", headers=h),
        scoped=False,
    ),
}

LIST_CHECKS = {
    ("GET", "/api/v1/units"): _units_in_scope,
    ("GET", "/api/v1/audit"): lambda r, t: (
        all(e["unit_id"] is None or e["unit_id"] in t["region_unit_ids"] for e in r.get_json())
        and all(e["unit_id"] is not None for e in r.get_json())
    ),
}


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint.startswith(
            ("api-docs.", "docs_static.")
        ):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def test_matrix_covers_every_endpoint(app):
    assert api_routes(app) == set(MATRIX)


@pytest.fixture
def actor_headers(session, system):
    """Headers of a person holding exactly `role` over the Lipetsk region."""
    region = org.unit_by_code(session, "R48")

    def make(role: str) -> dict[str, str]:
        kind = PersonKind.system if role == Role.regional_system else PersonKind.human
        person = org.create_person(
            session, system, login=f"matrix.{role}", name=role, unit=region, kind=kind
        )
        org.grant_role(session, system, person, role, region)
        _, secret = identity.create_token(session, system, person)
        session.flush()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def targets(session, system):
    def make(scope: str) -> dict:
        unit = org.unit_by_code(session, SCOPE_UNIT[scope])
        person = org.create_person(session, system, login=f"target.{scope}", name="Цель", unit=unit)
        grant = org.grant_role(session, system, person, "employee", unit)
        token, _ = identity.create_token(session, system, person)
        region = org.unit_by_code(session, "R48")
        session.flush()
        ids = set(session.scalars(select(Unit.id).where(Unit.path.startswith(region.path))))
        return {
            "unit": unit,
            "person": person,
            "grant": grant,
            "token": token,
            "region_path": region.path,
            "region_unit_ids": ids,
        }

    return make


@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=lambda e: f"{e[0]} {e[1]}")
def test_authorization(client, actor_headers, targets, endpoint, role, scope):
    row = MATRIX[endpoint]
    headers = actor_headers(role)
    target = targets(scope)
    response = row.call(client, headers, target)
    if role not in row.allowed:
        expected = 403
    elif scope == "out" and row.scoped:
        expected = 404
    else:
        expected = row.success
    assert response.status_code == expected, (endpoint, role, scope, response.get_json())
    if expected == 200 and endpoint in LIST_CHECKS:
        assert LIST_CHECKS[endpoint](response, target)


def test_self_service_tokens_for_every_role(client, actor_headers):
    for role in Role:
        headers = actor_headers(role.value)
        created = client.post("/api/v1/tokens", headers=headers, json={"name": "mine"})
        assert created.status_code == 201
        mine = client.get("/api/v1/tokens", headers=headers).get_json()
        assert created.get_json()["id"] in [t["id"] for t in mine]
        assert all("token" not in t for t in mine)
        revoked = client.delete(f"/api/v1/tokens/{created.get_json()['id']}", headers=headers)
        assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]


def test_actor_person_unused_import_guard():
    assert Person.__tablename__ == "people"

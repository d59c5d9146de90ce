"""Matrix rows: health, me, units, people, grants, org import, tokens, audit log."""

from __future__ import annotations

from sqlalchemy import select

from engine import identity, org
from models import Role, Unit
from tests.api.authz import ADMIN, ANY, OFFICE, REGION, Row, Targets, target


@target("unit")
def _unit(t: Targets):
    return org.unit_by_code(t.session, OFFICE[t.scope])


@target("person")
def _person(t: Targets):
    return org.create_person(
        t.session, t.system, login=f"target.{t.scope}", name="Цель", unit=t["unit"]
    )


@target("grant")
def _grant(t: Targets):
    return org.grant_role(t.session, t.system, t["person"], "employee", t["unit"])


@target("token")
def _token(t: Targets):
    return identity.create_token(t.session, t.system, t["person"])[0]


@target("lipetsk_unit_ids")
def _lipetsk_ids(t: Targets):
    region = org.unit_by_code(t.session, REGION["in"])
    return set(t.session.scalars(select(Unit.id).where(Unit.path.startswith(region.path))))


def _units_in_lipetsk(response, t: Targets) -> bool:
    return {u["id"] for u in response.get_json()} <= t["lipetsk_unit_ids"]


def _audit_in_lipetsk(response, t: Targets) -> bool:
    return all(e["unit_id"] in t["lipetsk_unit_ids"] for e in response.get_json())


ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/health"): Row(ANY, lambda c, h, t: c.get("/api/v1/health"), scoped=False),
    ("GET", "/api/v1/me"): Row(ANY, lambda c, h, t: c.get("/api/v1/me", headers=h), scoped=False),
    ("GET", "/api/v1/units"): Row(
        ANY,
        lambda c, h, t: c.get("/api/v1/units?page_size=500", headers=h),
        scoped=False,
        check=_units_in_lipetsk,
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
        check=_audit_in_lipetsk,
    ),
}

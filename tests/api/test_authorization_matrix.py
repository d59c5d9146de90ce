"""Every endpoint × every system role × an object in / out of the actor's scope.

The rows live in `authz_*.py` beside this file (see `authz.py` for what a row says). The test
fails when an endpoint is added without a row.
"""

from __future__ import annotations

import pytest

from engine import identity, org
from models import PersonKind, Role
from tests.api import (
    authz_distribution,
    authz_engine,
    authz_graph,
    authz_loop,
    authz_measurement,
    authz_org,
    authz_standards,
)
from tests.api.authz import REGION, Row, Targets

MATRIX: dict[tuple[str, str], Row] = {
    **authz_org.ROWS,
    **authz_standards.ROWS,
    **authz_engine.ROWS,
    **authz_graph.ROWS,
    **authz_distribution.ROWS,
    **authz_measurement.ROWS,
    **authz_loop.ROWS,
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
    region = org.unit_by_code(session, REGION["in"])

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


@pytest.mark.parametrize("scope", ["in", "out"])
@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=lambda e: f"{e[0]} {e[1]}")
def test_authorization(client, session, system, actor_headers, endpoint, role, scope):
    row = MATRIX[endpoint]
    headers = actor_headers(role)
    targets = Targets(session, system, scope)
    response = row.call(client, headers, targets)
    expected = row.expected(role, scope)
    assert response.status_code == expected, (endpoint, role, scope, response.get_json())
    if expected == 200 and row.check is not None:
        assert row.check(response, targets)


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

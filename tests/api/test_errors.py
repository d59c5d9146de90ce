"""Every kind of bad request gets the one error body and the right status."""

from __future__ import annotations

import pytest


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["code"], str)
    return body


def test_missing_token_is_401(client):
    body = assert_error(client.get("/api/v1/units"), 401)
    assert "bearer token" in body["message"]


def test_unknown_token_is_401(client):
    response = client.get("/api/v1/units", headers={"Authorization": "Bearer etl_nope"})
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_malformed_json_is_400(client, token_for):
    response = client.post(
        "/api/v1/units",
        data="{not json",
        content_type="application/json",
        headers=token_for("admin"),
    )
    body = assert_error(response, 400)
    assert "JSON" in body["message"]


def test_wrong_role_is_403(client, token_for):
    response = client.post(
        "/api/v1/units",
        json={"code": "X1", "name": "x", "level": "office", "parent_id": 2},
        headers=token_for("auditor"),
    )
    body = assert_error(response, 403)
    assert "administrator" in body["message"]


def test_unknown_object_is_404(client, token_for):
    assert_error(client.get("/api/v1/units/999999", headers=token_for("admin")), 404)
    assert_error(client.get("/api/v1/no-such-thing", headers=token_for("admin")), 404)


def test_wrong_method_is_405(client, token_for):
    assert_error(client.delete("/api/v1/units", headers=token_for("admin")), 405)


def test_duplicate_is_409(client, token_for):
    headers = token_for("admin")
    response = client.post(
        "/api/v1/units",
        json={"code": "R48", "name": "dup", "level": "region", "parent_id": 1},
        headers=headers,
    )
    body = assert_error(response, 409)
    assert "R48" in body["message"]


def test_oversized_body_is_413(app, token_for):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    client = app.test_client()
    response = client.post(
        "/api/v1/units",
        data="x" * 2048,
        content_type="application/json",
        headers=token_for("admin"),
    )
    body = assert_error(response, 413)
    assert "1024" in body["message"]


def test_wrong_media_type_is_415(client, token_for):
    response = client.post(
        "/api/v1/units",
        data="code=x",
        content_type="application/x-www-form-urlencoded",
        headers=token_for("admin"),
    )
    body = assert_error(response, 415)
    assert "application/json" in body["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "level": "office", "parent_id": 2}, "code"),
        ({"code": "X2", "name": "x", "level": "planet", "parent_id": 2}, "level"),
        ({"code": "X3", "name": "", "level": "office", "parent_id": 2}, "name"),
    ],
)
def test_invalid_fields_are_422(client, token_for, payload, field):
    response = client.post("/api/v1/units", json=payload, headers=token_for("admin"))
    body = assert_error(response, 422)
    assert field in body["errors"]["json"]
    assert field in body["message"]


def test_domain_rule_violation_is_422(client, token_for):
    # An office cannot be placed under an office.
    response = client.post(
        "/api/v1/units",
        json={"code": "X4", "name": "x", "level": "office", "parent_id": 3},
        headers=token_for("admin"),
    )
    body = assert_error(response, 422)
    assert body["errors"] == {"level": ["must be below office"]}


def test_failed_request_writes_nothing(client, token_for, session):
    from sqlalchemy import func, select

    from models import AuditEntry, Unit

    headers = token_for("admin")
    before = (
        session.scalar(select(func.count(Unit.id))),
        session.scalar(select(func.count(AuditEntry.id))),
    )
    client.post(
        "/api/v1/units",
        json={"code": "X5", "name": "x", "level": "office", "parent_id": 3},
        headers=headers,
    )
    after = (
        session.scalar(select(func.count(Unit.id))),
        session.scalar(select(func.count(AuditEntry.id))),
    )
    assert after == before


def test_lists_are_paginated(client, token_for):
    response = client.get("/api/v1/units?page=2&page_size=5", headers=token_for("admin"))
    assert response.status_code == 200
    assert len(response.get_json()) == 5
    import json

    pagination = json.loads(response.headers["X-Pagination"])
    assert pagination["page"] == 2 and pagination["total"] >= 32


def test_health_checks_the_database(client, database_kind):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": database_kind}


def test_openapi_document_and_offline_docs(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/units" in spec["paths"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "http" not in page  # nothing loaded from outside: works with no internet
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/api/v1/docs/static/{asset}" in page
        assert client.get(f"/api/v1/docs/static/{asset}").status_code == 200

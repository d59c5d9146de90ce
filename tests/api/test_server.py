"""The real server process on a loopback port, driven over HTTP like a client would."""

from __future__ import annotations

import pytest

from tests.live import live_server, request


@pytest.fixture(params=["etalon serve + sqlite", "gunicorn + postgresql"])
def server(request, new_database, tmp_path):
    kind = "sqlite" if "sqlite" in request.param else "postgresql"
    url = new_database(kind, "etalon_server")
    with live_server(url, tmp_path, gunicorn=kind == "postgresql") as running:
        yield running.base, running.token, kind


def test_server_answers_over_http(server):
    base, token, kind = server
    assert request(f"{base}/api/v1/health") == (200, {"status": "ok", "database": kind})
    status, body = request(f"{base}/api/v1/units")
    assert status == 401 and body["status"] == 401
    status, units = request(f"{base}/api/v1/units?level=region", token)
    assert status == 200
    assert {u["code"] for u in units} == {"R48", "R71", "R54"}
    lipetsk = next(u for u in units if u["code"] == "R48")
    status, created = request(
        f"{base}/api/v1/units",
        token,
        {
            "code": "R48-DNK",
            "name": "ЦЗН Данковского района",
            "level": "office",
            "parent_id": lipetsk["id"],
        },
    )
    assert status == 201 and created["name"] == "ЦЗН Данковского района"
    status, body = request(f"{base}/api/v1/units", token, {"code": "R48-DNK"})
    assert status == 422 and "name" in body["errors"]["json"]
    status, audit = request(f"{base}/api/v1/audit?action=unit.create&page_size=1", token)
    assert status == 200 and audit[0]["details"]["code"] == "R48-DNK"
    status, standards = request(f"{base}/api/v1/standards?status=published", token)
    assert status == 200 and len(standards) == 8

"""Instances and tasks over HTTP: sample standards end to end as the right people, and the
403/404/409/422 paths."""

from __future__ import annotations

import pytest

from engine import org
from tests.engine.conftest import publish_library

REGISTRATION = "employment.job-seeker-registration"


@pytest.fixture
def people(session, system, token_for):
    lipetsk = org.unit_by_code(session, "R48-LIP")
    for login, role in (("head.lip", "czn_head"), ("career.lip", "employer_specialist")):
        person = org.person_by_login(session, login)
        if not any(g.role == role and g.unit_id == lipetsk.id for g in person.grants):
            org.grant_role(session, system, person, role, lipetsk)
    return {login: token_for(login) for login in ("reg.lip", "career.lip", "reg.tul", "auditor")}


@pytest.fixture
def lipetsk(session):
    return org.unit_by_code(session, "R48-LIP")


def start(client, headers, version, unit, data=None):
    response = client.post(
        "/api/v1/instances",
        headers=headers,
        json={"version_id": version.id, "unit_id": unit.id, "data": data or {}},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def my_task(client, headers, instance_id):
    mine = client.get("/api/v1/tasks/mine", headers=headers).get_json()
    return next(t for t in mine if t["instance_id"] == instance_id)


def complete(client, headers, task_id, data, **extra):
    return client.post(
        f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": data, **extra}
    )


def test_registration_end_to_end_over_http(client, session, people, lipetsk):
    version = publish_library(session, REGISTRATION, 1)
    reg, career = people["reg.lip"], people["career.lip"]
    instance = start(client, reg, version, lipetsk, {"channel": "epgu"})
    assert instance["status"] == "running"
    [current] = instance["current_tasks"]
    assert current["node_id"] == "Task_CheckApplication" and current["is_overdue"] is False
    assert current["due_at"] and {f["name"] for f in current["fields"]} == {"returned", "channel"}

    task = my_task(client, reg, instance["id"])
    assert complete(client, reg, task["id"], {"returned": False}).status_code == 200
    task = my_task(client, reg, instance["id"])
    assert task["node_id"] == "Task_Register"
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=reg).status_code == 200
    assert complete(client, reg, task["id"], {"registration_date": "2026-11-23"}).status_code == 200
    task = my_task(client, career, instance["id"])
    done = complete(client, career, task["id"], {"vacancies_offered": 2})
    assert done.status_code == 200 and done.get_json()["status"] == "completed"

    detail = client.get(f"/api/v1/instances/{instance['id']}", headers=reg).get_json()
    assert detail["status"] == "completed" and detail["current_tasks"] == []
    history = detail["history"]
    assert [t["completed_by_login"] for t in history["completed_tasks"]] == [
        "reg.lip",
        "reg.lip",
        "career.lip",
    ]
    checkpoints = [e["checkpoint_id"] for e in history["events"] if e["kind"] == "completed"]
    assert checkpoints[-2:] == ["CP_VACANCIES_OFFERED", "CP_DONE"]
    listed = client.get(f"/api/v1/instances?standard_key={REGISTRATION}", headers=reg).get_json()
    assert [i["id"] for i in listed] == [instance["id"]]


def test_error_statuses(client, session, people, lipetsk):
    version = publish_library(session, REGISTRATION, 1)
    reg = people["reg.lip"]
    instance = start(client, reg, version, lipetsk)
    task = my_task(client, reg, instance["id"])
    # 422: data that does not fit the declared fields
    bad = complete(client, reg, task["id"], {"returned": "no", "channel": "fax"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"returned", "channel"}
    # 404: unknown, or out of scope
    assert complete(client, reg, 999_999, {}).status_code == 404
    assert complete(client, people["reg.tul"], task["id"], {}).status_code == 404
    # 403: without the task's role
    assert complete(client, people["auditor"], task["id"], {}).status_code == 403
    # 409: a stale lock, then a task no longer ready
    stale = complete(client, reg, task["id"], {"returned": False}, expected_lock=0)
    assert stale.status_code == 409
    assert complete(client, reg, task["id"], {"returned": False}).status_code == 200
    again = complete(client, reg, task["id"], {"returned": False})
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_transition"
    # 422 on start: an unpublished unit level / unknown version is 404
    region = org.unit_by_code(session, "R48")
    response = client.post(
        "/api/v1/instances",
        headers=reg,
        json={"version_id": 999_999, "unit_id": lipetsk.id},
    )
    assert response.status_code == 404
    response = client.post(
        "/api/v1/instances", headers=reg, json={"version_id": version.id, "unit_id": region.id}
    )
    assert response.status_code == 404  # the region lies outside an office employee's scope


def test_calendar_get_and_put(client, token_for):
    admin = token_for("admin")
    bundled = client.get("/api/v1/calendar/2026", headers=admin).get_json()
    assert bundled["source"] == "bundled" and bundled["days"]
    assert client.get("/api/v1/calendar/2040", headers=admin).status_code == 404
    body = {"days": [{"date": "2026-12-31", "kind": "holiday", "name": "Новогодний"}]}
    loaded = client.put("/api/v1/calendar/2026", headers=admin, json=body)
    assert loaded.status_code == 200, loaded.get_json()
    assert loaded.get_json()["source"] == "database" and len(loaded.get_json()["days"]) == 1
    wrong = client.put(
        "/api/v1/calendar/2026",
        headers=admin,
        json={"days": [{"date": "2026-02-30", "kind": "holiday"}]},
    )
    assert wrong.status_code == 422
    assert (
        client.put(
            "/api/v1/calendar/2026", headers=token_for("admin.lipetsk"), json=body
        ).status_code
        == 403
    )

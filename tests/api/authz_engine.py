"""Matrix rows: instances, tasks, migration, the production calendar.

The target instance runs a one-task standard whose lane role is `employee`, in the target
office; its task is for employees over that office.
"""

from __future__ import annotations

from engine import org
from engine.instances import READERS, STARTERS, start_instance
from models import Role, TaskStatus
from tests.api.authz import ANY, OFFICE, Row, Targets, target
from tests.engine.conftest import linear_bpmn, publish

MIGRATORS = frozenset({Role.administrator, Role.methodologist})


@target("engine_version")
def _version(t: Targets):
    return publish(t.session, f"matrix.engine.{t.scope}", linear_bpmn(1), process_id="Linear")


@target("engine_version_2")
def _version_2(t: Targets):
    t["engine_version"]
    return publish(t.session, f"matrix.engine.{t.scope}", linear_bpmn(2), number=2)


@target("instance")
def _instance(t: Targets):
    unit = org.unit_by_code(t.session, OFFICE[t.scope])
    return start_instance(t.session, t.system, t["engine_version"], unit)


@target("task")
def _task(t: Targets):
    return next(task for task in t["instance"].tasks if task.status == TaskStatus.ready)


CALENDAR_2030 = {"days": [{"date": "2030-01-01", "kind": "holiday", "name": "Новый год"}]}

ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/instances"): Row(
        frozenset(READERS),
        lambda c, h, t: (t["instance"], c.get("/api/v1/instances?page_size=500", headers=h))[1],
        scoped=False,
        check=lambda r, t: (
            all(i["id"] != t["instance"].id for i in r.get_json())
            if t.scope == "out"
            else any(i["id"] == t["instance"].id for i in r.get_json())
        ),
    ),
    ("POST", "/api/v1/instances"): Row(
        frozenset(STARTERS),
        lambda c, h, t: c.post(
            "/api/v1/instances",
            headers=h,
            json={
                "version_id": t["engine_version"].id,
                "unit_id": org.unit_by_code(t.session, OFFICE[t.scope]).id,
                "data": {"channel": "epgu"},
            },
        ),
        201,
    ),
    ("GET", "/api/v1/instances/<int:instance_id>"): Row(
        frozenset(READERS),
        lambda c, h, t: c.get(f"/api/v1/instances/{t['instance'].id}", headers=h),
    ),
    ("POST", "/api/v1/instances/migrate"): Row(
        MIGRATORS,
        lambda c, h, t: c.post(
            "/api/v1/instances/migrate",
            headers=h,
            json={
                "from_version_id": t["instance"].version_id,
                "to_version_id": t["engine_version_2"].id,
                "dry_run": True,
            },
        ),
        scoped=False,  # a report over the instances in the actor's scope
        check=lambda r, t: r.get_json()["total"] == (1 if t.scope == "in" else 0),
    ),
    ("GET", "/api/v1/tasks/mine"): Row(
        ANY,
        lambda c, h, t: (t["task"], c.get("/api/v1/tasks/mine", headers=h))[1],
        scoped=False,
        check=lambda r, t: (
            all(task["id"] != t["task"].id for task in r.get_json()) if t.scope == "out" else True
        ),
    ),
    ("POST", "/api/v1/tasks/<int:task_id>/claim"): Row(
        frozenset({Role.employee}),
        lambda c, h, t: c.post(f"/api/v1/tasks/{t['task'].id}/claim", headers=h),
    ),
    ("POST", "/api/v1/tasks/<int:task_id>/complete"): Row(
        frozenset({Role.employee}),
        lambda c, h, t: c.post(
            f"/api/v1/tasks/{t['task'].id}/complete", headers=h, json={"data": {"n1": 1}}
        ),
    ),
    ("GET", "/api/v1/calendar/<int:year>"): Row(
        ANY, lambda c, h, t: c.get("/api/v1/calendar/2026", headers=h), scoped=False
    ),
    ("PUT", "/api/v1/calendar/<int:year>"): Row(
        frozenset(),  # federal administrators only; the matrix's actors are regional
        lambda c, h, t: c.put("/api/v1/calendar/2030", headers=h, json=CALENDAR_2030),
    ),
}

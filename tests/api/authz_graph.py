"""Matrix rows: dependency graph, impact of a version, study assignments, assignments.

The graph holds published material only (every role reads it); the impact report is for
reviewers over the owning unit; study completion for managers, auditors and administrators
(a list filtered to their scope); issuing study for managers over the unit. The target
assignment belongs to the career consultant of the target office.
"""

from __future__ import annotations

from engine import org
from engine.assignments import Recipient, issue_assignments
from models import Role
from tests.api.authz import ANY, OFFICE, Row, Targets, target
from tests.api.authz_standards import REVIEWERS

READERS = frozenset({Role.manager, Role.auditor, Role.administrator})
MANAGER = frozenset({Role.manager})
CAREER = {"in": "career.lip", "out": "career.tul"}


@target("assignment")
def _assignment(t: Targets):
    person = org.person_by_login(t.session, CAREER[t.scope])
    (assignment,) = issue_assignments(
        t.session,
        t.system,
        kind="study",
        subject_type="standard_version",
        subject_id="matrix",
        title="Изучить изменения",
        recipients=[Recipient(person, person.unit)],
        due_at=None,
        issuer_roles=None,
    )
    return assignment


def _get(url: str):
    return lambda c, h, t: c.get(url, headers=h)


def _std(path: str):
    return lambda t: f"/api/v1/standards/{t['standard'].key}{path}"


def _readers_in_scope_403(role: str, scope: str) -> int:
    """Auditors and administrators see the assignment but may not cancel it."""
    return 403 if role in (Role.auditor, Role.administrator) and scope == "in" else 404


ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/graph"): Row(
        ANY, _get("/api/v1/graph?node=process:JobSeekerRegistration"), scoped=False
    ),
    ("GET", "/api/v1/graph/svg"): Row(
        ANY, _get("/api/v1/graph/svg?node=process:InteragencyRequest"), scoped=False
    ),
    ("GET", "/api/v1/graph/where-used"): Row(
        ANY, _get("/api/v1/graph/where-used?node=process:InteragencyRequest"), scoped=False
    ),
    ("GET", "/api/v1/graph/roles/<code>"): Row(
        ANY, _get("/api/v1/graph/roles/career_consultant"), scoped=False
    ),
    ("GET", "/api/v1/standards/<key>/versions/<int:number>/impact"): Row(
        REVIEWERS, lambda c, h, t: c.get(_std("/versions/3/impact")(t), headers=h)
    ),
    ("GET", "/api/v1/standards/<key>/versions/<int:number>/study"): Row(
        READERS, lambda c, h, t: c.get(_std("/versions/1/study")(t), headers=h), scoped=False
    ),
    ("POST", "/api/v1/standards/<key>/versions/<int:number>/study"): Row(
        MANAGER,
        lambda c, h, t: c.post(
            _std("/versions/1/study")(t),
            headers=h,
            json={
                "unit_id": org.unit_by_code(t.session, OFFICE[t.scope]).id,
                "role": "career_consultant",
            },
        ),
        201,
    ),
    ("GET", "/api/v1/assignments"): Row(ANY, _get("/api/v1/assignments"), scoped=False),
    ("GET", "/api/v1/assignments/<int:assignment_id>"): Row(
        READERS,
        lambda c, h, t: c.get(f"/api/v1/assignments/{t['assignment'].id}", headers=h),
        denied=404,
    ),
    ("POST", "/api/v1/assignments/<int:assignment_id>/status"): Row(
        MANAGER,
        lambda c, h, t: c.post(
            f"/api/v1/assignments/{t['assignment'].id}/status",
            headers=h,
            json={"status": "cancelled", "comment": "ошибочно"},
        ),
        denied=_readers_in_scope_403,
    ),
}

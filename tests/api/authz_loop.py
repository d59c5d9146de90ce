"""Matrix rows: corrective assignments, deviations and detectors, change requests, notifications.

The target deviation is a corridor deviation of the target office (Lipetsk or Tula), assigned
to the office's manager (head.lip / head.tul): matrix actors read it by scope but are never
its assignee. The target change request concerns a standard owned by the target region.
"""

from __future__ import annotations

from engine import org
from engine.assignments import READERS
from engine.corrective import issue_for_deviation
from engine.detectors.configs import EDITORS
from models import ChangeRequest, Deviation, Notification, Role, utcnow
from standards.access import AUTHORS, REVIEWERS
from tests.api.authz import ANY, OFFICE, REGION, Row, Targets, target
from tests.engine.conftest import linear_bpmn, publish

_READERS = frozenset(READERS)


@target("corrective")
def _corrective(t: Targets):
    office = org.unit_by_code(t.session, OFFICE[t.scope])
    deviation = Deviation(
        key=f"corridor:matrix:IND:{office.id}",
        open_key=f"corridor:matrix:IND:{office.id}",
        detector="corridor",
        standard_key="matrix",
        indicator_id="IND",
        unit_id=office.id,
        title="Показатель вне коридора",
        description="Описание",
        recipient_role="manager",
    )
    t.session.add(deviation)
    t.session.flush()
    (assignment,) = issue_for_deviation(t.session, t.system, deviation, office, now=utcnow())
    return assignment


@target("change_request")
def _change_request(t: Targets):
    version = publish(t.session, f"matrix.cr.{t.scope}", linear_bpmn(1), process_id="Linear")
    version.standard.owning_unit_id = org.unit_by_code(t.session, REGION[t.scope]).id
    request = ChangeRequest(
        standard_id=version.standard_id,
        version_id=version.id,
        indicator_id="IND",
        open_key=f"matrix.cr.{t.scope}:IND",
        title="Скорректировать стандарт",
        evidence={},
    )
    t.session.add(request)
    t.session.flush()
    return request


def _assignee_only(role: str, scope: str) -> int:
    """Only the assignee may: readers in scope are refused, everybody else does not see it."""
    return 403 if role in READERS and scope == "in" else 404


def _authors(role: str, scope: str) -> int:
    return 404 if role in REVIEWERS and scope == "out" else 403


def _post(path: str, name: str, body: dict | None = None):
    def call(c, h, t):
        return c.post(path.format(id=t[name].id), headers=h, json=body or {})

    return call


def _get(path: str, name: str | None = None):
    def call(c, h, t):
        return c.get(path.format(id=t[name].id) if name else path, headers=h)

    return call


C = "/api/v1/corrective"
D = "/api/v1/deviations"
R = "/api/v1/change-requests"

ROWS: dict[tuple[str, str], Row] = {
    ("GET", C): Row(ANY, _get(C), scoped=False),
    ("GET", f"{C}/<int:assignment_id>"): Row(_READERS, _get(C + "/{id}", "corrective"), denied=404),
    ("POST", f"{C}/<int:assignment_id>/acknowledge"): Row(
        frozenset(), _post(C + "/{id}/acknowledge", "corrective"), denied=_assignee_only
    ),
    ("POST", f"{C}/<int:assignment_id>/close"): Row(
        frozenset(), _post(C + "/{id}/close", "corrective"), denied=_assignee_only
    ),
    ("POST", f"{C}/<int:assignment_id>/comment"): Row(
        _READERS, _post(C + "/{id}/comment", "corrective", {"comment": "смотрю"}), denied=404
    ),
    ("POST", f"{C}/<int:assignment_id>/escalate"): Row(
        frozenset({Role.manager}),
        _post(C + "/{id}/escalate", "corrective"),
        denied=_assignee_only,
        check=lambda r, t: "head.lipetsk" in [a["person_login"] for a in r.get_json()["issued"]],
    ),
    ("GET", "/api/v1/notifications"): Row(ANY, _get("/api/v1/notifications"), scoped=False),
    ("POST", "/api/v1/notifications/<int:notification_id>/read"): Row(
        frozenset(),
        lambda c, h, t: (
            t["corrective"],
            c.post(f"/api/v1/notifications/{_first_notification(t)}/read", headers=h, json={}),
        )[1],
        denied=404,  # somebody else's (head.lip's / head.tul's) notification
    ),
    ("GET", D): Row(_READERS, _get(D), scoped=False),
    ("GET", f"{D}/<int:deviation_id>"): Row(
        _READERS,
        lambda c, h, t: c.get(f"{D}/{t['corrective'].subject_id}", headers=h),
    ),
    ("POST", f"{D}/detect"): Row(
        frozenset(EDITORS),
        lambda c, h, t: c.post(
            f"{D}/detect",
            headers=h,
            json={"detectors": ["not_taken"], "standard": "employment.job-seeker-registration"},
        ),
        scoped=False,
    ),
    ("GET", f"{D}/detectors"): Row(
        frozenset({*EDITORS, *READERS}), _get(f"{D}/detectors"), scoped=False
    ),
    ("GET", f"{D}/configs"): Row(
        frozenset({*EDITORS, Role.auditor}), _get(f"{D}/configs"), scoped=False
    ),
    ("PUT", f"{D}/configs"): Row(
        frozenset(EDITORS),
        lambda c, h, t: c.put(
            f"{D}/configs",
            headers=h,
            json={"detector": "corridor", "standard_key": "matrix", "thresholds": {"min_cases": 3}},
        ),
        scoped=False,
    ),
    ("GET", f"{D}/effectiveness"): Row(_READERS, _get(f"{D}/effectiveness"), scoped=False),
    ("GET", R): Row(frozenset(REVIEWERS), _get(R), scoped=False),
    ("POST", f"{R}/check"): Row(
        frozenset(EDITORS), lambda c, h, t: c.post(f"{R}/check", headers=h, json={}), scoped=False
    ),
    ("GET", f"{R}/<int:request_id>"): Row(
        frozenset(REVIEWERS), _get(R + "/{id}", "change_request")
    ),
    ("POST", f"{R}/<int:request_id>/accept"): Row(
        frozenset(AUTHORS),
        _post(R + "/{id}/accept", "change_request"),
        denied=_authors,
        check=lambda r, t: r.get_json()["draft_version_number"] == 2,
    ),
    ("POST", f"{R}/<int:request_id>/reject"): Row(
        frozenset(AUTHORS), _post(R + "/{id}/reject", "change_request"), denied=_authors
    ),
}


def _first_notification(t: Targets) -> int:
    from sqlalchemy import select

    return t.session.scalars(
        select(Notification.id).where(Notification.assignment_id == t["corrective"].id)
    ).first()

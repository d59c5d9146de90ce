"""Matrix rows: standards, versions, diffs, comments, releases.

The target standard `matrix.<scope>` is owned by the target region and has version 1
published, version 2 approved (in an unpublished release) and version 3 a draft.
"""

from __future__ import annotations

import datetime as dt

from engine import org
from models import Role, StandardKind
from standards import approval, registry, releases
from standards.library import load_catalog
from standards.seeding import approve_as_system, load_sample_library
from tests.api.authz import ANY, REGION, Row, Targets, target

REVIEWERS = frozenset({Role.methodologist, Role.approver, Role.administrator, Role.auditor})
METHODOLOGIST = frozenset({Role.methodologist})
APPROVER = frozenset({Role.approver})
RELEASERS = METHODOLOGIST | APPROVER
SOURCE = "employment.job-seeker-registration"


def library_bytes(number: int) -> bytes:
    entry = next(e for e in load_catalog() if e.key == SOURCE)
    return entry.path(number).read_bytes()


def _hidden_unless_reviewer(role: str, scope: str) -> int:
    """Non-public versions: reviewers in scope lacking the role get 403; nobody else may even
    see them."""
    return 403 if role in REVIEWERS and scope == "in" else 404


@target("standard")
def _standard(t: Targets):
    session, system = t.session, t.system
    standard = registry.create_standard(
        session,
        system,
        key=f"matrix.{t.scope}",
        title="Матрица",
        kind=StandardKind.process,
        owning_unit=org.unit_by_code(session, REGION[t.scope]),
        process_id="JobSeekerRegistration",
    )
    first = registry.upload_version(session, system, standard, library_bytes(1)).version
    approve_as_system(session, system, first)
    published = releases.create_release(
        session, system, name="m1", effective_date=dt.date(2026, 1, 1), versions=[first]
    )
    releases.publish_release(session, system, published)
    second = registry.upload_version(session, system, standard, library_bytes(2)).version
    approve_as_system(session, system, second)
    t._made["release"] = releases.create_release(
        session, system, name="m2", effective_date=dt.date(2027, 1, 1), versions=[second]
    )
    draft = library_bytes(2).replace("Регистрация гражданина".encode(), "Учёт гражданина".encode())
    registry.upload_version(session, system, standard, draft)
    session.flush()
    session.refresh(standard)
    return standard


@target("release")
def _release(t: Targets):
    t["standard"]
    return t._made["release"]


def _key(t: Targets) -> str:
    return t["standard"].key


def _std(path: str):
    return lambda t: f"/api/v1/standards/{_key(t)}{path}"


def _get(path: str):
    url = _std(path)
    return lambda c, h, t: c.get(url(t), headers=h)


def _hidden_row(path: str) -> Row:
    return Row(REVIEWERS, _get(path), denied=_hidden_unless_reviewer)


def _upload(c, h, t):
    body = library_bytes(1).replace(b"isExecutable", b"isExecutable", 1) + b"\n<!-- new -->"
    return c.post(
        f"/api/v1/standards/{_key(t)}/versions",
        headers=h,
        data=body,
        content_type="application/xml",
    )


def _replace_draft(c, h, t):
    body = library_bytes(2) + b"\n"
    return c.put(
        f"/api/v1/standards/{_key(t)}/versions/3/bpmn",
        headers=h,
        data=body,
        content_type="application/xml",
    )


ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/api/v1/standards"): Row(
        ANY, lambda c, h, t: c.get("/api/v1/standards?page_size=500", headers=h), scoped=False
    ),
    ("POST", "/api/v1/standards"): Row(
        METHODOLOGIST,
        lambda c, h, t: c.post(
            "/api/v1/standards",
            headers=h,
            json={
                "key": "matrix.new",
                "title": "Новый",
                "kind": "process",
                "owning_unit_id": org.unit_by_code(t.session, REGION[t.scope]).id,
            },
        ),
        201,
    ),
    ("GET", "/api/v1/standards/<key>"): Row(ANY, _get(""), scoped=False),
    ("PATCH", "/api/v1/standards/<key>"): Row(
        METHODOLOGIST,
        lambda c, h, t: c.patch(_std("")(t), headers=h, json={"title": "Новое название"}),
    ),
    ("GET", "/api/v1/standards/<key>/versions"): Row(ANY, _get("/versions"), scoped=False),
    ("POST", "/api/v1/standards/<key>/versions"): Row(METHODOLOGIST, _upload, 201),
    ("GET", "/api/v1/standards/<key>/versions/<int:number>"): _hidden_row("/versions/3"),
    ("GET", "/api/v1/standards/<key>/versions/<int:number>/bpmn"): _hidden_row("/versions/3/bpmn"),
    ("PUT", "/api/v1/standards/<key>/versions/<int:number>/bpmn"): Row(
        METHODOLOGIST, _replace_draft, 201, denied=_hidden_unless_reviewer
    ),
    ("GET", "/api/v1/standards/<key>/versions/<int:number>/svg"): _hidden_row("/versions/2/svg"),
    ("GET", "/api/v1/standards/<key>/in-force"): Row(ANY, _get("/in-force"), scoped=False),
    ("GET", "/api/v1/standards/<key>/diff"): _hidden_row("/diff?from=1&to=3"),
    ("GET", "/api/v1/standards/<key>/diff/svg"): _hidden_row("/diff/svg?from=1&to=2"),
    ("GET", "/api/v1/standards/<key>/versions/<int:number>/comments"): _hidden_row(
        "/versions/3/comments"
    ),
    ("POST", "/api/v1/standards/<key>/versions/<int:number>/comments"): Row(
        REVIEWERS,
        lambda c, h, t: c.post(
            _std("/versions/3/comments")(t),
            headers=h,
            json={"body": "Уточнить срок", "element_id": "Task_Register"},
        ),
        201,
        denied=404,
    ),
    ("POST", "/api/v1/standards/<key>/versions/<int:number>/withdraw"): Row(
        APPROVER,
        lambda c, h, t: c.post(
            _std("/versions/1/withdraw")(t), headers=h, json={"reason": "Ошибка в нормативе"}
        ),
    ),
    ("GET", "/api/v1/standards/<key>/history"): Row(
        frozenset({Role.administrator, Role.auditor}), _get("/history")
    ),
    ("GET", "/api/v1/releases"): Row(
        RELEASERS, lambda c, h, t: c.get("/api/v1/releases", headers=h), scoped=False
    ),
    ("POST", "/api/v1/releases"): Row(
        RELEASERS,
        lambda c, h, t: c.post(
            "/api/v1/releases",
            headers=h,
            json={
                "name": "Релиз",
                "effective_date": "2027-02-01",
                "items": [{"key": _key(t), "number": 3}],
            },
        ),
        201,
    ),
    ("GET", "/api/v1/releases/<int:release_id>"): Row(
        RELEASERS, lambda c, h, t: c.get(f"/api/v1/releases/{t['release'].id}", headers=h)
    ),
    ("POST", "/api/v1/releases/<int:release_id>/publish"): Row(
        APPROVER,
        lambda c, h, t: c.post(f"/api/v1/releases/{t['release'].id}/publish", headers=h),
    ),
}


@target("approval_route")
def _approval_route(t: Targets):
    load_sample_library(t.session, t.system, {"etalon.standard-approval"})
    return approval.active_route(t.session)


@target("in_review")
def _in_review(t: Targets):
    """Version 3 of the target standard submitted: waiting at the lead methodologist."""
    t["approval_route"]
    standard = t["standard"]
    draft = registry.get_version(t.session, t.system, standard, 3)
    approval.submit_version(t.session, t.system, draft)
    return draft


def _decide(c, h, t):
    t["in_review"]
    return c.post(
        _std("/versions/3/decision")(t),
        headers=h,
        json={"decision": "return", "comment": "Уточнить"},
    )


# Stage roles are job roles: a system role alone never decides; reviewers in scope learn the
# version exists (403), nobody else does (404).
ROWS.update(
    {
        ("POST", "/api/v1/standards/<key>/versions/<int:number>/submit"): Row(
            METHODOLOGIST,
            lambda c, h, t: (
                t["approval_route"] and c.post(_std("/versions/3/submit")(t), headers=h, json={})
            ),
            denied=_hidden_unless_reviewer,
        ),
        ("GET", "/api/v1/standards/<key>/versions/<int:number>/approval"): _hidden_row(
            "/versions/3/approval"
        ),
        ("POST", "/api/v1/standards/<key>/versions/<int:number>/decision"): Row(
            frozenset(), _decide, denied=_hidden_unless_reviewer
        ),
        ("GET", "/api/v1/settings/approval-route"): Row(
            frozenset({Role.administrator, Role.methodologist, Role.approver}),
            lambda c, h, t: (
                t["approval_route"] and c.get("/api/v1/settings/approval-route", headers=h)
            ),
            scoped=False,
        ),
        ("PUT", "/api/v1/settings/approval-route"): Row(
            frozenset({Role.administrator}),
            lambda c, h, t: (
                t["approval_route"]
                and c.put(
                    "/api/v1/settings/approval-route",
                    headers=h,
                    json={"key": "etalon.standard-approval"},
                )
            ),
            scoped=False,
        ),
    }
)

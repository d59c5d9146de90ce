"""A methodologist's day through the HTTP API: upload, fix, submit, get returned, resubmit,
approval through all stages, a release, publication — and each bad path on the way."""

from __future__ import annotations

import datetime as dt

from lxml import etree

from bpmn.render.diff_view import ADDED
from tests.standards.conftest import REGISTRATION, library_file

BASE = f"/api/v1/standards/{REGISTRATION}"
XML = "application/xml"


def _upload(client, headers, body, **query):
    note = query.get("note", "")
    return client.post(f"{BASE}/versions?note={note}", data=body, content_type=XML, headers=headers)


def test_the_whole_life_of_a_version(client, token_for):
    author, lead = token_for("methodologist2"), token_for("methodologist")
    rostrud, mintrud, auditor = token_for("rostrud"), token_for("mintrud"), token_for("auditor")

    broken = library_file(REGISTRATION, 2).replace(
        b'targetRef="Task_Register"', b'targetRef="Task_Missing"', 1
    )
    created = _upload(client, author, broken, note="профилирование")
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    number = body["version"]["number"]
    assert body["created"] and body["version"]["error_count"] >= 1
    assert any(p["line"] and "Task_Missing" in p["message"] for p in body["version"]["problems"])

    refused = client.post(f"{BASE}/versions/{number}/submit", json={}, headers=author)
    assert refused.status_code == 422 and "validation error" in refused.get_json()["message"]

    fixed = client.put(
        f"{BASE}/versions/{number}/bpmn",
        data=library_file(REGISTRATION, 2) + b"\n",
        content_type=XML,
        headers=author,
    )
    assert fixed.status_code == 201 and fixed.get_json()["version"]["error_count"] == 0

    submitted = client.post(f"{BASE}/versions/{number}/submit", json={}, headers=author)
    assert submitted.status_code == 200
    assert submitted.get_json()["current_stage"]["role"] == "lead_methodologist"
    review = client.get(f"{BASE}/versions/{number}/approval", headers=lead).get_json()
    roles = {item.get("role") for item in review["impact"]["items"]}
    assert "career_consultant" in roles  # the approvers see what the change touches

    no_comment = client.post(
        f"{BASE}/versions/{number}/decision", json={"decision": "return"}, headers=lead
    )
    assert no_comment.status_code == 422 and "comment" in no_comment.get_json()["errors"]
    returned = client.post(
        f"{BASE}/versions/{number}/decision",
        json={"decision": "return", "comment": "Уточнить срок"},
        headers=lead,
    )
    assert returned.status_code == 200 and returned.get_json()["status"] == "draft"

    resubmitted = client.post(
        f"{BASE}/versions/{number}/submit", json={"comment": "Срок уточнён"}, headers=author
    )
    assert resubmitted.get_json()["status"] == "in_review"
    for headers in (lead, rostrud, mintrud):
        decided = client.post(
            f"{BASE}/versions/{number}/decision", json={"decision": "approve"}, headers=headers
        )
        assert decided.status_code == 200, decided.get_json()
    state = client.get(f"{BASE}/versions/{number}/approval", headers=author).get_json()
    assert state["status"] == "approved" and state["current_stage"] is None
    assert [d["decision"] for d in state["decisions"]] == [
        "return",
        "approve",
        "approve",
        "approve",
    ]

    immutable = client.put(
        f"{BASE}/versions/{number}/bpmn",
        data=library_file(REGISTRATION, 1),
        content_type=XML,
        headers=author,
    )
    assert immutable.status_code == 409

    today = dt.date.today().isoformat()
    release = client.post(
        "/api/v1/releases",
        headers=author,
        json={
            "name": "Регистрация 2027",
            "effective_date": today,
            "items": [{"key": REGISTRATION, "number": number}],
        },
    )
    assert release.status_code == 201
    published = client.post(f"/api/v1/releases/{release.get_json()['id']}/publish", headers=mintrud)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    in_force = client.get(f"{BASE}/in-force", headers=token_for("reg.lip")).get_json()
    assert in_force["number"] == number

    history = client.get(f"{BASE}/history", headers=auditor).get_json()
    actions = [entry["action"] for entry in history]
    for action in (
        "version.upload",
        "version.replace",
        "version.submit",
        "version.return",
        "version.approve",
        "version.publish",
    ):
        assert action in actions


def test_upload_forms_and_refusals(client, token_for, app):
    author = token_for("methodologist2")
    body = library_file(REGISTRATION, 2) + b"\n<!-- multipart -->"
    multipart = client.post(
        f"{BASE}/versions",
        headers=author,
        data={"file": (__import__("io").BytesIO(body), "v3.bpmn")},
        content_type="multipart/form-data",
    )
    assert multipart.status_code == 201
    same = _upload(client, author, body)
    assert same.status_code == 200 and same.get_json()["created"] is False

    unparseable = _upload(client, author, b"<?xml version='1.0'?>\n<definitions>\n<process")
    assert unparseable.status_code == 422
    problem = unparseable.get_json()["errors"]["problems"][0]
    assert problem["code"] == "xml.syntax" and problem["line"] >= 2

    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'
    )
    entity = _upload(client, author, hostile)
    assert entity.status_code == 422
    assert entity.get_json()["errors"]["problems"][0]["code"] == "xml.entity"

    wrong_type = client.post(
        f"{BASE}/versions", data=body, content_type="text/plain", headers=author
    )
    assert wrong_type.status_code == 415

    app.config["MAX_CONTENT_LENGTH"] = 2048
    too_big = client.post(f"{BASE}/versions", data=body, content_type=XML, headers=author)
    assert too_big.status_code == 413

    versions = client.get(f"{BASE}/versions", headers=author).get_json()
    assert [v["number"] for v in versions] == [1, 2, 3]


def test_reading_diffs_and_pictures(client, token_for):
    reviewer = token_for("rostrud")
    diff = client.get(f"{BASE}/diff?from=1&to=2", headers=reviewer).get_json()
    assert "Task_Profile" in {item["id"] for item in diff["added"]}
    assert "Task_OfferVacancies" in {item["id"] for item in diff["changed"]}
    assert any("профилирование" in line for line in diff["summary"])

    picture = client.get(f"{BASE}/diff/svg?from=1&to=2", headers=reviewer)
    assert picture.mimetype == "image/svg+xml"
    svg = etree.fromstring(picture.data)
    added = svg.xpath("//*[@data-element-id='Task_Profile']")
    assert added and ADDED.fill in etree.tostring(added[0]).decode()

    bpmn = client.get(f"{BASE}/versions/1/bpmn", headers=reviewer)
    assert bpmn.mimetype == "application/xml" and bpmn.headers["ETag"].startswith('"')
    assert client.get(f"{BASE}/versions/1/svg", headers=reviewer).mimetype == "image/svg+xml"
    missing = client.get(f"{BASE}/versions/99", headers=reviewer)
    assert missing.status_code == 404
    unknown = client.get("/api/v1/standards/no.such-standard", headers=reviewer)
    assert unknown.status_code == 404


def test_comments_on_elements(client, token_for):
    reviewer = token_for("rostrud")
    created = client.post(
        f"{BASE}/versions/2/comments",
        headers=reviewer,
        json={"body": "Почему 2 дня?", "element_id": "Task_OfferVacancies"},
    )
    assert created.status_code == 201
    bad = client.post(
        f"{BASE}/versions/2/comments", headers=reviewer, json={"body": "?", "element_id": "Nope"}
    )
    assert bad.status_code == 422
    listed = client.get(f"{BASE}/versions/2/comments", headers=reviewer).get_json()
    assert [(c["element_id"], c["author_login"]) for c in listed] == [
        ("Task_OfferVacancies", "rostrud")
    ]


def test_wrong_transition_names_the_allowed_ones(client, token_for):
    response = client.post(f"{BASE}/versions/1/submit", json={}, headers=token_for("methodologist"))
    assert response.status_code == 409
    assert response.get_json()["details"]["allowed"] == ["withdraw"]


def test_approval_stages_are_decided_only_through_the_registry(client, token_for):
    author, lead = token_for("methodologist2"), token_for("methodologist")
    body = library_file(REGISTRATION, 2) + b"\n<!-- bypass -->"
    number = _upload(client, author, body).get_json()["version"]["number"]
    client.post(f"{BASE}/versions/{number}/submit", json={}, headers=author)
    stage = client.get(f"{BASE}/versions/{number}/approval", headers=lead).get_json()
    task_id = stage["current_stage"]["task_id"]
    mine = client.get("/api/v1/tasks/mine", headers=lead).get_json()
    assert task_id in [task["id"] for task in mine]
    bypass = client.post(
        f"/api/v1/tasks/{task_id}/complete",
        headers=lead,
        json={"data": {"decision": "approve", "comment": ""}},
    )
    assert bypass.status_code == 409 and "decision" in bypass.get_json()["message"]
    state = client.get(f"{BASE}/versions/{number}/approval", headers=lead).get_json()
    assert state["status"] == "in_review" and state["decisions"] == []

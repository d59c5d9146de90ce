"""POST /events over HTTP: JSON, {"events": [...]} and NDJSON bodies, per-event errors,
regional refusals, idempotent replays, malformed bodies."""

from __future__ import annotations

import json

from tests.api.authz_measurement import case_events

URL = "/api/v1/events"


def test_a_json_batch_is_stored_and_a_replay_reports_duplicates(client, token_for):
    headers = token_for("ris.lipetsk")
    events = case_events("in", "api")
    first = client.post(URL, headers=headers, json=events)
    assert first.status_code == 200
    assert first.get_json() | {"duplicates": None} == {
        "received": 3,
        "accepted": 3,
        "duplicates": None,
        "rejected": [],
        "refused": [],
    }
    again = client.post(URL, headers=headers, json={"events": events})
    assert again.status_code == 200
    assert again.get_json()["accepted"] == 0
    assert sorted(again.get_json()["duplicates"]) == [e["event_id"] for e in events]


def test_ndjson_with_invalid_and_foreign_events(client, token_for):
    events = case_events("in", "nd")
    events[1]["checkpoint_id"] = "CP_NOT_THERE"
    foreign = case_events("out", "nd")[0]
    body = "\n".join(json.dumps(e) for e in [*events, foreign]) + "\n"
    response = client.post(
        URL,
        headers={**token_for("ris.lipetsk"), "Content-Type": "application/x-ndjson"},
        data=body.encode(),
    )
    report = response.get_json()
    assert response.status_code == 200
    assert report["accepted"] == 2
    assert [(r["index"], list(r["errors"])) for r in report["rejected"]] == [(1, ["checkpoint_id"])]
    assert report["refused"] == [{"index": 3, "event_id": foreign["event_id"], "office": "R71-TUL"}]


def test_malformed_bodies(client, token_for):
    headers = token_for("ris.lipetsk")
    bad_json = client.post(URL, headers={**headers, "Content-Type": "application/json"}, data="[")
    assert bad_json.status_code == 400 and bad_json.get_json()["code"] == "bad_request"
    bad_line = client.post(
        URL, headers={**headers, "Content-Type": "application/x-ndjson"}, data='{"a": 1}\n{'
    )
    assert bad_line.status_code == 400 and "Line 2" in bad_line.get_json()["message"]
    not_a_list = client.post(URL, headers=headers, json={"event": {}})
    assert not_a_list.status_code == 400
    wrong_type = client.post(URL, headers={**headers, "Content-Type": "text/plain"}, data="x")
    assert wrong_type.status_code == 415
    too_many = client.post(URL, headers=headers, json=[{}] * 10_001)
    assert too_many.status_code == 422


def test_only_regional_systems_push(client, token_for):
    response = client.post(URL, headers=token_for("auditor"), json=case_events("in", "x"))
    assert response.status_code == 403

"""POST /events over HTTP: JSON, {"events": [...]} and NDJSON bodies, per-event errors,
regional refusals, idempotent replays, malformed bodies; the fold queue, `?fold=now` and
GET /events/backlog."""

from __future__ import annotations

import json

from sqlalchemy import select

from engine import org
from engine.fold import fold_queued
from models import IndicatorRollup
from tests.api.authz_measurement import KEY, case_events

URL = "/api/v1/events"


def test_a_json_batch_is_stored_and_a_replay_reports_duplicates(client, token_for):
    headers = token_for("ris.lipetsk")
    events = case_events("in", "api")
    first = client.post(URL, headers=headers, json=events)
    assert first.status_code == 200
    assert first.get_json() | {"duplicates": None} == {
        "received": 3,
        "accepted": 3,
        "queued": 3,
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


def _on_time_in_lipetsk(session) -> list[int]:
    office = org.unit_by_code(session, "R48-LIP")
    return session.scalars(
        select(IndicatorRollup.count).where(
            IndicatorRollup.standard_key == KEY,
            IndicatorRollup.indicator_id == "IND_REG_ON_TIME",
            IndicatorRollup.unit_id == office.id,
            IndicatorRollup.granularity == "day",
        )
    ).all()


def test_accepted_events_wait_in_the_backlog_until_folded(client, session, token_for):
    backlog_url = f"{URL}/backlog"
    before = client.get(backlog_url, headers=token_for("auditor")).get_json()["pending"]
    pushed = client.post(URL, headers=token_for("ris.lipetsk"), json=case_events("in", "bl"))
    assert pushed.get_json()["queued"] == 3
    waiting = client.get(backlog_url, headers=token_for("ris.lipetsk")).get_json()
    assert waiting["pending"] == before + 3 and waiting["oldest_recorded_at"]
    assert _on_time_in_lipetsk(session) == []
    fold_queued(session)
    session.flush()
    assert client.get(backlog_url, headers=token_for("auditor")).get_json()["pending"] == 0
    assert _on_time_in_lipetsk(session) == [1]


def test_fold_now_folds_in_the_request(client, session, token_for):
    headers = token_for("ris.lipetsk")
    response = client.post(f"{URL}?fold=now", headers=headers, json=case_events("in", "now"))
    assert (response.get_json()["accepted"], response.get_json()["queued"]) == (3, 0)
    assert _on_time_in_lipetsk(session) == [1]
    assert client.post(f"{URL}?fold=later", headers=headers, json=[]).status_code == 422

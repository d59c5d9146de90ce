"""The loop end to end through the HTTP API and `etalon loop`, on data of `etalon simulate`:
detection on demand, the manager's assignment, acknowledgement and comment, escalation by the
CLI, recovery, effective closure, notifications, the effectiveness report, a change request
accepted into a linked draft, the daily digest."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from api.cli import cli
from tests.engine.loop_data import (
    PLAN,
    SUPPORT,
    T1,
    T2,
    digest_cases,
    recovered_returns,
    red_returns,
)


@pytest.fixture
def etalon(app):
    def run(*args: str):
        result = CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return run


def _lipetsk_returns(items):
    return next(
        a
        for a in items
        if a["payload"]["detector"] == "corridor"
        and a["payload"]["standard"] == SUPPORT
        and a["payload"]["indicator"] == "IND_RETURNS"
        and a["payload"]["unit_code"] == "R48-LIP"
    )


def test_the_loop_through_the_api_and_the_cli(client, session, token_for, etalon):
    etalon(
        "simulate",
        "--months",
        str(PLAN.months),
        "--scale",
        str(PLAN.scale),
        "--seed",
        str(PLAN.seed),
        "--start",
        PLAN.start.isoformat(),
    )
    red_returns(session)
    methodologist, head_lip = token_for("methodologist"), token_for("head.lip")
    head_region = token_for("head.lipetsk")

    runs = client.post(
        "/api/v1/deviations/detect", headers=methodologist, json={"now": T1.isoformat()}
    )
    assert runs.status_code == 200 and sum(r["opened"] for r in runs.get_json()) > 0
    assert client.post("/api/v1/deviations/detect", headers=head_lip, json={}).status_code == 403

    mine = client.get("/api/v1/corrective?scope=mine&page_size=500", headers=head_lip).get_json()
    assert mine and {a["person_login"] for a in mine} == {"head.lip"}
    task = _lipetsk_returns(mine)
    assert "Рекомендуемые действия:" in task["payload"]["text"]
    assert task["payload"]["figures"]["status"] == "red"
    url = f"/api/v1/corrective/{task['id']}"
    acknowledged = client.post(f"{url}/acknowledge", headers=head_lip, json={"comment": "принято"})
    assert acknowledged.get_json()["status"] == "acknowledged", acknowledged.get_json()
    commented = client.post(f"{url}/comment", headers=head_lip, json={"comment": "разбор назначен"})
    assert commented.get_json()["history"][-1]["comment"] == "разбор назначен"
    assert client.post(f"{url}/close", headers=head_region, json={}).status_code == 403

    units = client.get("/api/v1/corrective?scope=unit&page_size=500", headers=head_region)
    assert task["id"] in [a["id"] for a in units.get_json()]

    escalated = etalon("loop", "escalate", "--now", "2026-10-20")
    assert "issued one level up" in escalated
    region_task = _lipetsk_returns(
        client.get("/api/v1/corrective?scope=mine&page_size=500", headers=head_region).get_json()
    )
    assert region_task["payload"]["escalation_level"] == 1
    assert "head.lipetsk" in etalon("loop", "assignments", "head.lipetsk")

    recovered_returns(session)
    output = etalon(
        "loop",
        "detect",
        "--now",
        T2.strftime("%Y-%m-%dT%H:%M"),
        "--detector",
        "corridor",
        "--standard",
        SUPPORT,
    )
    assert "recovered" in output
    shown = client.get(url, headers=head_lip).get_json()
    assert shown["payload"]["recovered"]["value"] == 0.0
    closed = client.post(f"{url}/close", headers=head_lip, json={"comment": "вернулись в коридор"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "done"
    deviation = client.get(
        f"/api/v1/deviations/{task['subject_id']}", headers=head_region
    ).get_json()
    assert (deviation["status"], deviation["effective"]) == ("closed", True)
    assert {a["status"] for a in deviation["assignments"]} == {"done"}
    assert (
        client.get(
            f"/api/v1/deviations/{task['subject_id']}", headers=token_for("head.tula")
        ).status_code
        == 404
    )

    events = {
        n["event"]
        for n in client.get("/api/v1/notifications?page_size=500", headers=head_lip).get_json()
    }
    assert {"assignment.issued", "deviation.recovered"} <= events

    report = client.get("/api/v1/deviations/effectiveness", headers=head_region).get_json()
    lipetsk = next(r for r in report if r["unit_code"] == "R48-LIP")
    assert lipetsk["closed_effective"] >= 1 and lipetsk["escalated"] >= 1
    assert "R48-LIP" in etalon("loop", "report", "--as", "head.lipetsk")

    opened = client.post(
        "/api/v1/change-requests/check", headers=methodologist, json={"now": T1.isoformat()}
    ).get_json()
    assert opened and all(len(r["evidence"]["regions"]) >= 2 for r in opened)
    decided = etalon("loop", "decide", str(opened[0]["id"]), "accept", "--as", "methodologist")
    assert "accepted: draft v" in decided
    request = client.get(f"/api/v1/change-requests/{opened[0]['id']}", headers=methodologist)
    assert request.get_json()["status"] == "accepted"
    assert request.get_json()["draft_version_number"] >= 2

    digest_cases(session, T1.date().replace(day=14))
    digest = etalon("loop", "digest", "--now", "2026-10-15T05:00")
    assert "на утро 15.10.2026" in digest and "--- reg.lip" in digest

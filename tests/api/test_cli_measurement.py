"""`etalon simulate`, `etalon events push|fold|backlog` and `etalon indicators …` in process."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select

from api.cli import cli
from models import CheckpointEvent, IndicatorRollup
from tests.api.authz_measurement import case_events


@pytest.fixture
def etalon(app):
    def run(*args: str):
        return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)

    return run


def test_simulate_is_deterministic_and_idempotent_and_feeds_the_indicators(
    etalon, session, tmp_path
):
    first = etalon("simulate", "--months", "1", "--scale", "0.1", "--seed", "7")
    assert first.exit_code == 0, first.output
    stored = session.scalar(select(func.count()).where(CheckpointEvent.source == "simulation"))
    assert stored > 500
    assert f"{stored} events ({stored} new, 0 duplicates, 0 rejected)" in first.output
    again = etalon("simulate", "--months", "1", "--scale", "0.1", "--seed", "7")
    assert f"{stored} events (0 new, {stored} duplicates" in again.output
    assert session.scalar(select(func.count()).select_from(IndicatorRollup)) > 100

    shown = etalon("indicators", "show", "--level", "region", "--csv")
    assert shown.exit_code == 0
    header, *rows = shown.output.strip().splitlines()
    assert header.startswith("standard_key,indicator_id,unit_code")
    assert {row.split(",")[2] for row in rows} == {"R48", "R71", "R54"}
    assert all(row.rsplit(",", 1)[1] in {"green", "amber", "red", ""} for row in rows)
    index = etalon("indicators", "index", "--level", "office", "--standard",
                   "employment.job-seeker-registration")  # fmt: skip
    assert "R48-GRZ" in index.output
    on_time = etalon("indicators", "show", "--level", "office", "--indicator", "IND_REG_ON_TIME",
                     "--unit", "R48", "--csv")  # fmt: skip
    value_of = {r.split(",")[2]: float(r.split(",")[5]) for r in on_time.output.splitlines()[1:]}
    assert value_of["R48-GRZ"] < value_of["R48-LIP"]  # the slow office deviates
    output = tmp_path / "heat.svg"
    heat = etalon("indicators", "heatmap", "employment.job-seeker-registration", "-o", str(output))
    assert heat.exit_code == 0
    assert etree.fromstring(output.read_bytes()).tag == "{http://www.w3.org/2000/svg}svg"


def test_events_push_as_a_regional_system(etalon, tmp_path):
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join(json.dumps(e) for e in case_events("in", "cli")), encoding="utf-8")
    result = etalon("events", "push", str(path), "--as", "ris.lipetsk")
    assert result.exit_code == 0
    assert json.loads(result.output)["accepted"] == json.loads(result.output)["queued"] == 3
    waiting = json.loads(etalon("events", "backlog").output)
    assert waiting["pending"] == 3 and waiting["oldest_recorded_at"]
    folded = etalon("events", "fold", "--batch", "2")
    assert folded.output.strip() == "3 events folded, 0 pending"
    assert json.loads(etalon("events", "backlog").output)["pending"] == 0


def test_events_push_with_fold(etalon, session, tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(case_events("in", "cli-now")), encoding="utf-8")
    result = etalon("events", "push", str(path), "--as", "ris.lipetsk", "--fold")
    assert json.loads(result.output)["queued"] == 0
    assert session.scalar(select(func.count()).select_from(IndicatorRollup)) > 0

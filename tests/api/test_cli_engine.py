"""`etalon run`, `etalon worker`, `etalon instances …`, `etalon calendar load`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from api.cli import cli
from models import CalendarDay, Timer
from standards.library import library_path
from tests.engine.conftest import linear_bpmn, publish, publish_library

LIB = library_path()
REGISTRATION = LIB / "employment.job-seeker-registration" / "v1.bpmn"


@pytest.fixture
def etalon(app):
    def run(*args: str):
        return CliRunner().invoke(cli, [str(a) for a in args], obj=app, catch_exceptions=False)

    return run


def run_file(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], obj=object(), catch_exceptions=False)


def test_run_a_library_file_to_the_end():
    result = run_file(
        "run",
        REGISTRATION,
        "--data",
        '{"channel": "epgu"}',
        "--choose",
        'Task_CheckApplication={"returned": false}',
        "--choose",
        'Task_Register={"registration_date": "2026-11-23"}',
        "--choose",
        'Task_OfferVacancies={"vacancies_offered": 2}',
    )
    assert result.exit_code == 0, result.output
    assert "outcome: completed" in result.output
    assert "CP_APPLICATION CP_DOCS_CHECKED CP_REGISTERED" in result.output
    assert "Task_OfferVacancies" in result.output


def test_run_json_with_a_supporting_file_and_a_stuck_run():
    social = LIB / "social.support-measure" / "v1.bpmn"
    request = LIB / "social.interagency-request" / "v1.bpmn"
    choices = [
        "--choose",
        'Task_CheckRight={"decision": "grant"}',
        "--choose",
        'Task_ReceiveResponse={"response_status": "received"}',
        "--choose",
        'Task_Approve={"returned": false}',
    ]
    result = run_file("run", social, "--with", request, "--json", *choices)
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["completed"] and "CP_DECISION" in body["checkpoints"]
    failed = run_file("run", social, "--with", request, "--json")  # no decision given
    assert failed.exit_code == 1 and json.loads(failed.output)["outcome"] == "failed"
    missing = run_file("run", social)  # the called process is not supplied
    assert missing.exit_code == 2 and "InteragencyRequest" in missing.output


def test_run_refuses_hostile_and_unreadable_files(tmp_path):
    evil = tmp_path / "evil.bpmn"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    result = run_file("run", evil)
    assert result.exit_code == 2 and "xml.entity" in result.output
    assert run_file("run", tmp_path / "absent.bpmn").exit_code == 2
    assert run_file("run", REGISTRATION, "--data", "[1]").exit_code == 2
    assert run_file("run", REGISTRATION, "--choose", "nojson").exit_code == 2


def test_instances_start_list_show_migrate(etalon, session):
    old = publish(session, "cli.std", linear_bpmn(2), process_id="Linear")
    new = publish(session, "cli.std", linear_bpmn(3), number=2)
    started = etalon("instances", "start", old.id, "R48-LIP", "--data", '{"a": 1}')
    assert started.exit_code == 0, started.output
    instance = json.loads(started.output)
    assert instance["status"] == "running" and instance["tasks"][0]["node_id"] == "Task_1"
    assert f"{instance['id']}\trunning\tcli.std v1\tR48-LIP" in etalon("instances", "list").output
    shown = json.loads(etalon("instances", "show", instance["id"]).output)
    assert shown["data"] == {"a": 1}
    report = json.loads(etalon("instances", "migrate", old.id, new.id, "--apply").output)
    assert report["moved"] == 1
    denied = etalon("instances", "start", old.id, "R48-LIP", "--as", "auditor")
    assert denied.exit_code == 1 and "role" in denied.output


def test_worker_once_and_calendar_load(etalon, session, tmp_path):
    publish_library(session, "employment.job-seeker-registration", 1)
    result = etalon("worker", "--once")
    assert result.exit_code == 0 and "0 timers fired" in result.output
    assert session.query(Timer).count() == 0
    year = tmp_path / "2031.json"
    year.write_text(
        json.dumps({"year": 2031, "days": [{"date": "2031-01-01", "kind": "holiday"}]}), "utf-8"
    )
    loaded = etalon("calendar", "load", year)
    assert loaded.exit_code == 0 and "calendar 2031: 1 special days" in loaded.output
    assert session.get(CalendarDay, dt.date(2031, 1, 1)).kind == "holiday"


def test_worker_command_runs_the_periodic_jobs(app, session):
    """`etalon worker --once` folds pushed events (one of `api.jobs.WORKER_JOBS`)."""
    from click.testing import CliRunner

    from api.cli import cli
    from api.jobs import WORKER_JOBS
    from engine.fold import backlog
    from engine.ingest import ingest_events
    from tests.engine.test_ingest import actor_of, case_events

    assert len(WORKER_JOBS) == len(set(WORKER_JOBS)) == 7
    ingest_events(session, actor_of(session, "ris.lipetsk"), case_events("c-worker"))
    session.flush()
    assert backlog(session).pending == 3
    result = CliRunner().invoke(cli, ["worker", "--once"], obj=app, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert backlog(session).pending == 0

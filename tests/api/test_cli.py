"""The `etalon` command line, in process, against the test database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from api.cli import cli
from engine.identity import authenticate
from models import Person, RoleGrant, Unit


@pytest.fixture
def etalon(app):
    def run(*args: str):
        return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)

    return run


def test_help_lists_the_contract(etalon):
    result = etalon("--help")
    assert result.exit_code == 0
    for name in ("db", "seed", "token", "serve", "org"):
        assert name in result.output


def test_seed_is_idempotent(etalon, session):
    before = session.scalar(select(func.count(Person.id)))
    result = etalon("seed")
    assert result.exit_code == 0
    assert "0 units, 0 people, 0 grants created" in result.output
    assert session.scalar(select(func.count(Person.id))) == before


def test_token_create_prints_only_a_working_token(etalon, session):
    result = etalon("token", "create", "methodologist")
    assert result.exit_code == 0
    secret = result.output.strip()
    assert "\n" not in secret and secret.startswith("etl_")
    actor = authenticate(session, secret)
    assert actor is not None and actor.login == "methodologist"


def test_token_for_unknown_login_fails_cleanly(etalon):
    result = etalon("token", "create", "nobody")
    assert result.exit_code == 1
    assert "nobody" in result.output


def test_org_import_from_csv_files(etalon, session, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(
        "code,name,level,parent\nR48-CHP,ЦЗН Чаплыгинского района,office,R48\n"
        "R48-CHP-REG,Отдел регистрации,department,R48-CHP\n",
        encoding="utf-8",
    )
    people = tmp_path / "people.csv"
    people.write_text(
        "login,name,unit,email,kind,grants\n"
        "reg.chp,Петрова Мария,R48-CHP-REG,,human,"
        "employee@R48-CHP;registration_specialist@R48-CHP\n",
        encoding="utf-8",
    )
    assert json.loads(etalon("org", "import", str(units)).output)["units_created"] == 2
    summary = json.loads(etalon("org", "import", str(people)).output)
    assert summary == {"units_created": 0, "people_created": 1, "grants_created": 2}
    office = session.scalars(select(Unit).where(Unit.code == "R48-CHP")).one()
    assert office.parent.code == "R48"
    roles = set(
        session.scalars(
            select(RoleGrant.role)
            .join(Person, RoleGrant.person_id == Person.id)
            .where(Person.login == "reg.chp")
        )
    )
    assert roles == {"employee", "registration_specialist"}
    # Importing again creates nothing.
    assert json.loads(etalon("org", "import", str(people)).output)["people_created"] == 0


def test_org_import_reports_bad_rows(etalon, tmp_path):
    bad = tmp_path / "units.json"
    bad.write_text(
        json.dumps({"units": [{"code": "X", "name": "x", "level": "office", "parent": "NOPE"}]})
    )
    result = etalon("org", "import", str(bad))
    assert result.exit_code == 1
    assert "unknown parent 'NOPE'" in result.output

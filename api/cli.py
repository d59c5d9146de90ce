"""The `etalon` command line. Commands call the same domain operations as the API and commit
explicitly; they act as the system actor unless a command says otherwise."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import click
from alembic import command as alembic_command
from sqlalchemy.orm import Session

from api import create_app
from api.db import db
from engine import identity, org
from engine.access import Actor
from engine.errors import DomainError
from migrations import alembic_config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Etalon: BPMN process standards for public services."""
    if ctx.obj is None:  # tests pass an app of their own
        ctx.obj = create_app()


@contextlib.contextmanager
def domain_session(ctx: click.Context) -> Iterator[Session]:
    """A session that commits when the block succeeds; domain errors end the command cleanly."""
    app = ctx.obj  # the Flask app
    with app.app_context():
        session = db.new_session()
        try:
            yield session
            session.commit()
        except DomainError as exc:
            session.rollback()
            raise click.ClickException(exc.message) from None
        finally:
            session.close()


# --- database -------------------------------------------------------------------------------


@cli.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@click.pass_obj
def db_upgrade(app, revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    alembic_command.upgrade(alembic_config(app.config["DATABASE_URL"]), revision)


@db_group.command("downgrade")
@click.argument("revision")
@click.pass_obj
def db_downgrade(app, revision: str) -> None:
    """Migrate the database down to REVISION (`base` empties it)."""
    alembic_command.downgrade(alembic_config(app.config["DATABASE_URL"]), revision)


@db_group.command("current")
@click.pass_obj
def db_current(app) -> None:
    """Show the database's current revision."""
    alembic_command.current(alembic_config(app.config["DATABASE_URL"]))


# --- org structure and tokens ---------------------------------------------------------------


def sample_org() -> dict:
    return json.loads(resources.files("engine").joinpath("data/sample_org.json").read_text("utf-8"))


@cli.command("seed")
@click.pass_context
def seed(ctx: click.Context) -> None:
    """Load the sample org structure (and sample standards); running it again changes nothing."""
    from standards.seeding import load_sample_library

    with domain_session(ctx) as session:
        actor = Actor.system("seed")
        summary = org.import_org(session, actor, sample_org())
        library = load_sample_library(session, actor)
    click.echo(
        f"org: {summary.units_created} units, {summary.people_created} people, "
        f"{summary.grants_created} grants created"
    )
    click.echo(str(library))


@cli.group("org")
def org_group() -> None:
    """Org structure: units, people, grants."""


@org_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def org_import(ctx: click.Context, file: Path) -> None:
    """Import units, people and grants from a JSON or CSV FILE (see README)."""
    data = read_org_file(file)
    with domain_session(ctx) as session:
        summary = org.import_org(session, Actor.system("cli"), data)
    click.echo(json.dumps(summary.to_dict()))


def read_org_file(path: Path) -> dict:
    """JSON as `etalon seed` uses it, or a CSV of units (`code,name,level,parent`) or of people
    (`login,name,unit,email,kind,grants` with grants as `role@UNIT;role@UNIT`)."""
    text = path.read_text("utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{path}: not valid JSON ({exc})") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise click.ClickException(f"{path}: no rows")
    if "level" in rows[0]:
        return {"units": [{k: v or None for k, v in row.items()} for row in rows]}
    if "login" in rows[0]:
        people = []
        for row in rows:
            grants = [
                {"role": role, "unit": unit}
                for role, _, unit in (
                    g.partition("@") for g in (row.get("grants") or "").split(";")
                )
                if role
            ]
            people.append(
                {
                    "login": row["login"],
                    "name": row["name"],
                    "unit": row["unit"],
                    "email": row.get("email") or None,
                    "kind": row.get("kind") or "human",
                    "grants": grants,
                }
            )
        return {"people": people}
    raise click.ClickException(f"{path}: a CSV needs a `level` (units) or `login` (people) column")


@cli.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.argument("login")
@click.option("--name", default="cli", help="A label for the token.")
@click.option("--days", default=None, type=click.IntRange(1, 3650), help="Lifetime in days.")
@click.pass_context
def token_create(ctx: click.Context, login: str, name: str, days: int | None) -> None:
    """Create a token for LOGIN and print only the token."""
    lifetime = days or ctx.obj.config["TOKEN_TTL_DAYS"]
    with domain_session(ctx) as session:
        person = org.person_by_login(session, login)
        _, secret = identity.create_token(
            session,
            Actor.system("cli"),
            person,
            name=name,
            expires_in=dt.timedelta(days=lifetime),
        )
    click.echo(secret)


# --- serving ----------------------------------------------------------------------------------


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.pass_obj
def serve(app, host: str, port: int) -> None:
    """Run the built-in server (for one machine; use gunicorn in production)."""
    from werkzeug.serving import run_simple

    click.echo(f"Etalon on http://{host}:{port}/api/v1/docs  (database: {_safe_url(app)})")
    sys.stdout.flush()
    run_simple(host, port, app, threaded=True, use_reloader=False)


def _safe_url(app) -> str:
    from sqlalchemy.engine import make_url

    return make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)


def _register_command_modules() -> None:
    from api import (
        cli_bpmn,
        cli_distribution,
        cli_engine,
        cli_graph,
        cli_loop,
        cli_measurement,
        cli_standards,
    )

    cli.add_command(cli_bpmn.bpmn_group)
    cli.add_command(cli_standards.standards_group)
    cli.add_command(cli_distribution.roles_group)
    for command in (*cli_engine.ENGINE_COMMANDS, *cli_graph.GRAPH_COMMANDS):
        cli.add_command(command)
    for command in cli_measurement.MEASUREMENT_COMMANDS:
        cli.add_command(command)
    cli.add_command(cli_loop.loop_group)


_register_command_modules()


def main() -> None:
    cli(prog_name="etalon")


if __name__ == "__main__":
    main()

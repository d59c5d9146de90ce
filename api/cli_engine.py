"""`etalon run`, `etalon worker`, `etalon instances …` and `etalon calendar load`: the execution
engine on the command line.

`etalon run` exits 0 when the process completed, 1 when it did not (stuck, step limit, a
failure while running), 2 when the file cannot be read or is refused (hostile XML, unsafe
expressions, no runnable process) or the options are malformed.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import click

from bpmn.errors import BpmnError
from engine.errors import DomainError
from engine.tryout import run_tryout

logger = logging.getLogger(__name__)

EXIT_COMPLETED, EXIT_NOT_COMPLETED, EXIT_REFUSED = 0, 1, 2


def _json_option(ctx: click.Context, text: str, what: str) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        click.echo(f"{what} is not valid JSON: {exc}", err=True)
        ctx.exit(EXIT_REFUSED)
    if not isinstance(value, dict):
        click.echo(f"{what} must be a JSON object", err=True)
        ctx.exit(EXIT_REFUSED)
    return value


def _read(ctx: click.Context, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        click.echo(f"{path}: cannot be read ({exc.strerror})", err=True)
        ctx.exit(EXIT_REFUSED)
        raise


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", "data_text", default="{}", help="Initial case data as a JSON object.")
@click.option(
    "--choose",
    "choices",
    multiple=True,
    metavar="TASK=JSON",
    help="Data a task (by id or name) is completed with; naming a timer fires it early.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--with",
    "supporting",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A supporting BPMN file providing processes the call activities call.",
)
@click.option("--trusted", is_flag=True, help="Let script tasks run (trusted standards only).")
@click.option("--process", "process_id", default=None, help="Which process to run.")
@click.pass_context
def run_command(
    ctx: click.Context,
    file: Path,
    data_text: str,
    choices: tuple[str, ...],
    as_json: bool,
    supporting: tuple[Path, ...],
    trusted: bool,
    process_id: str | None,
) -> None:
    """Try FILE out in memory: the path taken, checkpoints reached, the final data."""
    data = _json_option(ctx, data_text, "--data")
    chosen: dict[str, dict] = {}
    for choice in choices:
        task, sep, text = choice.partition("=")
        if not sep or not task:
            click.echo(f"--choose {choice!r}: expected TASK=JSON", err=True)
            ctx.exit(EXIT_REFUSED)
        chosen[task] = _json_option(ctx, text or "{}", f"--choose {task}")
    main = _read(ctx, file)
    others = [_read(ctx, path) for path in supporting]
    try:
        result = run_tryout(
            main,
            data=data,
            choices=chosen,
            supporting=others,
            trusted=trusted,
            process_id=process_id,
        )
    except BpmnError as exc:
        from api.cli_bpmn import _refusal_lines

        for line in _refusal_lines(str(file), exc):
            click.echo(line, err=True)
        ctx.exit(EXIT_REFUSED)
    except DomainError as exc:  # unsafe expressions, reserved ids, no runnable process
        click.echo(f"{file}: {exc.message}", err=True)
        ctx.exit(EXIT_REFUSED)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_tryout(result)
    ctx.exit(EXIT_COMPLETED if result.completed else EXIT_NOT_COMPLETED)


def _print_tryout(result) -> None:
    click.echo(f"process: {result.process_id}")
    click.echo(f"outcome: {result.outcome}")
    for step in result.path:
        click.echo(f"  {step.kind:<22} {step.node_id}  {step.name or ''}".rstrip())
    click.echo(f"checkpoints: {' '.join(result.checkpoints) or '-'}")
    for timer in result.timers:
        click.echo(f"timer fired: {timer.node_id} (due {timer.due}, {timer.calendar})")
    click.echo(f"data: {json.dumps(result.to_dict()['data'], ensure_ascii=False)}")
    if result.error:
        click.echo(f"error at {result.error_node}: {result.error}")


@click.command("worker")
@click.option("--once", is_flag=True, help="One pass, then exit (tests, cron).")
@click.option("--interval", default=5.0, type=click.FloatRange(0.05), show_default=True)
@click.pass_obj
def worker_command(app, once: bool, interval: float) -> None:
    """Background work: fire due timers, fold pushed events, deliver webhooks, run detectors,
    escalations, digests and the change-request check. Several workers may run at once."""
    from api.db import db
    from api.jobs import WORKER_JOBS
    from engine.worker import run_worker

    logging.getLogger("engine").setLevel(logging.INFO)
    with app.app_context():
        try:
            fired = run_worker(db.new_session, once=once, interval=interval, jobs=WORKER_JOBS)
        except KeyboardInterrupt:
            fired = None
    if fired is not None:
        click.echo(f"{fired} timers fired")


# --- instances and the calendar (database) ------------------------------------------------


def _session(ctx: click.Context):
    from api.cli import domain_session  # api.cli imports this module: import late

    return domain_session(ctx)


def _actor(session, login: str | None):
    from engine.access import Actor, load_actor
    from engine.org import person_by_login

    return (
        Actor.system("cli")
        if login is None
        else load_actor(session, person_by_login(session, login).id)
    )


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _instance_dict(instance, *, detail: bool = False) -> dict[str, Any]:
    result = {
        "id": instance.id,
        "standard": instance.standard.key,
        "version": instance.version.number,
        "version_id": instance.version_id,
        "unit": instance.unit.code,
        "status": str(instance.status),
        "started_at": instance.started_at.isoformat(),
        "data": instance.data,
    }
    if detail:
        result["tasks"] = [
            {
                "id": t.id,
                "node_id": t.node_id,
                "role": t.role,
                "status": str(t.status),
                "completed_by": t.completed_by_login,
                "data": t.completed_data,
            }
            for t in instance.tasks
        ]
    return result


@click.group("instances")
def instances_group() -> None:
    """Process instances: start, list, show, migrate."""


@instances_group.command("start")
@click.argument("version_id", type=int)
@click.argument("unit_code")
@click.option("--data", "data_text", default="{}", help="Initial case data (JSON object).")
@click.option("--as", "login", default=None, help="Act as this login (default: the system).")
@click.pass_context
def instances_start(
    ctx: click.Context, version_id: int, unit_code: str, data_text: str, login: str | None
) -> None:
    """Start an instance of VERSION_ID in the office UNIT_CODE; print it as JSON."""
    from engine.errors import NotFound
    from engine.instances import start_instance
    from engine.org import unit_by_code
    from models import StandardVersion

    data = _json_option(ctx, data_text, "--data")
    with _session(ctx) as session:
        version = session.get(StandardVersion, version_id)
        if version is None:
            raise NotFound(f"Standard version {version_id} not found.")
        actor = _actor(session, login)
        instance = start_instance(session, actor, version, unit_by_code(session, unit_code), data)
        _echo_json(_instance_dict(instance, detail=True))


@instances_group.command("list")
@click.option("--status", default=None, help="running, completed, failed or cancelled")
@click.option("--standard", "standard_key", default=None, help="Standard key.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
@click.pass_context
def instances_list(ctx: click.Context, status: str | None, standard_key: str | None, limit: int):
    """List instances, newest first, one per line."""
    from engine.access import Actor
    from engine.instances import InstanceFilter, query_instances
    from models import InstanceStatus

    filters = InstanceFilter(
        status=InstanceStatus(status) if status else None, standard_key=standard_key
    )
    with _session(ctx) as session:
        for instance in session.scalars(query_instances(Actor.system("cli"), filters).limit(limit)):
            click.echo(
                f"{instance.id}\t{instance.status}\t{instance.standard.key} "
                f"v{instance.version.number}\t{instance.unit.code}\t"
                f"{instance.started_at:%Y-%m-%d %H:%M}"
            )


@instances_group.command("show")
@click.argument("instance_id", type=int)
@click.pass_context
def instances_show(ctx: click.Context, instance_id: int) -> None:
    """Show an instance with its tasks as JSON."""
    from engine.access import Actor
    from engine.instances import get_instance

    with _session(ctx) as session:
        instance = get_instance(session, Actor.system("cli"), instance_id)
        _echo_json(_instance_dict(instance, detail=True))


@instances_group.command("migrate")
@click.argument("from_version_id", type=int)
@click.argument("to_version_id", type=int)
@click.option("--apply", is_flag=True, help="Move them (default: a dry run).")
@click.pass_context
def instances_migrate(
    ctx: click.Context, from_version_id: int, to_version_id: int, apply: bool
) -> None:
    """Move the running instances of one version to a newer version of the same standard."""
    from engine.access import Actor
    from engine.errors import NotFound
    from engine.migration import migrate_instances
    from models import StandardVersion

    with _session(ctx) as session:
        source = session.get(StandardVersion, from_version_id)
        target = session.get(StandardVersion, to_version_id)
        if source is None or target is None:
            raise NotFound("Standard version not found.")
        report = migrate_instances(session, Actor.system("cli"), source, target, dry_run=not apply)
        _echo_json(report.to_dict())


@click.group("calendar")
def calendar_group() -> None:
    """The production calendar."""


@calendar_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def calendar_load(ctx: click.Context, file: Path) -> None:
    """Load a year of the production calendar from FILE (JSON: year, days)."""
    from engine.access import Actor
    from engine.calendar_store import load_calendar_year

    try:
        data = json.loads(file.read_text("utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file}: not valid JSON ({exc})") from None
    with _session(ctx) as session:
        year = load_calendar_year(session, Actor.system("cli"), data)
    click.echo(f"calendar {year.id}: {len(year.days)} special days loaded")


ENGINE_COMMANDS: list[click.Command] = [
    run_command,
    worker_command,
    instances_group,
    calendar_group,
]

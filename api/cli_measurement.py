"""`etalon simulate`, `etalon events push|fold|backlog` and `etalon indicators …`: measurement
on the command line. Commands act as the system actor unless `--as LOGIN` says otherwise."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from engine.indicators import GRANULARITIES, LEVELS


def _session(ctx: click.Context):
    from api.cli import domain_session  # api.cli imports this module: import late

    return domain_session(ctx)


def _actor(session, login: str | None):
    from engine.access import Actor, load_actor
    from engine.org import person_by_login

    if login is None:
        return Actor.system("cli")
    return load_actor(session, person_by_login(session, login).id)


def _unit_id(session, code: str | None) -> int | None:
    from engine.org import unit_by_code

    return unit_by_code(session, code).id if code else None


@click.command("simulate")
@click.option("--months", default=3, show_default=True, type=click.IntRange(1, 36))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0.01, 1000))
@click.option(
    "--start",
    default="2026-01-01",
    show_default=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="First simulated day.",
)
@click.pass_context
def simulate_command(ctx: click.Context, months: int, seed: int, scale: float, start) -> None:
    """Push simulated checkpoint events for the sample library over the sample org: seasonal
    load, working hours, a few deviating offices. Deterministic per seed; re-running is
    idempotent."""
    from engine.simulation import SimulationPlan, simulate

    plan = SimulationPlan(start=start.date(), months=months, seed=seed, scale=scale)
    with _session(ctx) as session:
        report = simulate(session, plan, progress=lambda n: click.echo(f"  {n} events…", err=True))
    click.echo(
        f"{report.events} events ({report.accepted} new, {report.duplicates} duplicates, "
        f"{report.rejected} rejected) for {report.cases} cases in {report.seconds} s; "
        f"{report.folded} folded"
    )


@click.group("events")
def events_group() -> None:
    """Checkpoint events."""


@events_group.command("push")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "login", required=True, help="The regional system's login.")
@click.option("--fold", is_flag=True, help="Fold the new events now instead of queueing them.")
@click.pass_context
def events_push(ctx: click.Context, file: Path, login: str, fold: bool) -> None:
    """Push events from FILE (a JSON list or NDJSON) as LOGIN; print the report as JSON. New
    events are queued for the fold (`etalon worker`, `etalon events fold`) unless --fold."""
    from engine.ingest import ingest_events

    text = file.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("["):
        events = json.loads(text)
    else:
        events = [json.loads(line) for line in text.splitlines() if line.strip()]
    with _session(ctx) as session:
        report = ingest_events(session, _actor(session, login), events, fold=fold)
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))


@events_group.command("fold")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 100_000))
@click.pass_obj
def events_fold(app, batch: int) -> None:
    """Fold every queued event into traces, conformance and rollups now, one committed
    transaction per batch (what `etalon worker` does in the background)."""
    from api.db import db
    from engine.fold import backlog, fold_backlog

    with app.app_context():
        folded = fold_backlog(db.new_session, batch=batch)
        with db.new_session() as session:
            left = backlog(session).pending
    click.echo(f"{folded} events folded, {left} pending")


@events_group.command("backlog")
@click.pass_context
def events_backlog(ctx: click.Context) -> None:
    """How many accepted events wait for the fold, and since when (JSON)."""
    from engine.fold import backlog

    with _session(ctx) as session:
        click.echo(json.dumps(backlog(session).to_dict()))


@click.group("indicators")
def indicators_group() -> None:
    """Indicators, the quality index and heatmaps (read from rollups)."""


def _filter_options(command):
    options = [
        click.option("--standard", default=None, help="Standard key."),
        click.option("--indicator", default=None, help="Indicator id."),
        click.option("--unit", "unit_code", default=None, help="Unit code: its subtree."),
        click.option("--level", type=click.Choice(LEVELS), default=None),
        click.option(
            "--granularity", type=click.Choice(GRANULARITIES), default="month", show_default=True
        ),
        click.option("--from", "period_from", type=click.DateTime(["%Y-%m-%d"]), default=None),
        click.option("--to", "period_to", type=click.DateTime(["%Y-%m-%d"]), default=None),
        click.option("--csv", "as_csv", is_flag=True, help="CSV instead of a table."),
        click.option("--as", "login", default=None, help="Read as this login's scope."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _make_filter(session, options: dict[str, Any]):
    from engine.indicator_queries import IndicatorFilter

    def day(value) -> dt.date | None:
        return value.date() if value else None

    return IndicatorFilter(
        standard_key=options["standard"],
        indicator_id=options.get("indicator"),
        unit_id=_unit_id(session, options["unit_code"]),
        level=options["level"],
        granularity=options["granularity"],
        period_from=day(options["period_from"]),
        period_to=day(options["period_to"]),
    )


def _print(rows: list[dict[str, Any]], columns: list[str], as_csv: bool) -> None:
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return
    for row in rows:
        click.echo("  ".join("" if row.get(c) is None else str(row.get(c)) for c in columns))


@indicators_group.command("show")
@_filter_options
@click.pass_context
def indicators_show(ctx: click.Context, as_csv: bool, login: str | None, **options) -> None:
    """Indicator values with corridor status by unit level and period."""
    from engine.indicator_queries import query_indicators

    with _session(ctx) as session:
        values = query_indicators(session, _actor(session, login), _make_filter(session, options))
        rows = [v.to_dict() for v in values]
    columns = ["standard_key", "indicator_id", "unit_code", "period_start", "count", "value"]
    _print(rows, [*columns, "measure", "status"], as_csv)


@indicators_group.command("index")
@_filter_options
@click.pass_context
def indicators_index(ctx: click.Context, as_csv: bool, login: str | None, **options) -> None:
    """The integrated quality index per service, unit and period."""
    from engine.indicator_queries import query_quality_index

    with _session(ctx) as session:
        rows = query_quality_index(session, _actor(session, login), _make_filter(session, options))
    _print(rows, ["standard_key", "unit_code", "period_start", "score"], as_csv)


@indicators_group.command("heatmap")
@click.argument("standard")
@click.option("--metric", type=click.Choice(("duration", "breach_rate")), default="duration")
@click.option("--unit", "unit_code", default=None, help="Unit code (default: the federation).")
@click.option("--from", "period_from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--to", "period_to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def indicators_heatmap(
    ctx: click.Context, standard: str, metric: str, unit_code, period_from, period_to, output
) -> None:
    """Write STANDARD's diagram coloured by stage duration or breach rate as SVG."""
    from engine.heatmap import heatmap_svg

    with _session(ctx) as session:
        svg = heatmap_svg(
            session,
            _actor(session, None),
            standard_key=standard,
            metric=metric,
            unit_id=_unit_id(session, unit_code),
            period_from=period_from.date() if period_from else None,
            period_to=period_to.date() if period_to else None,
        )
    output.write_text(svg, encoding="utf-8")
    click.echo(f"{output}: {len(svg)} bytes")


MEASUREMENT_COMMANDS: list[click.Command] = [simulate_command, events_group, indicators_group]

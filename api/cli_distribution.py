"""`etalon roles …`: the per-role view on the command line."""

from __future__ import annotations

import datetime as dt
import json

import click

from engine.access import Actor


def _session(ctx: click.Context):
    from api.cli import domain_session  # api.cli imports this module: import late

    return domain_session(ctx)


@click.group("roles")
def roles_group() -> None:
    """Job roles of the standards in force."""


@roles_group.command("show")
@click.argument("role")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True, help="The API's JSON instead of text.")
@click.pass_context
def roles_show(ctx: click.Context, role: str, on: dt.datetime | None, as_json: bool) -> None:
    """What ROLE (a code or a Russian name) does across the standards in force."""
    from standards.roles_view import role_view

    with _session(ctx) as session:
        view = role_view(session, Actor.system("cli"), role, on.date() if on else None)
    if as_json:
        click.echo(json.dumps(view.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{view.name or view.code} ({view.code}) — {len(view.operations)} operations, "
        f"{len(view.standards)} standards in force on {view.on.isoformat()}"
    )
    current = None
    for op in view.operations:
        if op.standard_key != current:
            current = op.standard_key
            click.echo(f"\n{op.standard_title} [{op.standard_key} v{op.version}]")
        deadline = (
            f" — срок {op.deadline['iso']} ({op.deadline['calendar']})" if op.deadline else ""
        )
        click.echo(f"  • {op.name or op.node_id}{deadline}")
        if op.result:
            click.echo(f"      результат: {op.result}")
        for form in op.forms:
            click.echo(f"      форма: {form['code']} {form['name'] or ''}".rstrip())
        for card in op.technology_cards:
            click.echo(f"      технокарта: {card['ref']} {card['title'] or ''}".rstrip())
        for document in op.documents:
            click.echo(f"      документ: {document.title} ({document.url})")
        if op.calls:
            click.echo(f"      вызывает: {op.calls}")

"""`etalon standards …`: the registry from the command line.

Commands act as the person given with `--as LOGIN` (their roles and scope apply), or as the
system when it is left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli import domain_session
from bpmn.errors import BpmnError
from engine.access import Actor, load_actor
from engine.org import person_by_login, unit_by_code
from models import StandardCategory, StandardKind
from standards import approval, diffs, registry, releases


def _actor(session, login: str | None) -> Actor:
    if login is None:
        return Actor.system("cli")
    return load_actor(session, person_by_login(session, login).id)


def _problems(version) -> list[str]:
    return [
        f"  line {p.get('line') or '?'}: {p['severity']} {p['code']} "
        f"[{p.get('element_id') or '-'}] {p['message']}"
        for p in version.problems
    ]


as_option = click.option("--as", "login", default=None, help="Act as this login.")


@click.group("standards")
def standards_group() -> None:
    """The standards registry: upload, list, show, diff, submit, decide, release, publish."""


@standards_group.command("create")
@click.argument("key")
@click.option("--title", required=True)
@click.option("--kind", type=click.Choice([k.value for k in StandardKind]), default="process")
@click.option("--category", type=click.Choice([c.value for c in StandardCategory]), default="main")
@click.option("--service-code", default=None)
@click.option("--unit", "unit_code", default="FED", show_default=True, help="Owning unit code.")
@as_option
@click.pass_context
def create(ctx, key, title, kind, category, service_code, unit_code, login) -> None:
    """Register a new standard KEY."""
    with domain_session(ctx) as session:
        standard = registry.create_standard(
            session,
            _actor(session, login),
            key=key,
            title=title,
            kind=StandardKind(kind),
            category=StandardCategory(category),
            service_code=service_code,
            owning_unit=unit_by_code(session, unit_code),
        )
        click.echo(f"created {standard.key}")


@standards_group.command("upload")
@click.argument("key")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="What this version changes.")
@as_option
@click.pass_context
def upload(ctx, key: str, file: Path, note: str, login: str | None) -> None:
    """Upload FILE as the next draft version of KEY (exit 1 when it has errors)."""
    errors = 0
    try:
        with domain_session(ctx) as session:
            actor = _actor(session, login)
            standard = registry.get_standard(session, actor, key)
            result = registry.upload_version(session, actor, standard, file.read_bytes(), note=note)
            version = result.version
            if not result.created:
                click.echo(f"{key}: identical to version {version.number}; nothing stored")
                return
            errors = version.error_count
            click.echo(
                f"{key} v{version.number}: draft, {version.error_count} error(s), "
                f"{version.warning_count} warning(s)"
            )
            for line in _problems(version):
                click.echo(line)
    except BpmnError as exc:
        click.echo(f"{file}: refused: {exc.message}", err=True)
        for problem in exc.problems:
            click.echo(f"  line {problem.line or '?'}: {problem.code} {problem.message}", err=True)
        ctx.exit(2)
    if errors:
        ctx.exit(1)


@standards_group.command("list")
@click.option("--status", default=None)
@click.option("--kind", default=None)
@click.option("--service-code", default=None)
@click.option("--json", "as_json", is_flag=True)
@as_option
@click.pass_context
def list_(ctx, status, kind, service_code, as_json, login) -> None:
    """List standards with their latest version and the version in force."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        filters = registry.StandardFilter(status=status, kind=kind, service_code=service_code)
        rows = []
        for standard in session.scalars(registry.visible_standards(actor, filters)):
            in_force = registry.version_in_force(session, standard)
            visible = registry.visible_versions(actor, standard)
            latest = visible[-1] if visible else None
            rows.append(
                {
                    "key": standard.key,
                    "title": standard.title,
                    "kind": str(standard.kind),
                    "in_force": in_force.number if in_force else None,
                    "latest": latest.number if latest else None,
                    "latest_status": str(latest.status) if latest else None,
                }
            )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        click.echo(
            f"{row['key']:40} in force v{row['in_force'] or '-'}  latest "
            f"v{row['latest'] or '-'} ({row['latest_status'] or '-'})  {row['title']}"
        )


@standards_group.command("show")
@click.argument("key")
@click.argument("number", type=int, required=False)
@as_option
@click.pass_context
def show(ctx, key: str, number: int | None, login: str | None) -> None:
    """Show a standard's versions, or one version with its problems and approval state."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        standard = registry.get_standard(session, actor, key)
        if number is None:
            click.echo(f"{standard.key}: {standard.title} ({standard.kind}, {standard.category})")
            for version in registry.visible_versions(actor, standard):
                click.echo(
                    f"  v{version.number} {version.status:10} errors {version.error_count}"
                    f" warnings {version.warning_count}  {version.note}"
                )
            return
        version = registry.get_version(session, actor, standard, number)
        click.echo(
            f"{version.label}: {version.status}, sha256 {version.sha256[:12]}…, "
            f"route {version.approval_route or '-'}"
        )
        for line in _problems(version):
            click.echo(line)
        stage = approval.current_stage(session, version)
        if stage is not None:
            click.echo(f"  waiting at «{stage.name}» ({stage.node_id}) for role {stage.role}")
        for decision in approval.decisions_of(session, actor, version):
            click.echo(
                f"  {decision.at:%Y-%m-%d %H:%M} {decision.stage}: {decision.decision} "
                f"{decision.comment}"
            )


@standards_group.command("diff")
@click.argument("key")
@click.argument("old", type=int)
@click.argument("new", type=int)
@click.option("--json", "as_json", is_flag=True)
@as_option
@click.pass_context
def diff(ctx, key, old, new, as_json, login) -> None:
    """Diff versions OLD and NEW of KEY."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        result = diffs.diff_versions(
            session, actor, registry.get_standard(session, actor, key), old, new
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
    else:
        click.echo("\n".join(result.diff.summary()) or "no semantic changes")


@standards_group.command("submit")
@click.argument("key")
@click.argument("number", type=int)
@click.option("--comment", default="", help="After a return: what was fixed.")
@as_option
@click.pass_context
def submit(ctx, key, number, comment, login) -> None:
    """Submit draft NUMBER of KEY for approval."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        version = registry.get_version(
            session, actor, registry.get_standard(session, actor, key), number
        )
        approval.submit_version(session, actor, version, comment=comment)
        stage = approval.current_stage(session, version)
        click.echo(f"{version.label}: {version.status}, waiting at «{stage.name}» ({stage.role})")


@standards_group.command("decide")
@click.argument("key")
@click.argument("number", type=int)
@click.argument("decision", type=click.Choice(approval.DECISIONS))
@click.option("--comment", default="")
@click.option("--as", "login", required=True, help="The login of the stage's role holder.")
@click.pass_context
def decide(ctx, key, number, decision, comment, login) -> None:
    """Approve or return version NUMBER of KEY at its current stage."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        version = registry.get_version(
            session, actor, registry.get_standard(session, actor, key), number
        )
        outcome = approval.decide(session, actor, version, decision=decision, comment=comment)
        after = f", next «{outcome.next_stage.name}»" if outcome.next_stage else ""
        click.echo(f"{version.label}: {decision} → {version.status}{after}")


@standards_group.command("release")
@click.argument("name")
@click.argument("items", nargs=-1, required=True)
@click.option("--effective", type=click.DateTime(["%Y-%m-%d"]), required=True)
@as_option
@click.pass_context
def release(ctx, name, items, effective, login) -> None:
    """Assemble release NAME from ITEMS written KEY@NUMBER; prints its id."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        versions = []
        for item in items:
            key, _, number = item.partition("@")
            if not number.isdigit():
                raise click.BadParameter(f"{item!r}: write KEY@NUMBER")
            standard = registry.get_standard(session, actor, key)
            versions.append(registry.get_version(session, actor, standard, int(number)))
        created = releases.create_release(
            session, actor, name=name, effective_date=effective.date(), versions=versions
        )
        session.flush()
        click.echo(created.id)


@standards_group.command("publish")
@click.argument("release_id", type=int)
@as_option
@click.pass_context
def publish(ctx, release_id, login) -> None:
    """Publish release RELEASE_ID: all its versions, or none."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        published = releases.publish_release(
            session, actor, releases.get_release(session, actor, release_id)
        )
        for version in published.versions:
            click.echo(f"{version.label}: published, effective {version.effective_from}")

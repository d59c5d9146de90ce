"""`etalon loop …`: the closed loop on the command line — detectors, corrective assignments,
escalation, digests, change requests, the effectiveness report. Commands act as the system
actor unless `--as LOGIN` says otherwise; `--now` replays the loop at another moment."""

from __future__ import annotations

import datetime as dt
import json

import click


def _session(ctx: click.Context):
    from api.cli import domain_session  # api.cli imports this module: import late

    return domain_session(ctx)


def _actor(session, login: str | None):
    from engine.access import Actor, load_actor
    from engine.org import person_by_login

    if login is None:
        return Actor.system("cli")
    return load_actor(session, person_by_login(session, login).id)


def _now(value: dt.datetime | None) -> dt.datetime:
    from models import utcnow

    if value is None:
        return utcnow()
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


NOW = click.option(
    "--now",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
    help="As of this moment (UTC), default now.",
)
AS = click.option("--as", "login", help="Act as this person (default: the system).")


@click.group("loop")
def loop_group() -> None:
    """Deviations, corrective assignments, digests and change requests."""


@loop_group.command("detect")
@click.option("--detector", "detectors", multiple=True, help="Only these detectors.")
@click.option("--standard", help="Only this standard.")
@NOW
@AS
@click.pass_context
def detect_command(ctx, detectors, standard, now, login) -> None:
    """Run detectors on demand and issue corrective assignments."""
    from engine.detectors.runner import run_detectors

    with _session(ctx) as session:
        runs = run_detectors(
            session,
            _actor(session, login),
            now=_now(now),
            detectors=list(detectors) or None,
            standard_key=standard,
        )
        for run in runs:
            if run.findings or run.outcome.recovered:
                o = run.outcome
                click.echo(
                    f"{run.detector:17} {run.standard_key:36} found {run.findings:3}  "
                    f"opened {o.opened}  recovered {o.recovered}  assignments {o.assignments}"
                )
        click.echo(f"{sum(r.findings for r in runs)} finding(s) in {len(runs)} run(s)")


@loop_group.command("assignments")
@click.argument("login")
@click.option("--unit", "unit_scope", is_flag=True, help="My units' instead of my own.")
@click.pass_context
def assignments_command(ctx, login, unit_scope) -> None:
    """Corrective assignments of LOGIN (or of the units LOGIN reads)."""
    from engine.assignments import AssignmentFilter, visible_assignments
    from engine.corrective import CORRECTIVE

    with _session(ctx) as session:
        actor = _actor(session, login)
        query = visible_assignments(actor, AssignmentFilter(kind=CORRECTIVE, mine=not unit_scope))
        for a in session.scalars(query):
            level = a.payload.get("escalation_level", 0)
            recovered = " [в коридоре]" if a.payload.get("recovered") else ""
            click.echo(
                f"#{a.id:<5} {a.status:12} {a.person.login:16} {a.unit.code:8} "
                f"уровень {level}{recovered}  {a.title}"
            )


@loop_group.command("show")
@click.argument("assignment_id", type=int)
@AS
@click.pass_context
def show_command(ctx, assignment_id, login) -> None:
    """The text of a corrective assignment, its cases and history."""
    from engine.assignments import get_assignment

    with _session(ctx) as session:
        a = get_assignment(session, _actor(session, login), assignment_id)
        click.echo(f"Задача #{a.id}: {a.title}\nСтатус: {a.status}  Срок: {a.due_at:%d.%m.%Y}")
        click.echo(a.payload.get("text", ""))
        for case in a.payload.get("cases", [])[:20]:
            click.echo(f"  {json.dumps(case, ensure_ascii=False)}")
        for event in a.events:
            click.echo(
                f"  {event.at:%d.%m.%Y %H:%M} {event.actor_login}: {event.to_status} "
                f"{event.comment}"
            )


@loop_group.command("acknowledge")
@click.argument("assignment_id", type=int)
@AS
@click.option("--comment", default="")
@click.pass_context
def acknowledge_command(ctx, assignment_id, login, comment) -> None:
    """Acknowledge a corrective assignment."""
    from engine.assignments import change_status, get_assignment
    from models import AssignmentStatus

    with _session(ctx) as session:
        actor = _actor(session, login)
        assignment = get_assignment(session, actor, assignment_id)
        change_status(session, actor, assignment, AssignmentStatus.acknowledged, comment=comment)
        click.echo(f"#{assignment.id} {assignment.status}")


@loop_group.command("comment")
@click.argument("assignment_id", type=int)
@click.argument("text")
@AS
@click.pass_context
def comment_command(ctx, assignment_id, text, login) -> None:
    """Add a comment to an assignment's history."""
    from engine.corrective import comment_on

    with _session(ctx) as session:
        comment_on(session, _actor(session, login), assignment_id, text)
        click.echo(f"#{assignment_id} commented")


@loop_group.command("close")
@click.argument("assignment_id", type=int)
@AS
@click.option("--comment", default="")
@NOW
@click.pass_context
def close_command(ctx, assignment_id, login, comment, now) -> None:
    """Close a corrective assignment (effective when its indicator has recovered)."""
    from engine.corrective import close_corrective, deviation_of

    with _session(ctx) as session:
        actor = _actor(session, login)
        assignment = close_corrective(session, actor, assignment_id, comment=comment, now=_now(now))
        deviation = deviation_of(session, assignment)
        verdict = "результативно" if deviation.effective else "без возврата в коридор"
        click.echo(f"#{assignment.id} {assignment.status}: {verdict}")


@loop_group.command("escalate")
@click.argument("assignment_id", type=int, required=False)
@AS
@NOW
@click.pass_context
def escalate_command(ctx, assignment_id, login, now) -> None:
    """Escalate one assignment by hand, or (without an id) every overdue one."""
    from engine.escalation import escalate_corrective, escalate_overdue

    with _session(ctx) as session:
        actor = _actor(session, login)
        if assignment_id is None:
            issued = escalate_overdue(session, actor, _now(now))
            click.echo(f"{issued} assignment(s) issued one level up")
            return
        issued = escalate_corrective(session, actor, assignment_id, now=_now(now))
        click.echo(f"#{assignment_id} escalated to {', '.join(a.person.login for a in issued)}")


@loop_group.command("digest")
@NOW
@click.pass_context
def digest_command(ctx, now) -> None:
    """Issue today's informational tasks (daily digest) to employees."""
    from engine.access import Actor
    from engine.digest import issue_digests

    with _session(ctx) as session:
        issued = issue_digests(session, Actor.system("cli"), _now(now))
        click.echo(f"{len(issued)} informational task(s)")
        for a in issued:
            click.echo(f"--- {a.person.login}\n{a.payload['text']}")


@loop_group.command("change-requests")
@click.option("--check", is_flag=True, help="Look for systemic deviations first.")
@NOW
@click.pass_context
def change_requests_command(ctx, check, now) -> None:
    """Change requests (open ones first), after an optional check."""
    from engine.access import Actor
    from models import ChangeRequest
    from standards.change_requests import open_change_requests

    with _session(ctx) as session:
        if check:
            opened = open_change_requests(session, Actor.system("cli"), _now(now))
            click.echo(f"{len(opened)} change request(s) opened")
        for request in session.query(ChangeRequest).order_by(ChangeRequest.id):
            draft = f" → v{request.draft_version.number}" if request.draft_version else ""
            click.echo(f"#{request.id} {request.status:9} {request.title}{draft}")


@loop_group.command("decide")
@click.argument("request_id", type=int)
@click.argument("decision", type=click.Choice(["accept", "reject"]))
@AS
@click.option("--comment", default="")
@click.pass_context
def decide_command(ctx, request_id, decision, login, comment) -> None:
    """Accept (a linked draft version is created) or reject a change request."""
    from models import utcnow
    from standards.change_requests import decide_change_request

    with _session(ctx) as session:
        request = decide_change_request(
            session,
            _actor(session, login),
            request_id,
            accept=decision == "accept",
            comment=comment,
            now=utcnow(),
        )
        draft = f": draft v{request.draft_version.number}" if request.draft_version else ""
        click.echo(f"#{request.id} {request.status}{draft}")


@loop_group.command("report")
@AS
@NOW
@click.pass_context
def report_command(ctx, login, now) -> None:
    """Effectiveness: per unit, assignments issued/closed/escalated, indicators before/after."""
    from engine.detectors.base import number
    from engine.effectiveness import effectiveness_report

    with _session(ctx) as session:
        for row in effectiveness_report(session, _actor(session, login), now=_now(now)):
            click.echo(
                f"{row.unit_code:8} отклонений {row.deviations}, заданий {row.assignments_issued},"
                f" закрыто {row.assignments_closed} (результативно {row.closed_effective}),"
                f" эскалировано {row.escalated}"
            )
            for i in row.indicators:
                click.echo(
                    f"    {i.standard_key} {i.indicator_id}: было {number(i.before)}, "
                    f"стало {number(i.after)}"
                )

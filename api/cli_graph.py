"""`etalon graph …`, `etalon study …`, `etalon assignments …`: the dependency graph, impact
reports and assignments from the command line.

Commands act as the person given with `--as LOGIN` (their roles and scope apply), or as the
system when it is left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from api.cli import domain_session
from api.cli_standards import _actor, as_option
from engine import assignments
from engine.org import person_by_login, unit_by_code
from models import AssignmentStatus
from standards import registry, study
from standards.graph import role_node
from standards.graph_store import cache_info, forget_graphs, read_graph
from standards.graph_svg import render_neighbourhood
from standards.impact_review import version_impact


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group("graph")
def graph_group() -> None:
    """The dependency graph: stats, export, where-used, role dependencies, impact."""


@graph_group.command("stats")
@click.option("--rebuild", is_flag=True, help="Drop this process's cached graph first.")
@click.pass_context
def stats(ctx, rebuild: bool) -> None:
    """Nodes, edges and how the cached graph stands."""
    with domain_session(ctx) as session:
        if rebuild:
            forget_graphs()
        graph = read_graph(session, _actor(session, None))
        _echo_json({**graph.stats(), **cache_info(session)})


@graph_group.command("export")
@click.option("--node", default=None, help="Only this node's neighbourhood.")
@click.option("--radius", type=click.IntRange(1, 3), default=1, show_default=True)
@click.option("--svg", "as_svg", is_flag=True, help="An SVG picture (needs --node).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@as_option
@click.pass_context
def export(ctx, node, radius, as_svg, output, login) -> None:
    """Node-link JSON of the graph (or an SVG of a node's neighbourhood)."""
    if as_svg and node is None:
        raise click.UsageError("--svg needs --node.")
    with domain_session(ctx) as session:
        graph = read_graph(session, _actor(session, login), node)
        if as_svg:
            text = render_neighbourhood(graph, node, radius)
        else:
            text = json.dumps(graph.node_link(node, radius), ensure_ascii=False, default=str)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")


@graph_group.command("where-used")
@click.argument("node")
@as_option
@click.pass_context
def where_used(ctx, node, login) -> None:
    """Everything pointing at NODE (e.g. document:technology_card:TK-REG-01), by relation."""
    with domain_session(ctx) as session:
        graph = read_graph(session, _actor(session, login), node)
        for relation, nodes in graph.where_used(node).items():
            for other in nodes:
                click.echo(f"{relation}\t{other}\t{graph.label(other)}")
        if graph.describe(node)["kind"] == "process":
            for caller, chain in graph.callers(node.split(":", 1)[1]):
                click.echo(f"calls*\t{caller}\t{graph.label(caller)}\t{' → '.join(chain)}")


@graph_group.command("role")
@click.argument("code")
@as_option
@click.pass_context
def role(ctx, code, login) -> None:
    """What the job role CODE depends on."""
    with domain_session(ctx) as session:
        graph = read_graph(session, _actor(session, login), role_node(code))
        for kind, nodes in graph.role_dependencies(code).items():
            for node in nodes:
                click.echo(f"{kind}\t{node}\t{graph.label(node)}")


@graph_group.command("impact")
@click.argument("key")
@click.argument("number", type=int)
@click.option("--json", "as_json", is_flag=True)
@as_option
@click.pass_context
def impact(ctx, key, number, as_json, login) -> None:
    """The ranked, explained impact of version NUMBER of KEY against the version in force."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        report = version_impact(session, actor, registry.get_standard(session, actor, key), number)
        if as_json:
            _echo_json(report.to_dict())
        else:
            click.echo(report.to_text())


@click.group("study")
def study_group() -> None:
    """Study (read-and-confirm) assignments of published versions."""


@study_group.command("issue")
@click.argument("key")
@click.argument("number", type=int)
@click.option("--unit", "unit_code", required=True, help="Unit code, e.g. R48-LIP.")
@click.option("--role", "role_code", default=None, help="Only the holders of this job role.")
@click.option("--person", "person_login", default=None, help="Only this person of the unit.")
@as_option
@click.pass_context
def study_issue(ctx, key, number, unit_code, role_code, person_login, login) -> None:
    """Issue study of version NUMBER of KEY to a unit, a role in it, or one person."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        person = person_by_login(session, person_login) if person_login else None
        issued = study.issue_study(
            session,
            actor,
            registry.get_standard(session, actor, key),
            number,
            unit=unit_by_code(session, unit_code),
            role=role_code,
            person=person,
        )
        for assignment in issued:
            click.echo(f"{assignment.id}\t{assignment.person.login}\t{assignment.unit.code}")
        click.echo(f"issued: {len(issued)}", err=True)


@study_group.command("completion")
@click.argument("key")
@click.argument("number", type=int)
@as_option
@click.pass_context
def study_completion(ctx, key, number, login) -> None:
    """Completion of the study of version NUMBER of KEY, per unit."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        standard = registry.get_standard(session, actor, key)
        for row in study.study_completion(session, actor, standard, number):
            click.echo(
                f"{row.unit_code}\t{row.done}/{row.total} done\t{row.overdue} overdue\t"
                f"{row.share_done:g}%"
            )


@click.group("assignments")
def assignments_group() -> None:
    """Assignments of every kind: list, confirm, flag overdue."""


@assignments_group.command("list")
@click.option("--kind", default=None)
@click.option("--status", type=click.Choice([s.value for s in AssignmentStatus]), default=None)
@as_option
@click.pass_context
def assignments_list(ctx, kind, status, login) -> None:
    """Assignments the actor may see (their own and their scope's)."""
    with domain_session(ctx) as session:
        query = assignments.visible_assignments(
            _actor(session, login), assignments.AssignmentFilter(kind=kind, status=status)
        )
        for a in session.scalars(query):
            due = a.due_at.date().isoformat() if a.due_at else "-"
            click.echo(f"{a.id}\t{a.kind}\t{a.status}\t{a.person.login}\t{due}\t{a.title}")


@assignments_group.command("done")
@click.argument("assignment_id", type=int)
@click.option("--comment", default="")
@as_option
@click.pass_context
def assignments_done(ctx, assignment_id, comment, login) -> None:
    """Complete an assignment (for study: confirm it was studied)."""
    with domain_session(ctx) as session:
        actor = _actor(session, login)
        assignment = assignments.get_assignment(session, actor, assignment_id)
        assignments.change_status(
            session, actor, assignment, AssignmentStatus.done, comment=comment
        )
        click.echo(f"{assignment.id}\t{assignment.status}")


@assignments_group.command("flag-overdue")
@click.pass_context
def flag_overdue(ctx) -> None:
    """Flag open assignments past their due date overdue (the worker does it every pass)."""
    with domain_session(ctx) as session:
        click.echo(f"flagged: {assignments.flag_overdue(session, _actor(session, None))}")


GRAPH_COMMANDS = (graph_group, study_group, assignments_group)

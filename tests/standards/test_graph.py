"""The dependency graph: built from the registry, updated incrementally (equal to a rebuild),
followed by other processes through the change log, queried; call cycles refused at upload;
the HTTP and CLI faces."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import select

from api.cli import cli
from models import GraphChange, StandardVersion, VersionStatus, utcnow
from standards import graph_store, registry
from standards.graph import DependencyGraph, build_graph
from standards.graph_svg import render_neighbourhood
from tests.standards.conftest import REGISTRATION, library_file


def _v2(session, standard, key=REGISTRATION) -> StandardVersion:
    return session.scalars(
        select(StandardVersion).where(
            StandardVersion.standard_id == standard(key).id, StandardVersion.number == 2
        )
    ).one()


def _same(a: DependencyGraph, b: DependencyGraph) -> bool:
    def edges(g):
        return sorted((u, v, d["relation"]) for u, v, d in g.graph.edges(data=True))

    return sorted(a.graph.nodes) == sorted(b.graph.nodes) and edges(a) == edges(b)


def test_graph_of_the_sample_library(session):
    graph_store.forget_graphs()
    graph = graph_store.current_graph(session)
    assert graph.stats()["standards"] == 8
    used = graph.where_used("process:InteragencyRequest")
    assert "process:SocialSupportMeasure" in used["calls"]
    callers = dict(graph.callers("InteragencyRequest"))
    assert set(callers) == {"process:SocialSupportMeasure", "process:EmploymentOfficeModel"}
    supported = graph.successors("process:InteragencyRequest", "supports")
    assert "process:UnemploymentBenefit" in supported
    assert {"region:R48", "region:R71", "region:R54"} == set(graph.regions_running(REGISTRATION))
    career = graph.role_dependencies("career_consultant")
    assert career["operations"] == ["operation:UnemploymentBenefit/Task_Interview"]
    assert career["standards"] == ["standard:employment.unemployment-benefit"]
    data = graph.node_link("process:InteragencyRequest")
    assert {"nodes", "edges"} <= data.keys() and len(data["nodes"]) > 3
    svg = render_neighbourhood(graph, "process:InteragencyRequest")
    assert svg.startswith("<svg") and "Назначение меры социальной поддержки" in svg
    assert "javascript" not in svg.lower() and "http://www.w3.org/2000/svg" in svg


def test_publication_updates_the_graph_incrementally_like_a_rebuild(session, standard, publish_now):
    graph = graph_store.current_graph(session)
    before = graph_store.cache_info(session)["rebuilds"]
    publish_now(_v2(session, standard))
    graph = graph_store.current_graph(session)
    assert graph_store.cache_info(session)["rebuilds"] == before  # no rebuild
    assert graph.in_force(REGISTRATION).number == 2
    assert "operation:JobSeekerRegistration/Task_OfferVacancies" in graph.successors(
        "role:career_consultant", "performs"
    )
    assert graph.successors("role:employer_specialist", "performs") == []
    rebuilt = build_graph(
        (graph.in_force(key), [graph_store.Region(c, "") for c in ("R48", "R54", "R71")])
        for key in graph.standards
    )
    assert _same(graph, rebuilt)


def test_other_processes_and_rollbacks_are_noticed(session, standard):
    graph = graph_store.current_graph(session)
    rebuilds = graph_store.cache_info(session)["rebuilds"]
    # another process publishes v2: its rows are all this process sees
    version = _v2(session, standard)
    version.status, version.published_at, version.effective_from = (
        VersionStatus.published,
        utcnow(),
        utcnow().date(),
    )
    session.add(GraphChange(token="other", standard_id=version.standard_id, kind="publish"))
    session.flush()
    graph = graph_store.current_graph(session)
    assert graph.in_force(REGISTRATION).number == 2
    assert graph_store.cache_info(session)["rebuilds"] == rebuilds
    # that transaction rolls back: the change this process applied is gone → rebuild
    session.rollback()
    graph = graph_store.current_graph(session)
    assert graph.in_force(REGISTRATION).number == 1
    assert graph_store.cache_info(session)["rebuilds"] == rebuilds + 1


def test_upload_closing_a_call_cycle_through_another_standard_is_an_error(session, standard, actor):
    body = library_file("social.interagency-request", 1).decode()
    body = re.sub(
        r'<bpmn:userTask id="Task_RepeatRequest" name="[^"]*"(.*?)</bpmn:userTask>',
        '<bpmn:callActivity id="Task_RepeatRequest" name="Повторить" '
        'calledElement="SocialSupportMeasure"\\1</bpmn:callActivity>',
        body,
        flags=re.S,
    )
    result = registry.upload_version(
        session, actor("methodologist"), standard("social.interagency-request"), body.encode()
    )
    codes = {p["code"] for p in result.version.problems if p["severity"] == "error"}
    assert "call.cycle" in codes, result.version.problems


def test_impact_and_graph_over_http(client, token_for, session, standard):
    reviewer = token_for("methodologist")
    url = f"/api/v1/standards/{REGISTRATION}/versions/2/impact"
    report = client.get(url, headers=reviewer)
    assert report.status_code == 200
    body = report.get_json()
    assert body["from"] == 1 and set(body["roles"]) == {"career_consultant", "employer_specialist"}
    assert body["items"][0]["kind"] == "role"
    text = client.get(url + "?format=text", headers=reviewer)
    assert text.mimetype == "text/plain" and "передана от роли" in text.get_data(as_text=True)
    assert client.get(url, headers=token_for("career.lip")).status_code == 403
    where = client.get(
        "/api/v1/graph/where-used?node=process:InteragencyRequest", headers=token_for("reg.lip")
    ).get_json()
    assert {c["id"] for c in where["callers"]} == {
        "process:SocialSupportMeasure",
        "process:EmploymentOfficeModel",
    }
    missing = client.get("/api/v1/graph/where-used?node=process:Nope", headers=reviewer)
    assert missing.status_code == 404


def test_study_over_http_and_cli(client, app, token_for, session, standard, publish_now):
    publish_now(_v2(session, standard))
    mine = client.get("/api/v1/assignments?mine=true", headers=token_for("career.lip")).get_json()
    assert [a["kind"] for a in mine] == ["study"]
    assert mine[0]["history"][0]["to_status"] == "issued"
    done = client.post(
        f"/api/v1/assignments/{mine[0]['id']}/status",
        headers=token_for("career.lip"),
        json={"status": "done", "comment": "изучил"},
    )
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    completion = client.get(
        f"/api/v1/standards/{REGISTRATION}/versions/2/study", headers=token_for("head.lipetsk")
    ).get_json()
    assert {u["unit_code"]: u["done"] for u in completion["units"]} == {
        "R48-ELC": 0,
        "R48-GRZ": 0,
        "R48-LIP": 1,
    }
    runner = CliRunner()
    result = runner.invoke(
        cli, ["graph", "impact", REGISTRATION, "2", "--as", "methodologist"], obj=app
    )
    assert result.exit_code == 0, result.output
    assert "роль «Карьерный консультант»" in result.output
    result = runner.invoke(cli, ["graph", "where-used", "process:InteragencyRequest"], obj=app)
    assert result.exit_code == 0 and "process:SocialSupportMeasure" in result.output
    result = runner.invoke(
        cli, ["graph", "export", "--node", "role:career_consultant", "--svg"], obj=app
    )
    assert result.exit_code == 0 and result.output.startswith("<svg")

"""The sample standards library: catalogue, metadata, validation, rendering and execution.

Every executable process is run end to end in SpiffWorkflow, once per scenario below; the
scenarios together must reach every flow node and take every outgoing flow of every
exclusive gateway, so each path of each standard is proven to run. Conditions are evaluated
both by Spiff's own engine and by Etalon's restricted expression engine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine as SpiffPythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow as SpiffBpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState as SpiffTaskState

from bpmn.diff import diff
from bpmn.loading import load_file
from bpmn.namespaces import BPMN, BPMNDI, DC, ETALON, q
from bpmn.render.svg import render_svg
from bpmn.validation import validate
from engine.spiff import SafeScriptEngine
from engine.spiff.serializer import SettledTasks, state_of, state_text
from standards.library import CatalogEntry, library_path, load_catalog
from standards.library._generator.build import render_files

CATALOG = load_catalog()
BY_KEY = {entry.key: entry for entry in CATALOG}
FILES = [(entry, v.number) for entry in CATALOG for v in entry.versions]
FILE_IDS = [f"{entry.key}-v{number}" for entry, number in FILES]
FLOW_NODES = {
    "startEvent",
    "endEvent",
    "userTask",
    "manualTask",
    "exclusiveGateway",
    "parallelGateway",
    "callActivity",
    "boundaryEvent",
}
REQUIRED_KEYS = {
    "employment.job-seeker-registration",
    "employment.unemployment-benefit",
    "social.support-measure",
    "social.interagency-request",
    "appeals.citizen-appeal",
    "contact-center.call-handling",
    "employment.office-model",
    "etalon.standard-approval",
}


def _tree(entry: CatalogEntry, number: int) -> etree._Element:
    return etree.parse(str(entry.path(number))).getroot()


def _version_files(entry: CatalogEntry, number: int) -> list[Path]:
    """The file of ``entry`` plus the same edition (or the latest) of every standard it calls."""
    paths = [entry.path(number)]
    for key in entry.calls:
        called = BY_KEY[key]
        has = any(v.number == number for v in called.versions)
        paths.append(called.path(number if has else None))
    return paths


# -- catalogue and files ---------------------------------------------------------------------


def test_catalog_lists_every_required_standard_with_two_versions():
    assert set(BY_KEY) >= REQUIRED_KEYS
    for entry in CATALOG:
        expected = 1 if entry.key == "etalon.standard-approval" else 2
        assert len(entry.versions) >= expected, entry.key
        assert entry.owning_unit == "FED"
        assert all(v.note and v.file == f"v{v.number}.bpmn" for v in entry.versions)
        assert entry.latest.number == max(v.number for v in entry.versions)


def test_catalog_records_kind_category_and_supporting_relation():
    assert BY_KEY["employment.office-model"].kind == "organization"
    request = BY_KEY["social.interagency-request"]
    assert request.category == "supporting"
    assert BY_KEY["social.support-measure"].process_id in request.supports
    assert "social.interagency-request" in BY_KEY["social.support-measure"].calls


def test_catalog_matches_the_files(tmp_path):
    raw = json.loads((library_path() / "catalog.json").read_text("utf-8"))
    assert len(raw["standards"]) == len(CATALOG)
    for entry, number in FILES:
        root = _tree(entry, number)
        process = root.find(q(BPMN, "process"))
        assert process.get("id") == entry.process_id
        standard = process.find(f"{q(BPMN, 'extensionElements')}/{q(ETALON, 'standard')}")
        assert standard.get("kind") == entry.kind
        assert standard.get("category") == entry.category
        assert standard.get("serviceCode") == entry.service_code
        supports = process.findall(f"{q(BPMN, 'extensionElements')}/{q(ETALON, 'supports')}")
        assert tuple(s.get("process") for s in supports) == entry.supports


def test_committed_files_are_what_the_generator_writes():
    stale = [
        str(path.relative_to(library_path()))
        for path, content in render_files().items()
        if not path.exists() or path.read_bytes() != content
    ]
    assert stale == [], "run: python -m standards.library._generator"


def test_library_path_and_entry_path():
    entry = BY_KEY["appeals.citizen-appeal"]
    assert entry.path(1) == library_path() / "appeals.citizen-appeal" / "v1.bpmn"
    assert entry.path() == library_path() / "appeals.citizen-appeal" / "v2.bpmn"
    with pytest.raises(KeyError):
        entry.path(9)


# -- content ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("entry", "number"), FILES, ids=FILE_IDS)
def test_every_node_and_lane_carries_metadata_and_di(entry, number):
    root = _tree(entry, number)
    assert root.nsmap.get("etalon") == ETALON
    process = root.find(q(BPMN, "process"))
    assert process.get("isExecutable") == "true"
    assert root.find(f".//{q(BPMN, 'scriptTask')}") is None
    shapes = {
        s.get("bpmnElement"): s.find(q(DC, "Bounds")) for s in root.iter(q(BPMNDI, "BPMNShape"))
    }
    edges = {e.get("bpmnElement"): e for e in root.iter(q(BPMNDI, "BPMNEdge"))}
    for lane in process.iter(q(BPMN, "lane")):
        role = lane.find(f"{q(BPMN, 'extensionElements')}/{q(ETALON, 'role')}")
        assert role is not None and role.get("code") and role.get("name"), lane.get("id")
        assert lane.get("id") in shapes
    for el in process:
        local = etree.QName(el).localname
        if local in FLOW_NODES:
            assert el.get("name") or local == "parallelGateway" or local == "exclusiveGateway"
            assert el.get("id") in shapes, el.get("id")
        if local == "sequenceFlow":
            assert len(edges[el.get("id")].findall("{*}waypoint")) >= 2
    assert process.findall(f"{q(BPMN, 'extensionElements')}/{q(ETALON, 'indicator')}")
    checkpoints = root.findall(f".//{q(ETALON, 'checkpoint')}")
    assert len(checkpoints) >= 4
    weights = [
        float(i.get("weight", 0))
        for i in process.iterfind(f"{q(BPMN, 'extensionElements')}/{q(ETALON, 'indicator')}")
    ]
    assert sum(weights) <= 1.0 + 1e-9


def _overlaps(a: etree._Element, b: etree._Element) -> bool:
    ax, ay, aw, ah = (float(a.get(k)) for k in ("x", "y", "width", "height"))
    bx, by, bw, bh = (float(b.get(k)) for k in ("x", "y", "width", "height"))
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


@pytest.mark.parametrize(("entry", "number"), FILES, ids=FILE_IDS)
def test_shapes_do_not_overlap_and_sit_in_their_lanes(entry, number):
    root = _tree(entry, number)
    process = root.find(q(BPMN, "process"))
    bounds = {
        s.get("bpmnElement"): s.find(q(DC, "Bounds")) for s in root.iter(q(BPMNDI, "BPMNShape"))
    }
    boundary = {b.get("id") for b in process.iter(q(BPMN, "boundaryEvent"))}
    nodes = [
        el.get("id")
        for el in process
        if etree.QName(el).localname in FLOW_NODES and el.get("id") not in boundary
    ]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            assert not _overlaps(bounds[a], bounds[b]), (a, b)
    for lane in process.iter(q(BPMN, "lane")):
        lb = bounds[lane.get("id")]
        top, bottom = float(lb.get("y")), float(lb.get("y")) + float(lb.get("height"))
        for ref in lane.iterfind(q(BPMN, "flowNodeRef")):
            nb = bounds[ref.text]
            assert top <= float(nb.get("y")) and float(nb.get("y")) + float(nb.get("height")) <= (
                bottom + 18  # a boundary event hangs half out of its host
            ), (lane.get("id"), ref.text)


# -- validation and rendering ----------------------------------------------------------------


@pytest.mark.parametrize(("entry", "number"), FILES, ids=FILE_IDS)
def test_every_file_validates_without_errors_or_warnings(entry, number):
    document = load_file(entry.path(number))
    others = [load_file(p) for p in _version_files(entry, number)[1:]]
    # Supporting processes name the main processes they serve: give those too.
    others += [
        load_file(e.path(number if any(v.number == number for v in e.versions) else None))
        for e in CATALOG
        if e.process_id in entry.supports
    ]
    report = validate(document, others=others)
    assert report.errors == (), [p.to_dict() for p in report.errors]
    assert report.warnings == (), [p.to_dict() for p in report.warnings]


@pytest.mark.parametrize(("entry", "number"), FILES, ids=FILE_IDS)
def test_every_file_renders(entry, number):
    svg = render_svg(load_file(entry.path(number)))
    root = etree.fromstring(svg.encode("utf-8"))
    assert etree.QName(root).localname == "svg"
    text = "".join(root.itertext())
    # Every task name appears (possibly wrapped on several lines, so compare the first word).
    for task in _tree(entry, number).iter(q(BPMN, "userTask")):
        assert task.get("name").split()[0] in text, task.get("id")


@pytest.mark.parametrize("entry", [e for e in CATALOG if len(e.versions) > 1], ids=lambda e: e.key)
def test_each_new_version_changes_the_process(entry):
    """The catalogue note promises a meaningful change: the semantic diff must see one in
    the flow or its metadata, not only in the layout."""
    for older, newer in zip(entry.versions, entry.versions[1:], strict=False):
        changes = diff(load_file(entry.path(older.number)), load_file(entry.path(newer.number)))
        assert changes.added or changes.removed or changes.changed, newer.note


# -- execution -------------------------------------------------------------------------------

DEFAULTS = {
    "boolean": False,
    "integer": 1,
    "number": 1000.0,
    "string": "заполнено",
    "date": "2024-03-01",
}


@dataclass(frozen=True)
class Scenario:
    """One run: answers per user task (``Task`` or ``Process/Task``; one dict per visit, the
    last repeating), timers to fire once, and the end events that must be reached."""

    name: str
    ends: frozenset[str]
    answers: Mapping[str, tuple[dict, ...]] = field(default_factory=dict)
    fire: frozenset[str] = frozenset()


def _fields(paths: list[Path]) -> dict[tuple[str, str], list[etree._Element]]:
    found: dict[tuple[str, str], list[etree._Element]] = {}
    for path in paths:
        for process in etree.parse(str(path)).getroot().iter(q(BPMN, "process")):
            for el in process.iter():
                if el.get("id") is not None:
                    found[(process.get("id"), el.get("id"))] = el.findall(
                        f"{q(BPMN, 'extensionElements')}/{q(ETALON, 'field')}"
                    )
    return found


def _form_data(fields: list[etree._Element]) -> dict:
    data = {}
    for f in fields:
        if f.get("type") == "enum":
            data[f.get("name")] = f.get("values").split()[0]
        else:
            data[f.get("name")] = DEFAULTS[f.get("type")]
    return data


@dataclass
class Run:
    """What happened in one scenario: (process, node) reached and (process, source, target)."""

    reached: set[tuple[str, str]] = field(default_factory=set)
    taken: set[tuple[str, str, str]] = field(default_factory=set)


def _named_parent(task):
    parent = task.parent
    while parent is not None and getattr(parent.task_spec, "bpmn_id", None) is None:
        parent = parent.parent
    return parent


def _record(run: Run, task) -> None:
    bpmn_id = getattr(task.task_spec, "bpmn_id", None)
    if bpmn_id is None:
        return
    process = task.workflow.spec.name
    run.reached.add((process, bpmn_id))
    parent = _named_parent(task)
    if parent is not None and parent.workflow is task.workflow:
        run.taken.add((process, parent.task_spec.bpmn_id, bpmn_id))


def run_scenario(paths: list[Path], process_id: str, scenario: Scenario, engine) -> Run:
    """Run ``process_id`` to completion as the scenario says; return what it reached."""
    parser = SpiffBpmnParser()
    for path in paths:
        parser.add_bpmn_file(str(path))
    spec = parser.get_spec(process_id)
    workflow = SpiffBpmnWorkflow(
        spec, parser.get_subprocess_specs(process_id), script_engine=engine
    )
    fields = _fields(paths)
    visits: Counter = Counter()
    fired: set[str] = set()
    run = Run()

    settled: SettledTasks = {}

    def step() -> None:
        workflow.do_engine_steps(did_complete_task=lambda t: _record(run, t))
        # engine.spiff reuses the encoded form of settled tasks between saves: it must give
        # the state serialising afresh gives, through loops, timers and call activities
        stored = json.loads(state_text(workflow, "check", settled))
        assert stored == json.loads(json.dumps(state_of(workflow, "check")))

    step()
    for _ in range(300):
        if workflow.is_completed():
            break
        timers = [
            t
            for t in workflow.get_tasks(state=SpiffTaskState.WAITING)
            if t.task_spec.bpmn_id in scenario.fire and t.task_spec.bpmn_id not in fired
        ]
        if timers:
            past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
            for t in timers:
                # Time passes: the due moment the timer computed is now in the past.
                t._set_internal_data(event_value=past)
                fired.add(t.task_spec.bpmn_id)
            workflow.refresh_timers()
            step()
            continue
        ready = workflow.get_tasks(state=SpiffTaskState.READY, manual=True)
        assert ready, f"{scenario.name}: stuck, nothing to do and not completed"
        task = ready[0]
        process, bpmn_id = task.workflow.spec.name, task.task_spec.bpmn_id
        answers = scenario.answers.get(f"{process}/{bpmn_id}") or scenario.answers.get(bpmn_id)
        data = _form_data(fields[(process, bpmn_id)])
        if answers:
            data.update(answers[min(visits[(process, bpmn_id)], len(answers) - 1)])
        visits[(process, bpmn_id)] += 1
        task.data.update(data)
        task.run()
        _record(run, task)
        step()
    assert workflow.is_completed(), f"{scenario.name}: did not complete in 300 steps"
    missing = {end for end in scenario.ends if not any(node == end for _, node in run.reached)}
    assert not missing, f"{scenario.name}: end events not reached: {missing}"
    assert fired == set(scenario.fire), f"{scenario.name}: timers not fired"
    return run


def _s(name: str, ends: set[str], fire: set[str] = frozenset(), **answers) -> Scenario:
    return Scenario(
        name,
        frozenset(ends),
        {
            k.replace("__", "/"): tuple(v) if isinstance(v, list) else (v,)
            for k, v in answers.items()
        },
        frozenset(fire),
    )


GRANT = {"decision": "grant"}
RECEIVED = {"response_status": "received"}
SCENARIOS: dict[str, list[Scenario]] = {
    "employment.job-seeker-registration": [
        _s("complete at once", {"End_Registered"}),
        _s(
            "returned for clarification, registration overdue",
            {"End_Registered", "End_OverdueReviewed"},
            {"Timer_RegistrationOverdue"},
            Task_CheckApplication=[{"returned": True}, {"returned": False}],
        ),
    ],
    "employment.unemployment-benefit": [
        _s("recognised", {"End_Recognized"}, Task_Decide={"decision": "recognize"}),
        _s("refused", {"End_Refused"}, Task_Decide={"decision": "refuse"}),
    ],
    "social.support-measure": [
        _s("granted", {"End_Notified"}, Task_CheckRight=GRANT, Task_ReceiveResponse=RECEIVED),
        _s(
            "refused after a return, СМЭВ refused",
            {"End_Notified", "End_FromApplicant"},
            Task_CheckRight={"decision": "refuse"},
            Task_Approve=[{"returned": True}, {"returned": False}],
            Task_ReceiveResponse={"response_status": "refused"},
        ),
    ],
    "social.interagency-request": [
        _s("answered in time", {"End_Received"}, Task_ReceiveResponse=RECEIVED),
        _s(
            "no answer in time, repeated, then refused",
            {"End_FromApplicant"},
            {"Timer_ResponseOverdue"},
            Task_ReceiveResponse={"response_status": "refused"},
        ),
    ],
    "appeals.citizen-appeal": [
        _s("answered", {"End_Sent"}, Task_Register={"in_competence": True}),
        _s("redirected", {"End_Redirected"}, Task_Register={"in_competence": False}),
        _s(
            "returned once, preparation overdue",
            {"End_Sent", "End_ControlDone"},
            {"Timer_DraftOverdue"},
            Task_Register={"in_competence": True},
            Task_Approve=[{"returned": True}, {"returned": False}],
        ),
    ],
    "contact-center.call-handling": [
        _s("resolved on line 1", {"End_Closed"}, Task_Consult={"outcome": "resolved"}),
        _s("line 2", {"End_Closed"}, Task_Consult={"outcome": "line2"}),
        _s(
            "unanswered, callback, incident",
            {"End_Incident"},
            {"Timer_NoAnswer"},
            Task_Callback={"lost": True},
            Task_Consult={"outcome": "incident"},
        ),
    ],
    "employment.office-model": [
        _s("consultation", {"End_Consulted"}, Task_Route={"service": "consultation"}),
        _s(
            "registration only",
            {"End_Served"},
            Task_Route={"service": "registration", "apply_benefit": False},
        ),
        _s(
            "registration and benefit, head takes control",
            {"End_Served", "End_Controlled", "End_Recognized"},
            {"Timer_BenefitAtRisk"},
            Task_Route={"service": "registration", "apply_benefit": True},
            Task_ReceiveResponse=RECEIVED,
            Task_Decide={"decision": "recognize"},
        ),
    ],
    "etalon.standard-approval": [
        _s(
            "approved first time",
            {"End_Approved"},
            Task_ExpertReview={"decision": "approve"},
            Task_Conformance={"decision": "approve"},
            Task_Approve={"decision": "approve"},
        ),
        _s(
            "returned at every stage, then approved",
            {"End_Approved"},
            Task_ExpertReview=[{"decision": "return"}, {"decision": "approve"}],
            Task_Conformance=[{"decision": "return"}, {"decision": "approve"}],
            Task_Approve=[{"decision": "return"}, {"decision": "approve"}],
        ),
    ],
}
# Version 2 additions: timers that only v2 has.
SCENARIOS_V2: dict[str, list[Scenario]] = {
    "employment.unemployment-benefit": [
        _s(
            "earnings overdue, repeated request",
            {"End_Recognized"},
            {"Timer_EarningsOverdue"},
            Task_Decide={"decision": "recognize"},
        ),
    ],
}

ENGINES = {"spiff": SpiffPythonScriptEngine, "etalon-safe": SafeScriptEngine}


def _gateway_flows(path: Path) -> set[tuple[str, str, str]]:
    root = etree.parse(str(path)).getroot()
    process = root.find(q(BPMN, "process"))
    gateways = {g.get("id") for g in process.iter(q(BPMN, "exclusiveGateway"))}
    return {
        (process.get("id"), f.get("sourceRef"), f.get("targetRef"))
        for f in process.iter(q(BPMN, "sequenceFlow"))
        if f.get("sourceRef") in gateways
    }


def _flow_nodes(path: Path) -> set[tuple[str, str]]:
    process = etree.parse(str(path)).getroot().find(q(BPMN, "process"))
    return {
        (process.get("id"), el.get("id"))
        for el in process
        if etree.QName(el).localname in FLOW_NODES
    }


@pytest.mark.parametrize("engine_name", sorted(ENGINES))
@pytest.mark.parametrize(("entry", "number"), FILES, ids=FILE_IDS)
def test_every_path_runs_end_to_end(entry, number, engine_name):
    paths = _version_files(entry, number)
    scenarios = SCENARIOS[entry.key] + (SCENARIOS_V2.get(entry.key, []) if number >= 2 else [])
    reached: set[tuple[str, str]] = set()
    taken: set[tuple[str, str, str]] = set()
    for scenario in scenarios:
        run = run_scenario(paths, entry.process_id, scenario, ENGINES[engine_name]())
        reached |= run.reached
        taken |= run.taken
    own = paths[0]
    assert _flow_nodes(own) - reached == set(), "nodes never reached"
    assert _gateway_flows(own) - taken == set(), "gateway branches never taken"


def test_a_wrong_answer_fails_the_run():
    """The driver is not vacuous: a standard returned at every review never completes."""
    entry = BY_KEY["etalon.standard-approval"]
    scenario = _s("never approved", {"End_Approved"}, Task_ExpertReview={"decision": "return"})
    with pytest.raises(AssertionError, match="did not complete"):
        run_scenario([entry.path(1)], entry.process_id, scenario, SafeScriptEngine())


def test_catalog_entries_are_frozen():
    entry = CATALOG[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.key = "changed"  # type: ignore[misc]
    assert isinstance(entry.versions, tuple)

"""Extraction of the document model from a hand-written standard and from the MIWG corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmn.extract import extract
from bpmn.loading import load_document, load_file
from bpmn.model import Definitions, Duration
from tests.corpus import CORPUS

DATA = Path(__file__).resolve().parent.parent / "data" / "bpmn"

CORPUS_FILES = sorted(CORPUS.rglob("*.bpmn")) if CORPUS.is_dir() else []


@pytest.fixture(scope="module")
def registration() -> Definitions:
    return extract(load_file(DATA / "etalon_registration_v1.bpmn"))


def test_definitions_header_and_collaboration(registration: Definitions) -> None:
    assert registration.id == "Defs_Registration"
    assert registration.exporter == "hand"
    assert [p.id for p in registration.processes] == ["JobSeekerRegistration"]
    pools = {p.id: p.process_ref for p in registration.participants}
    assert pools == {"Pool_CZN": "JobSeekerRegistration", "Pool_Citizen": None}
    (message,) = registration.message_flows
    assert (message.source, message.target, message.name) == (
        "Pool_Citizen",
        "Start_Application",
        "Заявление",
    )
    assert [s.id for s in registration.data_stores] == ["Store_Registry"]
    process = registration.processes[0]
    assert [(d.id, d.type, d.ref) for d in process.data_stores] == [
        ("DSRef_Registry", "dataStoreReference", "Store_Registry")
    ]
    assert process.is_executable is True
    assert process.documentation == "Стандарт регистрации."


def test_graph_is_rebuilt_from_sequence_flows(registration: Definitions) -> None:
    check = registration.node("Task_CheckDocs")
    assert check is not None
    assert check.type == "userTask"
    assert check.incoming == ("Flow_ToCheck",)
    assert check.outgoing == ("Flow_ToGateway",)
    gateway = registration.node("Gateway_DocsOk")
    assert gateway is not None and gateway.is_gateway
    assert gateway.default_flow == "Flow_Ok"
    assert gateway.outgoing == ("Flow_Ok", "Flow_Return")
    flows = {f.id: f for f in registration.sequence_flows}
    assert flows["Flow_Ok"].is_default and flows["Flow_Ok"].condition is None
    assert flows["Flow_Return"].condition == "returned == True"
    assert not flows["Flow_Return"].is_default


def test_sub_process_contents_are_nested(registration: Definitions) -> None:
    inner = registration.node("Task_EnterData")
    assert inner is not None
    assert inner.parent_id == "Sub_Register"
    assert inner.lane_id == "Lane_Specialist"  # inherited from the sub-process
    assert inner.deadline is not None and inner.deadline.duration == Duration(minutes=30)
    flows = {f.id: f for f in registration.sequence_flows}
    assert flows["Flow_SubIn"].parent_id == "Sub_Register"
    sub = registration.node("Sub_Register")
    assert sub is not None and sub.parent_id is None and sub.outgoing == ("Flow_ToApprove",)


def test_boundary_timer_event(registration: Definitions) -> None:
    timer = registration.node("Timer_Escalate")
    assert timer is not None
    assert timer.type == "boundaryEvent"
    assert timer.attached_to == "Task_CheckDocs"
    assert timer.cancel_activity is False
    assert timer.event_definitions == ("timer",)
    assert timer.timer is not None
    assert (timer.timer.kind, timer.timer.expression, timer.timer.calendar) == (
        "timeDuration",
        "PT4H",
        "working",
    )
    assert timer.lane_id == "Lane_Specialist"  # not listed in a lane: follows its host
    start = registration.node("Start_Application")
    assert start is not None and start.event_definitions == ("message",)
    assert start.cancel_activity is None


def test_nested_lanes_and_roles(registration: Definitions) -> None:
    lanes = {lane.id: lane for lane in registration.lanes}
    assert set(lanes) == {"Lane_Office", "Lane_Specialist", "Lane_Head", "Lane_System"}
    assert lanes["Lane_Specialist"].parent_lane_id == "Lane_Office"
    assert lanes["Lane_Specialist"].role is not None
    assert lanes["Lane_Specialist"].role.code == "registration_specialist"
    assert lanes["Lane_System"].role is None and lanes["Lane_System"].flow_node_ids == ()
    assert [r.code for r in registration.roles] == ["registration_specialist", "office_head"]
    approve = registration.node("Task_Approve")
    assert approve is not None and approve.lane_id == "Lane_Head"


def test_node_metadata(registration: Definitions) -> None:
    check = registration.node("Task_CheckDocs")
    assert check is not None and check.checkpoint is not None
    assert check.checkpoint.id == "CP_DOCS_CHECKED"
    assert check.checkpoint.attributes == ("returned", "channel")
    assert check.deadline is not None
    assert check.deadline.duration == Duration(hours=4, calendar="working")
    assert check.deadline.raw == "PT4H" and check.deadline.node_id == "Task_CheckDocs"
    assert [(c.ref, c.title) for c in check.technology_cards] == [
        ("TK-REG-02", "Проверка документов")
    ]
    assert check.result == "Комплект документов проверен, решение о приёме"
    assert [(f.code, f.name) for f in check.forms] == [("F-REG-1", "Заявление о регистрации")]
    returned, decision = check.fields
    assert (returned.name, returned.type, returned.required) == ("returned", "boolean", False)
    assert decision.values == ("accept", "reject") and decision.required is True
    assert decision.line is not None and decision.line > check.line  # type: ignore[operator]
    assert [cp.id for cp in registration.checkpoints] == [
        "CP_APPLICATION",
        "CP_DOCS_CHECKED",
        "CP_REGISTERED",
    ]
    assert registration.called_processes == ("RecognitionUnemployed",)


def test_process_metadata(registration: Definitions) -> None:
    process = registration.processes[0]
    assert process.standard is not None
    assert (process.standard.kind, process.standard.category, process.standard.service_code) == (
        "process",
        "main",
        "SZN-01",
    )
    (total,) = process.deadlines
    assert (total.id, total.from_checkpoint, total.to_checkpoint) == (
        "DL_TOTAL",
        "CP_APPLICATION",
        "CP_REGISTERED",
    )
    assert total.duration == Duration(days=1)
    on_time, average = process.indicators
    assert on_time.kind == "share_within_deadline"
    assert on_time.deadline == Duration(days=1)
    assert (on_time.target, on_time.weight, on_time.unit) == (95.0, 0.3, "percent")
    assert on_time.corridor is not None
    assert (on_time.corridor.green, on_time.corridor.red) == (95.0, 85.0)
    assert on_time.actions == ("Проверить распределение заявлений между специалистами",)
    assert ("direction", "higher_better") in on_time.attributes
    assert average.direction == "lower_better" and average.deadline is None
    assert len(registration.deadlines) == 3  # one stage deadline, two step deadlines


def test_diagram_interchange(registration: Definitions) -> None:
    (diagram,) = registration.diagrams
    assert diagram.plane_element == "Collab_Registration"
    shapes = {s.element_id: s for s in diagram.shapes}
    assert shapes["Task_CheckDocs"].bounds is not None
    assert shapes["Task_CheckDocs"].bounds.center == (300.0, 200.0)
    assert shapes["Sub_Register"].is_expanded is True
    edges = {e.element_id: e for e in diagram.edges}
    assert edges["Flow_ToApprove"].waypoints == ((780, 190), (880, 190), (880, 380))


MALFORMED = b"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:etalon="urn:etalon:bpmn:1.0" id="D">
  <bpmn:process id="P">
    <bpmn:extensionElements>
      <etalon:indicator id="I" kind="duration" target="lots" weight="heavy" deadline="P1X">
        <etalon:corridor green="" red="8"/>
      </etalon:indicator>
    </bpmn:extensionElements>
    <bpmn:task id="T">
      <bpmn:extensionElements>
        <etalon:deadline duration="4 hours"/>
        <etalon:field name="f" type="enum" required="maybe"/>
        <etalon:checkpoint/>
      </bpmn:extensionElements>
    </bpmn:task>
    <bpmn:task name="no id is skipped"/>
    <bpmn:sequenceFlow id="F" sourceRef="T"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_malformed_metadata_is_kept_raw_with_lines() -> None:
    definitions = extract(load_document(MALFORMED))
    (indicator,) = definitions.indicators
    assert (indicator.target, indicator.target_raw) == (None, "lots")
    assert (indicator.weight, indicator.weight_raw) == (None, "heavy")
    assert (indicator.deadline, indicator.deadline_raw) == (None, "P1X")
    assert indicator.corridor is not None
    assert (indicator.corridor.green, indicator.corridor.green_raw) == (None, "")
    assert indicator.line == 5
    task = definitions.node("T")
    assert task is not None and task.deadline is not None
    assert (task.deadline.duration, task.deadline.raw, task.deadline.line) == (None, "4 hours", 11)
    assert (task.fields[0].required, task.fields[0].required_raw) == (None, "maybe")
    assert task.checkpoint is not None and task.checkpoint.id is None
    assert task.outgoing == ("F",)
    assert len(definitions.all_nodes) == 1


@pytest.mark.skipif(not CORPUS_FILES, reason="MIWG corpus not available")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_file_extracts_consistently(path: Path) -> None:
    definitions = extract(load_file(path))
    assert definitions.processes or definitions.collaborations
    flow_ids = {f.id for f in definitions.sequence_flows}
    for node in definitions.all_nodes:
        assert node.id and node.type
        assert set(node.incoming) <= flow_ids and set(node.outgoing) <= flow_ids
        if node.parent_id is not None:
            parent = definitions.node(node.parent_id)
            assert parent is not None and parent.type in (
                "subProcess",
                "adHocSubProcess",
                "transaction",
            )
        if node.type == "boundaryEvent":
            assert node.attached_to, f"{node.id} has no host"
    for flow in definitions.sequence_flows:
        # Every rebuilt edge is mirrored on its source node.
        if flow.source and definitions.node(flow.source):
            assert flow.id in definitions.node(flow.source).outgoing  # type: ignore[union-attr]
    lane_ids = {lane.id for lane in definitions.lanes}
    assert all(n.lane_id in lane_ids for n in definitions.all_nodes if n.lane_id)


def test_corpus_counts_from_a_known_reference_file() -> None:
    path = CORPUS / "Reference" / "A.2.0.bpmn"
    if not path.exists():
        pytest.skip("MIWG corpus not available")
    definitions = extract(load_file(path))
    (process,) = definitions.processes
    assert process.id == "WFP-6-"
    types = sorted(n.type for n in process.flow_nodes)
    assert types.count("task") == 4 and types.count("exclusiveGateway") == 2
    assert len(process.sequence_flows) == 9
    split = next(n for n in process.flow_nodes if n.name == "Gateway\n(Split Flow)")
    assert len(split.outgoing) == 3

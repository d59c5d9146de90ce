"""Validation rules, one fixture per rule: code, severity, element id and line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bpmn.errors import ERROR, WARNING
from bpmn.loading import load_document, load_file
from bpmn.validation import ValidationReport, validate
from bpmn.validation.xsd import bpmn_schema

DATA = Path(__file__).resolve().parent.parent / "data" / "bpmn" / "validation"


def report(name: str, **kwargs) -> ValidationReport:
    return validate(load_file(DATA / name), **kwargs)


def found(rep: ValidationReport) -> set[tuple[str, str, str | None, int | None]]:
    return {(p.code, p.severity, p.element_id, p.line) for p in rep.problems}


def test_valid_standard_has_no_problem() -> None:
    rep = report("valid.bpmn")
    assert rep.problems == ()
    assert rep.ok
    assert rep.to_dict() == {"ok": True, "errors": 0, "warnings": 0, "problems": []}


def test_schema_is_compiled_once_and_offline() -> None:
    assert bpmn_schema() is bpmn_schema() is not None


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("xsd_invalid.bpmn", {("xsd.invalid", WARNING, "Task_A", 5)}),
        ("id_duplicate.bpmn", {("id.duplicate", ERROR, "Task_A", 6)}),
        ("ref_sequence_flow.bpmn", {("ref.sequence_flow.target", ERROR, "F2", 8)}),
        (
            "ref_default_and_attached.bpmn",
            {("ref.default_flow", ERROR, "Gw", 5), ("ref.attached_to", ERROR, "Timer", 7)},
        ),
        (
            "ref_lane_and_message_flow.bpmn",
            {("ref.message_flow.target", ERROR, "MF_2", 7), ("ref.lane_node", ERROR, "Lane_A", 14)},
        ),
        ("call_unknown.bpmn", {("call.unknown_process", ERROR, "Call_Smev", 5)}),
        (
            "call_cycle.bpmn",
            {("call.cycle", ERROR, "A_CallsB", 5), ("call.cycle", ERROR, "B_CallsA", 12)},
        ),
        (
            "process_no_start_end.bpmn",
            {("process.no_start", ERROR, "P_NoStart", 3), ("process.no_end", ERROR, "P_NoEnd", 8)},
        ),
        (
            "reachability.bpmn",
            {
                ("engine.unsupported", WARNING, "Link_Throw", 10),
                ("engine.unsupported", WARNING, "Link_Catch", 13),
                ("flow.unreachable", ERROR, "Task_Orphan", 17),
                ("flow.dead_end", ERROR, "Task_Stuck", 18),
            },
        ),
        ("gateway_conditions.bpmn", {("gateway.condition_missing", WARNING, "Gw_Docs", 5)}),
        ("lane_without_role.bpmn", {("lane.role_missing", WARNING, "Lane_Clerk", 9)}),
        (
            "engine_unsupported.bpmn",
            {
                ("engine.unsupported", WARNING, "Gw_Complex", 5),
                ("engine.unsupported", WARNING, "Compensate", 7),
                ("engine.unsupported", WARNING, "Task_Undo", 8),
            },
        ),
        ("script_task.bpmn", {("script.untrusted", ERROR, "Script_Calc", 5)}),
        ("etalon_schema.bpmn", {("etalon.schema", ERROR, "P", 5)}),
    ],
)
def test_rule_fixture(fixture: str, expected: set) -> None:
    assert found(report(fixture)) == expected


def test_messages_name_the_element_by_name_and_id() -> None:
    (problem,) = report("reachability.bpmn").errors[:1]
    assert "'Забытый шаг' (Task_Orphan)" in problem.message


def test_reachability_follows_boundary_events_event_subprocesses_and_links() -> None:
    ids = {p.element_id for p in report("reachability.bpmn").problems}
    # reached through the boundary timer, the link pair, the event sub-process, implicit start
    for element_id in ("Task_Remind", "Link_Catch_", "Event_Sub", "Sub_Close", "Impl_A", "Impl_B"):
        assert element_id not in ids
    # the cause is reported once, where cases get stuck, not on every node before it
    assert "Task_Remind" not in ids and "Escalate" not in ids


def test_script_task_allowed_when_trusted() -> None:
    assert report("script_task.bpmn", trusted=True).problems == ()


def test_call_resolves_against_documents_in_force() -> None:
    supporting = load_file(DATA / "supporting_smev.bpmn")
    assert report("call_unknown.bpmn", others=[supporting]).problems == ()


def test_call_cycle_across_documents() -> None:
    other = load_file(DATA / "call_cycle_other.bpmn")
    rep = report("call_unknown.bpmn", others=[other])
    (problem,) = rep.problems
    assert (problem.code, problem.element_id, problem.line) == ("call.cycle", "Call_Smev", 5)
    assert "Main → SmevRequest → Main" in problem.message


def test_supports_resolves_against_documents_in_force() -> None:
    rep = report("supporting_smev.bpmn")
    assert found(rep) == {("supports.unknown_process", ERROR, "SmevRequest", 6)}
    main = load_file(DATA / "call_unknown.bpmn")
    assert report("supporting_smev.bpmn", others=[main]).problems == ()


def test_metadata_of_flow_nodes() -> None:
    assert found(report("metadata_nodes.bpmn")) == {
        ("checkpoint.several_on_node", ERROR, "Start", 7),
        ("checkpoint.id_invalid", ERROR, "Task_A", 12),
        ("deadline.duration_invalid", ERROR, "Task_A", 13),
        ("deadline.calendar_invalid", ERROR, "Task_A", 14),
        ("deadline.several_on_node", ERROR, "Task_A", 14),
        ("field.type_invalid", ERROR, "Task_A", 15),
        ("field.enum_without_values", ERROR, "Task_A", 16),
        ("field.duplicate", ERROR, "Task_A", 17),
        ("field.required_invalid", ERROR, "Task_A", 17),
        ("checkpoint.duplicate", ERROR, "End", 22),
    }


def test_metadata_of_processes_and_lanes() -> None:
    assert found(report("metadata_process.bpmn")) == {
        ("indicator.weights_exceed", ERROR, "P", 3),
        ("standard.category_invalid", ERROR, "P", 5),
        ("standard.kind_invalid", ERROR, "P", 5),
        ("supports.not_supporting", ERROR, "P", 6),
        ("supports.unknown_process", ERROR, "P", 6),
        ("deadline.id_missing", ERROR, "P", 7),
        ("deadline.checkpoint_unknown", ERROR, "P", 8),
        ("deadline.duration_invalid", ERROR, "P", 8),
        ("indicator.direction_invalid", ERROR, "P", 9),
        ("indicator.kind_invalid", ERROR, "P", 9),
        ("indicator.target_invalid", ERROR, "P", 9),
        ("indicator.unit_invalid", ERROR, "P", 9),
        ("indicator.weight_invalid", ERROR, "P", 9),
        ("indicator.corridor_invalid", ERROR, "P", 10),
        ("indicator.attribute_missing", ERROR, "P", 12),
        ("indicator.corridor_inverted", ERROR, "P", 13),
        ("indicator.checkpoint_unknown", ERROR, "P", 15),
        ("indicator.corridor_invalid", ERROR, "P", 15),
        ("indicator.calendar_invalid", ERROR, "P", 16),
        ("indicator.deadline_invalid", ERROR, "P", 16),
        ("indicator.duplicate", ERROR, "P", 16),
        ("indicator.corridor_inverted", ERROR, "P", 17),
        ("role.code_invalid", ERROR, "Lane_A", 22),
    }


def test_report_to_dict_and_partition() -> None:
    rep = report("metadata_process.bpmn")
    data = rep.to_dict()
    assert data["ok"] is False and data["errors"] == len(rep.errors) == len(rep.problems)
    assert data["problems"][0]["code"] == "indicator.weights_exceed"
    assert rep.warnings == ()


def _generated(nodes: int) -> bytes:
    """A chain start → task × nodes → end, with a checkpoint every tenth task."""
    parts = [
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:etalon="urn:etalon:bpmn:1.0" id="D" targetNamespace="urn:t">'
        '<bpmn:process id="Big" isExecutable="false"><bpmn:startEvent id="N0"/>'
    ]
    for i in range(1, nodes + 1):
        ext = (
            f'<bpmn:extensionElements><etalon:checkpoint id="CP{i}"/></bpmn:extensionElements>'
            if i % 10 == 0
            else ""
        )
        parts.append(f'<bpmn:userTask id="N{i}" name="Шаг {i}">{ext}</bpmn:userTask>')
    parts.append(f'<bpmn:endEvent id="N{nodes + 1}"/>')
    parts.extend(
        f'<bpmn:sequenceFlow id="F{i}" sourceRef="N{i}" targetRef="N{i + 1}"/>'
        for i in range(nodes + 1)
    )
    parts.append("</bpmn:process></bpmn:definitions>")
    return "".join(parts).encode()


def test_large_model_validates_in_linear_time() -> None:
    document = load_document(_generated(5000))
    bpmn_schema()  # compiled once per process; not part of a validation's cost
    started = time.perf_counter()
    rep = validate(document)
    elapsed = time.perf_counter() - started
    assert rep.problems == ()
    # generous bound so a slow CI machine passes; a quadratic walk takes far longer
    assert elapsed < 2.0, elapsed

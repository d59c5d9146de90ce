"""Semantic diff of two hand-written versions of the registration standard, and its speed."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from bpmn.diff import Change, Diff, diff
from bpmn.extract import extract
from bpmn.loading import load_file
from bpmn.model import Bounds, Definitions, Diagram, FlowNode, Process, SequenceFlow, Shape

DATA = Path(__file__).resolve().parent.parent / "data" / "bpmn"


@pytest.fixture(scope="module")
def v1() -> Definitions:
    return extract(load_file(DATA / "etalon_registration_v1.bpmn"))


@pytest.fixture(scope="module")
def result(v1: Definitions) -> Diff:
    return diff(v1, load_file(DATA / "etalon_registration_v2.bpmn"))


def changes_of(result: Diff, element_id: str) -> dict[str, Change]:
    (item,) = [e for e in result.changed if e.id == element_id]
    return {c.field: c for c in item.changes}


def test_self_diff_is_empty(v1: Definitions) -> None:
    same = diff(v1, v1)
    assert same.is_empty and same.layout == ()
    assert same.to_dict()["is_empty"] is True


def test_added_and_rewired(result: Diff) -> None:
    assert [(e.id, e.type) for e in result.added] == [
        ("Task_NotifyCitizen", "userTask"),
        ("Flow_NotifyEnd", "sequenceFlow"),
    ]
    assert result.removed == ()
    assert changes_of(result, "Flow_ToEnd") == {
        "target": Change("target", "End_Registered", "Task_NotifyCitizen")
    }
    end = changes_of(result, "End_Registered")
    assert end["incoming"] == Change("incoming", ["Flow_ToEnd"], ["Flow_NotifyEnd"])


def test_metadata_changes_of_a_task(result: Diff) -> None:
    check = changes_of(result, "Task_CheckDocs")
    assert set(check) == {"name", "deadline", "technology_cards", "fields"}
    assert check["deadline"].old["duration"] == "PT4H"
    assert check["deadline"].new["duration"] == "PT2H"
    assert [c["ref"] for c in check["technology_cards"].new] == ["TK-REG-02", "TK-REG-03"]
    assert check["fields"].new[1]["values"] == ["accept", "reject", "postpone"]


def test_lane_and_role_changes(result: Diff) -> None:
    moved = changes_of(result, "Task_NotifyHead")
    assert moved["lane"].old["id"] == "Lane_Head" and moved["lane"].new["id"] == "Lane_Specialist"
    assert moved["role"] == Change("role", "office_head", "registration_specialist")
    # The head's lane changed its role code: every step in it changes performer role.
    assert changes_of(result, "Task_Approve") == {
        "role": Change("role", "office_head", "office_manager")
    }


def test_deleted_and_redrawn_is_a_replacement(result: Diff) -> None:
    pairs = {(r.old_id, r.new_id, r.type) for r in result.replaced}
    assert pairs == {
        ("Task_ReturnDocs", "Task_ReturnDocs2", "userTask"),
        ("Flow_Return", "Flow_Return2", "sequenceFlow"),
        ("Flow_Returned", "Flow_Returned2", "sequenceFlow"),
    }
    task = next(r for r in result.replaced if r.type == "userTask")
    assert task.distance is not None and 0 < task.distance < 20
    assert task.changes == ()  # same incoming/outgoing once the redrawn flows are matched
    gateway_ids = {e.id for e in result.changed}
    assert "Gateway_DocsOk" not in gateway_ids  # its outgoing flow was redrawn, not rewired


def test_process_level_changes(result: Diff) -> None:
    (process,) = result.processes
    assert process.status == "changed"
    assert process.changes[0].field == "standard"
    assert process.changes[0].new["service_code"] == "SZN-01.1"
    assert [(e.type, e.id) for e in process.added] == [("indicator", "IND_RETURNS")]
    assert [(e.type, e.id) for e in process.removed] == [("indicator", "IND_AVG_TIME")]
    changed = {e.id: {c.field: c for c in e.changes} for e in process.changed}
    assert changed["IND_REG_ON_TIME"]["target"] == Change("target", "95", "90")
    assert changed["IND_REG_ON_TIME"]["corridor"].new["green"] == 90.0
    assert changed["DL_TOTAL"] == {"duration": Change("duration", "P1D", "P2D")}
    assert changed["Lane_Head"]["role"].new["code"] == "office_manager"


def test_layout_is_kept_apart(result: Diff) -> None:
    layout = {c.id: c for c in result.layout}
    assert set(layout) == {"Task_Approve", "Flow_ToApprove"}
    assert layout["Task_Approve"].kind == "moved"
    assert layout["Task_Approve"].new["x"] == 790.0
    assert layout["Flow_ToApprove"].kind == "rerouted"
    # Moving Task_Approve changed nothing semantic about it beyond its lane's role.
    assert set(changes_of(result, "Task_Approve")) == {"role"}


def test_layout_only_change_is_semantically_empty(v1: Definitions) -> None:
    (diagram,) = v1.diagrams
    shifted = tuple(
        dataclasses.replace(s, bounds=dataclasses.replace(s.bounds, x=s.bounds.x + 5))
        if s.bounds is not None
        else s
        for s in diagram.shapes
    )
    moved = dataclasses.replace(v1, diagrams=(dataclasses.replace(diagram, shapes=shifted),))
    result = diff(v1, moved)
    assert result.is_empty
    assert len(result.layout) == len(shifted)


def test_summary_and_json(result: Diff) -> None:
    lines = result.summary()
    assert "Добавлено: пользовательская задача «Уведомить гражданина о регистрации»" in lines[0]
    assert any(
        "Перерисовано заново" in line and "Task_ReturnDocs → Task_ReturnDocs2" in line
        for line in lines
    )
    assert any("норматив: PT4H (working) → PT2H (working)" in line for line in lines)
    assert any("технокарты: +TK-REG-03" in line for line in lines)
    assert lines[-1].startswith("Изменения только в раскладке диаграммы: 2")
    body = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert body["replaced"][0]["old_id"] == "Task_ReturnDocs"


def test_far_away_redraw_is_not_a_replacement(v1: Definitions) -> None:
    (process,) = v1.processes
    old = next(n for n in process.flow_nodes if n.id == "Task_ReturnDocs")
    redrawn = dataclasses.replace(old, id="Task_Elsewhere")
    (diagram,) = v1.diagrams
    far = Shape("Task_Elsewhere", Bounds(2000, 2000, 100, 80))
    new = dataclasses.replace(
        v1,
        processes=(
            dataclasses.replace(
                process,
                flow_nodes=tuple(redrawn if n is old else n for n in process.flow_nodes),
            ),
        ),
        diagrams=(dataclasses.replace(diagram, shapes=(*diagram.shapes, far)),),
    )
    result = diff(v1, new)
    assert result.replaced == ()
    assert [e.id for e in result.added] == ["Task_Elsewhere"]
    assert [e.id for e in result.removed] == ["Task_ReturnDocs"]


def chain(size: int, renamed: int = -1) -> Definitions:
    """A process of ``size`` user tasks in a row, with DI; task ``renamed`` gets a new name."""
    nodes = tuple(
        FlowNode(
            id=f"T{i}",
            type="userTask",
            name=f"Шаг {i}" + (" (изменён)" if i == renamed else ""),
            process_id="P",
            incoming=(f"F{i - 1}",) if i else (),
            outgoing=(f"F{i}",) if i < size - 1 else (),
        )
        for i in range(size)
    )
    flows = tuple(
        SequenceFlow(f"F{i}", f"T{i}", f"T{i + 1}", process_id="P") for i in range(size - 1)
    )
    shapes = tuple(Shape(f"T{i}", Bounds(i * 150.0, 100.0, 100.0, 80.0)) for i in range(size))
    return Definitions(
        id="D",
        name=None,
        processes=(Process("P", "Большой процесс", flow_nodes=nodes, sequence_flows=flows),),
        diagrams=(Diagram("Di", None, "P", shapes),),
    )


def test_diff_of_5000_flow_nodes_is_linear() -> None:
    old, new = chain(5000), chain(5000, renamed=2500)
    started = time.perf_counter()
    result = diff(old, new)
    elapsed = time.perf_counter() - started
    print(f"diff of 2 x 5000 flow nodes: {elapsed * 1000:.1f} ms")
    assert [e.id for e in result.changed] == ["T2500"]
    # Target is <= 100 ms; the bound here only catches an accidental quadratic algorithm.
    assert elapsed < 1.0

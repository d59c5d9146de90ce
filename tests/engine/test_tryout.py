"""Try-outs: a file run end to end in memory with chosen task data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.expressions import UnsafeExpression
from engine.tryout import run_tryout

DATA = Path(__file__).resolve().parents[1] / "data" / "engine"


def load(name: str) -> bytes:
    return (DATA / f"{name}.bpmn").read_bytes()


def node_ids(result) -> list[str]:
    return [step.node_id for step in result.path]


@pytest.mark.parametrize(
    ("choices", "expected_path", "checkpoints"),
    [
        (
            {"Task_CheckDocs": {"decision": "accept"}},
            ["StartEvent", "Task_CheckDocs", "Gateway_Decision", "Task_Register", "End_Registered"],
            ["CP_APPLICATION", "CP_DOCS_CHECKED", "CP_REGISTERED"],
        ),
        (  # choices may name the task by its name
            {"Проверить документы": {"decision": "reject"}},
            [
                "StartEvent",
                "Task_CheckDocs",
                "Gateway_Decision",
                "Task_NotifyRefusal",
                "End_Refused",
            ],
            ["CP_APPLICATION", "CP_DOCS_CHECKED"],
        ),
    ],
)
def test_gateway_follows_the_chosen_data(choices, expected_path, checkpoints) -> None:
    result = run_tryout(load("gateway"), data={"applicant": "Петров"}, choices=choices)
    assert result.completed
    assert node_ids(result) == expected_path
    assert list(result.checkpoints) == checkpoints
    assert result.data["applicant"] == "Петров"
    as_json = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert as_json["completed"] is True and as_json["path"][1]["name"] == "Проверить документы"


def test_unsatisfied_gateway_stops_with_a_clear_error() -> None:
    result = run_tryout(load("gateway"), data={}, choices={"Task_CheckDocs": {"decision": "maybe"}})
    assert result.outcome == "failed" and not result.completed
    assert result.error_node == "Gateway_Decision"
    assert "No conditions satisfied" in result.error
    assert node_ids(result) == ["StartEvent", "Task_CheckDocs"]


def test_missing_data_names_the_missing_name() -> None:
    result = run_tryout(load("gateway"), data={}, choices={})
    assert result.outcome == "failed"
    assert "name 'decision' is not defined" in result.error


def test_parallel_with_trusted_script() -> None:
    result = run_tryout(
        load("parallel"), data={}, choices={"Task_A": {"a": 2}, "Task_B": {"b": 5}}, trusted=True
    )
    assert result.completed and result.data["total"] == 7
    assert set(node_ids(result)[2:4]) == {"Task_A", "Task_B"}
    assert result.checkpoints == ("CP_TOTAL",)


def test_untrusted_script_fails_the_run() -> None:
    result = run_tryout(load("parallel"), data={"a": 1, "b": 1}, choices={})
    assert result.outcome == "failed" and "trusted" in result.error
    assert result.error_node == "Script_Total"


def test_call_activity_runs_the_supporting_process() -> None:
    result = run_tryout(
        load("main_call"), data={}, choices={}, supporting=[load("supporting_request")]
    )
    assert result.completed
    assert node_ids(result) == [
        "StartEvent", "Req_Start", "Req_Send", "Req_End", "Call_Request", "Task_Decide", "EndEvent",
    ]  # fmt: skip
    assert result.checkpoints == ("CP_REQUEST_DONE", "CP_REQUEST_SENT")


def test_timer_named_in_choices_fires_and_is_reported() -> None:
    result = run_tryout(load("timer_boundary"), data={}, choices={"Timer_Overdue": {}})
    assert result.completed
    assert node_ids(result) == ["StartEvent", "Timer_Overdue", "Task_Escalate", "End_Escalated"]
    [timer] = result.timers
    assert (timer.node_id, timer.calendar) == ("Timer_Overdue", "working") and timer.due
    plain = run_tryout(load("timer_boundary"), data={}, choices={})
    assert node_ids(plain) == ["StartEvent", "Task_Answer", "End_Answered"] and not plain.timers


def test_step_limit_stops_the_run() -> None:
    result = run_tryout(load("parallel"), data={}, choices={}, step_limit=1, trusted=True)
    assert result.outcome == "step_limit" and not result.completed


def test_hostile_file_is_refused() -> None:
    with pytest.raises(UnsafeExpression):
        run_tryout(load("hostile_script"), data={}, choices={}, trusted=True)

"""The SpiffWorkflow wrapper: safe parsing, safe script engine, façade, state, timers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bpmn.errors import BpmnError
from engine.calendar import WorkingCalendar
from engine.expressions import UnsafeExpression
from engine.nodes import ReservedNodeId
from engine.spiff import Workflow, WorkflowError, clear_spec_cache, parse_spec

DATA = Path(__file__).resolve().parents[1] / "data" / "engine"
PWNED = Path("/tmp/etalon_pwned")


def load(name: str) -> bytes:
    return (DATA / f"{name}.bpmn").read_bytes()


def test_specs_are_cached_by_content() -> None:
    clear_spec_cache()
    first = parse_spec(load("gateway"))
    assert parse_spec(load("gateway")) is first
    assert parse_spec(load("gateway") + b"\n") is not first
    assert first.process_id == "Registration"
    assert first.node("Task_CheckDocs").checkpoint_id == "CP_DOCS_CHECKED"


def test_gateway_path_checkpoints_and_state_round_trip() -> None:
    parsed = parse_spec(load("gateway"))
    seen: list[tuple[str, str]] = []
    workflow = Workflow.create(
        parsed,
        {"applicant": "Иванов"},
        on_checkpoint=lambda e: seen.append((e.phase, e.checkpoint_id)),
    )
    workflow.run_engine_steps()
    [task] = workflow.ready_human_tasks()
    assert (task.node_id, task.kind, task.lane) == ("Task_CheckDocs", "userTask", "Специалист ЦЗН")
    workflow.complete_task(task.task_id, {"decision": "accept"})

    state = json.loads(json.dumps(workflow.serialize()))
    assert "spec" not in state["workflow"] and "subprocess_specs" not in state["workflow"]
    restored = Workflow.restore(
        parsed, state, on_checkpoint=lambda e: seen.append((e.phase, e.checkpoint_id))
    )
    [task] = restored.ready_human_tasks()
    assert task.node_id == "Task_Register"
    restored.complete_task(task.task_id, {"registered_on": dt.date(2025, 3, 3)})
    assert restored.is_completed
    assert restored.data == {
        "applicant": "Иванов",
        "decision": "accept",
        "registered_on": dt.date(2025, 3, 3),
    }
    # Each checkpoint reported once reached and once completed, across the restore.
    assert seen == [
        ("reached", "CP_APPLICATION"), ("completed", "CP_APPLICATION"),
        ("reached", "CP_DOCS_CHECKED"), ("completed", "CP_DOCS_CHECKED"),
        ("reached", "CP_REGISTERED"), ("completed", "CP_REGISTERED"),
    ]  # fmt: skip


def test_restore_refuses_state_of_another_spec() -> None:
    workflow = Workflow.create(parse_spec(load("gateway")))
    with pytest.raises(WorkflowError, match="another spec"):
        Workflow.restore(parse_spec(load("parallel")), workflow.serialize())


def test_parallel_split_join_and_trusted_script() -> None:
    workflow = Workflow.create(parse_spec(load("parallel")), trusted=True)
    workflow.run_engine_steps()
    tasks = workflow.ready_human_tasks()
    assert {t.node_id for t in tasks} == {"Task_A", "Task_B"}
    workflow.complete_task(tasks[0].task_id, {"a": 1} if tasks[0].node_id == "Task_A" else {"b": 2})
    assert not workflow.is_completed
    [last] = workflow.ready_human_tasks()
    workflow.complete_task(last.task_id, {"a": 1} if last.node_id == "Task_A" else {"b": 2})
    assert workflow.is_completed and workflow.data["total"] == 3


def test_scripts_are_refused_for_untrusted_standards() -> None:
    workflow = Workflow.create(parse_spec(load("parallel")), {"a": 1, "b": 2})
    workflow.run_engine_steps()
    with pytest.raises(UnsafeExpression, match="trusted"):
        for task in workflow.ready_human_tasks():
            workflow.complete_task(task.task_id)


def test_call_activity_to_a_supporting_process_in_another_document() -> None:
    with pytest.raises(WorkflowError, match="InterAgencyRequest"):
        parse_spec(load("main_call"))
    parsed = parse_spec(load("main_call"), supporting=[load("supporting_request")])
    workflow = Workflow.create(parsed)
    workflow.run_engine_steps()
    [task] = workflow.ready_human_tasks()
    assert task.node_id == "Req_Send" and task.checkpoint_id == "CP_REQUEST_SENT"
    state = workflow.serialize()
    restored = Workflow.restore(parsed, state)
    restored.complete_task(restored.ready_human_tasks()[0].task_id, {"reply": "ok"})
    [task] = restored.ready_human_tasks()
    assert task.node_id == "Task_Decide"
    assert "CP_REQUEST_DONE" in {e.checkpoint_id for e in restored.events}


def test_hostile_condition_is_refused_before_running_and_touches_nothing() -> None:
    PWNED.unlink(missing_ok=True)
    with pytest.raises(UnsafeExpression) as info:
        parse_spec(load("hostile_condition"))
    assert info.value.details["element_id"] == "F_Accept"
    assert not PWNED.exists()


def test_hostile_condition_is_refused_at_run_time_too() -> None:
    # Even a spec that skipped the static check cannot run it: the engine is ours.
    PWNED.unlink(missing_ok=True)
    from engine import spiff

    parsed = parse_spec(load("gateway"))
    flow = parsed.spec.task_specs["Gateway_Decision"]
    condition = "__import__('os').system('touch /tmp/etalon_pwned')"
    hostile = spiff.ParsedSpec("hostile", parsed.process_id, parsed.spec, {}, parsed.nodes)
    accept = flow.cond_task_specs[0][0]
    original = accept.args
    try:
        accept.args = (condition,)
        workflow = Workflow.create(hostile)
        workflow.run_engine_steps()
        with pytest.raises(UnsafeExpression):
            workflow.complete_task(workflow.ready_human_tasks()[0].task_id, {"decision": "accept"})
    finally:
        accept.args = original
    assert not PWNED.exists()


def test_hostile_xml_never_reaches_spiffworkflow() -> None:
    with pytest.raises(BpmnError) as info:
        parse_spec(load("hostile_xxe"))
    assert info.value.problems[0].code == "xml.entity"


def test_reserved_ids_are_refused() -> None:
    text = (
        load("parallel").replace(b'"StartEvent"', b'"Start"').replace(b">StartEvent<", b">Start<")
    )
    with pytest.raises(ReservedNodeId, match="'Start'"):
        parse_spec(text)


def test_boundary_timer_counts_working_time_and_fires() -> None:
    workflow = Workflow.create(
        parse_spec(load("timer_boundary")), calendar=WorkingCalendar.bundled()
    )
    workflow.run_engine_steps()
    [timer] = workflow.waiting_timers()
    assert (timer.node_id, timer.kind, timer.calendar) == ("Timer_Overdue", "duration", "working")
    started = workflow.events[-1].at
    expected = WorkingCalendar.bundled().add_working_hours(started, 4)
    assert timer.due == expected.astimezone(dt.UTC)
    # Restored state keeps the due time; firing moves on to the escalation.
    restored = Workflow.restore(workflow.parsed, workflow.serialize())
    assert restored.waiting_timers()[0].due == timer.due
    restored.refresh_timers()
    assert restored.ready_human_tasks()[0].node_id == "Task_Answer"  # not due yet
    restored.fire_timer(timer.task_id)
    assert [t.node_id for t in restored.ready_human_tasks()] == ["Task_Escalate"]
    assert restored.waiting_timers() == []

"""Try a BPMN file out in memory: run it end to end with chosen task data, no database.

Used by ``etalon run FILE`` and by methodologists checking a draft: each ready user or manual
task is completed with the data given for its id (or name) in ``choices`` (empty data
otherwise), timers fire at once and are reported, and the run stops at a step limit. The
result tells the path taken, the checkpoints reached, the final data and how the run ended.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.calendar import WorkingCalendar
from engine.expressions import ExpressionError
from engine.spiff import NodeEvent, WaitingTimer, Workflow, WorkflowError, parse_spec
from engine.values import jsonable

logger = logging.getLogger(__name__)

DEFAULT_STEP_LIMIT = 500

COMPLETED, STEP_LIMIT, STUCK, FAILED = "completed", "step_limit", "stuck", "failed"


@dataclass(frozen=True)
class PathStep:
    """A flow node completed during the try-out."""

    node_id: str
    name: str | None
    kind: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form."""
        return {"node_id": self.node_id, "name": self.name, "kind": self.kind}


@dataclass(frozen=True)
class FiredTimer:
    """A timer the try-out fired instead of waiting for it."""

    node_id: str
    name: str | None
    due: str | None
    calendar: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form."""
        return {
            "node_id": self.node_id,
            "name": self.name,
            "due": self.due,
            "calendar": self.calendar,
        }


@dataclass(frozen=True)
class TryoutResult:
    """How a try-out ended; ``outcome`` is completed, step_limit, stuck or failed."""

    process_id: str | None
    outcome: str
    path: tuple[PathStep, ...] = ()
    checkpoints: tuple[str, ...] = ()
    timers: tuple[FiredTimer, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    error_node: str | None = None

    @property
    def completed(self) -> bool:
        """True when the process ran to its end."""
        return self.outcome == COMPLETED

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form for ``etalon run --json``."""
        return {
            "process_id": self.process_id,
            "completed": self.completed,
            "outcome": self.outcome,
            "path": [step.to_dict() for step in self.path],
            "checkpoints": list(self.checkpoints),
            "timers": [timer.to_dict() for timer in self.timers],
            "data": jsonable(self.data),
            "error": self.error,
            "error_node": self.error_node,
        }


class _Run:
    """The mutable bookkeeping of one try-out."""

    def __init__(self, workflow: Workflow, choices: Mapping[str, dict], limit: int) -> None:
        self.workflow = workflow
        self.choices = choices
        self.limit = limit
        self.steps = 0
        self.timers: list[FiredTimer] = []

    def choice_for(self, node_id: str, name: str | None) -> dict:
        if node_id in self.choices:
            return dict(self.choices[node_id])
        if name is not None and name in self.choices:
            return dict(self.choices[name])
        return {}

    def advance(self) -> str | None:
        """Do one thing (a human task or a timer); return an outcome when the run is over."""
        workflow = self.workflow
        if workflow.is_completed:
            return COMPLETED
        if self.steps >= self.limit:
            return STEP_LIMIT
        self.steps += 1
        timers = workflow.waiting_timers()
        chosen = [t for t in timers if t.node_id in self.choices or t.name in self.choices]
        if chosen:  # naming a timer in the choices fires it before the task it guards
            return self.fire(chosen[0])
        ready = workflow.ready_human_tasks()
        if ready:
            task = ready[0]
            workflow.complete_task(task.task_id, self.choice_for(task.node_id, task.name))
            return None
        if timers:
            return self.fire(timers[0])
        return STUCK

    def fire(self, timer: WaitingTimer) -> None:
        due = timer.due.isoformat() if timer.due else None
        self.timers.append(FiredTimer(timer.node_id, timer.name, due, timer.calendar))
        self.workflow.fire_timer(timer.task_id)


def run_tryout(
    bpmn_bytes: bytes,
    *,
    data: Mapping[str, Any] | None = None,
    choices: Mapping[str, dict] | None = None,
    supporting: Sequence[bytes] = (),
    trusted: bool = False,
    process_id: str | None = None,
    step_limit: int = DEFAULT_STEP_LIMIT,
    calendar: WorkingCalendar | None = None,
) -> TryoutResult:
    """Run ``bpmn_bytes`` end to end in memory and report what happened.

    Unsafe or malformed files raise (BpmnError, UnsafeExpression, WorkflowError from
    parsing); failures while running (an exclusive gateway none of whose conditions holds, a
    condition naming missing data, an untrusted script) end the run with outcome ``failed``
    and the error and node in the result.
    """
    parsed = parse_spec(bpmn_bytes, process_id, supporting)
    workflow = Workflow.create(
        parsed, data or {}, trusted=trusted, calendar=calendar or WorkingCalendar.bundled()
    )
    run = _Run(workflow, choices or {}, step_limit)
    outcome: str | None = None
    error = error_node = None
    try:
        workflow.run_engine_steps()
        while outcome is None:
            outcome = run.advance()
    except (WorkflowError, ExpressionError) as exc:
        outcome, error = FAILED, exc.message
        error_node = exc.details.get("node_id")
    logger.info("try-out of %s ended: %s after %d steps", parsed.process_id, outcome, run.steps)
    return TryoutResult(
        process_id=parsed.process_id,
        outcome=outcome,
        path=tuple(_path(workflow.events)),
        checkpoints=tuple(
            e.checkpoint_id for e in workflow.events if e.phase == "reached" and e.checkpoint_id
        ),
        timers=tuple(run.timers),
        data=workflow.data,
        error=error,
        error_node=error_node,
    )


def _path(events: list[NodeEvent]) -> list[PathStep]:
    return [PathStep(e.node_id, e.name, e.kind) for e in events if e.phase == "completed"]

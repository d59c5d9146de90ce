"""The workflow façade: one running process instance around a Spiff BpmnWorkflow."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimerEventDefinition as SpiffTimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow as SpiffBpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState as SpiffTaskState

from engine.durations import parse_duration
from engine.expressions import UnsafeExpression
from engine.nodes import (
    COMPLETED,
    REACHED,
    HumanTask,
    NodeEvent,
    WaitingTimer,
)
from engine.spiff.errors import WorkflowError, unwrap_expression_error
from engine.spiff.parser import ParsedSpec
from engine.spiff.script_engine import SafeScriptEngine
from engine.spiff.serializer import SettledTasks, spiff_of, state_of, state_text

logger = logging.getLogger(__name__)

_LIVE = SpiffTaskState.READY | SpiffTaskState.STARTED | SpiffTaskState.WAITING


class Workflow:
    """One running process instance around a Spiff BpmnWorkflow.

    ``on_checkpoint`` is called with a NodeEvent when a node carrying an etalon checkpoint is
    reached (its task became READY/STARTED/WAITING) and when it is completed. Timers marked
    ``<etalon:timer calendar="working"/>`` get their due time from ``calendar``.
    """

    def __init__(self, parsed: ParsedSpec, spiff: Any, *, trusted: bool = False,
                 calendar: Any = None, on_checkpoint: Any = None,
                 timezone: dt.tzinfo | None = None) -> None:  # fmt: skip
        self.parsed = parsed
        self.spiff = spiff
        self.trusted = trusted
        self.calendar = calendar
        self.on_checkpoint = on_checkpoint
        self.timezone = timezone or _default_timezone()
        self.spiff.script_engine = SafeScriptEngine(trusted)
        self.events: list[NodeEvent] = []
        # The ids of the ready human tasks as the engine last stored them (None: unknown);
        # kept here for the engine, which keeps one task row per ready human task.
        self.saved_ready: frozenset[str] | None = None
        self._settled: SettledTasks = {}  # encoded settled tasks, reused by serialize_text

    def rebind(self, *, trusted: bool, calendar: Any) -> None:
        """Take up a kept workflow in a new operation: the standard's trust and the working
        calendar are read afresh each time (an administrator may have changed either)."""
        if trusted != self.trusted:
            self.trusted = trusted
            self.spiff.script_engine = SafeScriptEngine(trusted)
        self.calendar = calendar
        self.events.clear()

    @classmethod
    def create(cls, parsed: ParsedSpec, data: Mapping[str, Any] | None = None, **options: Any):
        """Start a new instance with ``data`` as its initial task data (not run yet)."""
        spiff = SpiffBpmnWorkflow(parsed.spec, dict(parsed.subprocess_specs))
        workflow = cls(parsed, spiff, **options)
        if data:
            workflow.spiff.task_tree.data.update(dict(data))
            for task in workflow.spiff.get_tasks(state=SpiffTaskState.READY):
                task.data.update(dict(data))
        return workflow

    # -- running ------------------------------------------------------------------------

    def run_engine_steps(self) -> None:
        """Run everything that needs no person (gateways, events, scripts) until it waits."""
        try:
            self._guard(self.spiff.do_engine_steps)
            self._apply_working_calendar()
        finally:
            self._observe()  # report what did happen, also when a later step failed

    def ready_human_tasks(self) -> list[HumanTask]:
        """The user and manual tasks ready to be worked, in document order."""
        result = []
        for task in self._tasks(SpiffTaskState.READY):
            if not task.task_spec.manual:
                continue
            node = self.parsed.node(task.task_spec.bpmn_id)
            result.append(
                HumanTask(
                    task_id=str(task.id),
                    node_id=task.task_spec.bpmn_id,
                    name=task.task_spec.bpmn_name,
                    kind=node.kind if node else type(task.task_spec).__name__,
                    lane=task.task_spec.lane,
                    checkpoint_id=node.checkpoint_id if node else None,
                )
            )
        return result

    def complete_task(self, task_id: str, data: Mapping[str, Any] | None = None) -> None:
        """Complete a ready human task with ``data`` and run the engine steps that follow."""
        task = self.spiff.get_task_from_id(UUID(task_id))
        if task is None or not task.has_state(SpiffTaskState.READY) or not task.task_spec.manual:
            raise WorkflowError(f"task {task_id} is not a ready human task", task_id=task_id)
        task.data.update(dict(data or {}))
        self._guard(task.run)
        self.run_engine_steps()

    @property
    def is_completed(self) -> bool:
        """True when no task is left to run."""
        return self.spiff.is_completed()

    @property
    def data(self) -> dict[str, Any]:
        """The case data: the data of the last completed task, or the workflow's data."""
        last = self.spiff.last_task
        return dict(last.data) if last is not None else dict(self.spiff.data)

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data of one task (empty when the task is gone)."""
        task = self.spiff.get_task_from_id(UUID(task_id))
        return dict(task.data) if task is not None else {}

    def _tasks(self, states: int) -> Iterator[Any]:
        """The Spiff tasks in any of ``states``, of the workflow and its sub-processes, in the
        order they were created (cheaper than SpiffWorkflow's walk of the task tree)."""
        for task in self.spiff.tasks.values():
            if task.state & states:
                yield task
        for subprocess in self.spiff.subprocesses.values():
            for task in subprocess.tasks.values():
                if task.state & states:
                    yield task

    def _guard(self, action: Any) -> Any:
        try:
            return action()
        except SpiffWorkflowException as exc:
            cause = unwrap_expression_error(exc)
            task_spec = getattr(getattr(exc, "task", None), "task_spec", None)
            task_spec = task_spec or getattr(exc, "task_spec", None)
            node_id = getattr(task_spec, "bpmn_id", None)
            if isinstance(cause, UnsafeExpression):
                cause.details.setdefault("node_id", node_id)
                raise cause from None
            message = str(getattr(exc, "message", None) or exc).strip().rstrip(".")
            if cause is not None:
                message = f"{message}: {cause.message}"
            raise WorkflowError(message, node_id=node_id) from exc

    # -- events and checkpoints ---------------------------------------------------------

    def _observe(self) -> None:
        """Report nodes newly reached and completed, once each (marks survive serialisation)."""
        fresh: list[tuple[float, int, NodeEvent]] = []
        for task in self._tasks(_LIVE | SpiffTaskState.COMPLETED):
            if task.task_spec.bpmn_id is None:
                continue
            live = bool(task.state & _LIVE)
            done = not live
            marks = task.internal_data
            if (live or done) and not marks.get("etalon_reached"):
                marks["etalon_reached"] = True
                fresh.append((task.last_state_change, 0, self._event(REACHED, task)))
            if done and not marks.get("etalon_completed"):
                marks["etalon_completed"] = True
                fresh.append((task.last_state_change, 1, self._event(COMPLETED, task)))
        for _, _, event in sorted(fresh, key=lambda item: (item[0], item[1])):
            self.events.append(event)
            if event.checkpoint_id and self.on_checkpoint is not None:
                self.on_checkpoint(event)

    def _event(self, phase: str, task: Any) -> NodeEvent:
        node = self.parsed.node(task.task_spec.bpmn_id)
        return NodeEvent(
            phase=phase,
            node_id=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name,
            kind=node.kind if node else type(task.task_spec).__name__,
            task_id=str(task.id),
            checkpoint_id=node.checkpoint_id if node else None,
            at=dt.datetime.fromtimestamp(task.last_state_change, self.timezone),
        )

    # -- timers -------------------------------------------------------------------------

    def waiting_timers(self) -> list[WaitingTimer]:
        """Timer events the instance waits for, with their due times."""
        timers = []
        for task in self._tasks(SpiffTaskState.WAITING):
            definition = getattr(task.task_spec, "event_definition", None)
            if not isinstance(definition, SpiffTimerEventDefinition):
                continue
            node = self.parsed.node(task.task_spec.bpmn_id)
            kind = type(definition).__name__.replace("TimerEventDefinition", "").lower()
            value = task.internal_data.get("event_value")
            if isinstance(value, dict):
                value = value.get("next")
            due = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
            timers.append(
                WaitingTimer(
                    task_id=str(task.id),
                    node_id=task.task_spec.bpmn_id,
                    name=task.task_spec.bpmn_name,
                    kind={"timedate": "date", "duration": "duration"}.get(kind, kind),
                    due=due.astimezone(dt.UTC) if due and due.tzinfo else due,
                    calendar=(node.timer_calendar if node and node.timer_calendar else "calendar"),
                )
            )
        return timers

    def refresh_timers(self) -> None:
        """Fire the timers whose due time has passed and run what follows."""
        self._guard(self.spiff.refresh_timers)
        self.run_engine_steps()

    def fire_timer(self, task_id: str) -> None:
        """Make a waiting timer due now (try-outs, administrators) and run what follows."""
        task = self.spiff.get_task_from_id(UUID(task_id))
        if task is None or not task.has_state(SpiffTaskState.WAITING):
            raise WorkflowError(f"task {task_id} is not a waiting timer", task_id=task_id)
        past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):  # a cycle: fire its next occurrence
            value["next"] = past
        else:
            task.internal_data["event_value"] = past
        self.refresh_timers()

    def _apply_working_calendar(self) -> None:
        """Recompute duration timers marked calendar="working" on the production calendar."""
        if self.calendar is None:
            return
        for timer in self.waiting_timers():
            task = self.spiff.get_task_from_id(UUID(timer.task_id))
            if timer.calendar != "working" or timer.kind != "duration":
                continue
            if task.internal_data.get("etalon_working_due"):
                continue
            expression = task.task_spec.event_definition.expression
            text = self.spiff.script_engine.evaluate(task, expression)
            started = dt.datetime.fromtimestamp(task.last_state_change, self.timezone)
            due = self.calendar.due(started, parse_duration(text), "working")
            task.internal_data["event_value"] = due.astimezone(dt.UTC).isoformat()
            task.internal_data["etalon_working_due"] = True
            logger.debug("timer %s due %s on working time", timer.node_id, due)

    # -- state --------------------------------------------------------------------------

    def serialize(self) -> dict[str, Any]:
        """The instance state as a JSON-compatible dict, without the spec."""
        return state_of(self.spiff, self.parsed.key)

    def serialize_text(self) -> str:
        """:meth:`serialize` as JSON text, as the engine stores it."""
        return state_text(self.spiff, self.parsed.key, self._settled)

    @classmethod
    def restore(
        cls, parsed: ParsedSpec, state: Mapping[str, Any], *, consume: bool = False, **options: Any
    ) -> Workflow:
        """Rebuild an instance from :meth:`serialize` output and the (cached) spec.

        ``consume=True`` lets the restore take ``state`` apart instead of copying it first
        (the caller replaces it afterwards, as the engine does with a row's state).
        """
        return cls(parsed, spiff_of(state, parsed, consume=consume), **options)


def _default_timezone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Moscow")

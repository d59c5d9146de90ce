"""The one wrapper around SpiffWorkflow: safe parsing, a safe script engine, a workflow façade.

No other module imports SpiffWorkflow. What this module guarantees:

- XML reaches SpiffWorkflow only after :func:`bpmn.loading.load_document` accepted it (no DTD,
  no entities, bounded size and depth); Spiff parses the already-loaded lxml tree.
- Every condition, timer expression, data mapping, multi-instance expression and script goes
  through :mod:`engine.expressions`; scripts run only for a trusted standard.
- Parsed specs are cached by the hash of the bytes of the document and its supporting
  documents; workflow state is serialised without the spec and re-attached on restore.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser as SpiffBpmnParser
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator as SpiffBpmnValidator
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine as SpiffPythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment as SpiffEnvironment,
)
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG as SPIFF_DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter as SpiffBpmnWorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    WorkflowConverter as SpiffWorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import (
    BpmnWorkflowSerializer as SpiffBpmnWorkflowSerializer,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimerEventDefinition as SpiffTimerEventDefinition,
)
from SpiffWorkflow.bpmn.util.diff import diff_workflow as spiff_diff_workflow
from SpiffWorkflow.bpmn.util.diff import migrate_workflow as spiff_migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow as SpiffBpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState as SpiffTaskState

from bpmn.loading import load_document
from bpmn.namespaces import BPMN
from engine import expressions
from engine.durations import parse_duration
from engine.errors import DomainError
from engine.expressions import ExpressionError, UnsafeExpression
from engine.nodes import (
    COMPLETED,
    ISO_TIMER_LITERAL,
    REACHED,
    HumanTask,
    NodeEvent,
    NodeInfo,
    WaitingTimer,
    check_expressions,
    check_reserved_ids,
    read_nodes,
)

logger = logging.getLogger(__name__)

_SPEC_CACHE_SIZE = 64


class WorkflowError(DomainError):
    """A BPMN file cannot be parsed into a runnable spec, or running it failed."""


# -- safe script engine -------------------------------------------------------------------


class SafeEnvironment(SpiffEnvironment):
    """Spiff's environment contract implemented with :mod:`engine.expressions`."""

    def __init__(self, trusted: bool = False) -> None:
        super().__init__({})
        self.trusted = trusted

    def evaluate(self, expression: str, context: Mapping, external_context: Mapping | None = None):
        """Evaluate a condition or other expression against task data (never eval)."""
        return expressions.evaluate(expression, context, extra=external_context or {})

    def execute(self, script: str, context: dict, external_context: Mapping | None = None):
        """Run a script task's script, only when the standard is trusted."""
        if not self.trusted:
            raise UnsafeExpression(
                "scripts run only for trusted standards; this one is not trusted",
                expression=script[:200],
            )
        expressions.execute(script, context, extra=external_context or {})
        return True

    def call_service(self, context: Mapping, **kwargs: Any):
        """Service tasks call nothing from an uploaded file."""
        raise UnsafeExpression(
            "service tasks are not supported", operation=kwargs.get("operation_name")
        )


class SafeScriptEngine(SpiffPythonScriptEngine):
    """Spiff's script engine with every evaluation routed through our restricted language."""

    def __init__(self, trusted: bool = False) -> None:
        super().__init__(environment=SafeEnvironment(trusted))

    def validate(self, expression: str) -> None:
        expressions.check(expression)

    def evaluate(self, task, expression, external_context=None):
        text = expression.strip() if isinstance(expression, str) else expression
        if _is_timer_literal(task, text):
            # Modellers write PT4H, not "PT4H"; Spiff would evaluate it as a Python name.
            return text
        return super().evaluate(task, expression, external_context)


def _is_timer_literal(task: Any, text: Any) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return (
        isinstance(definition, SpiffTimerEventDefinition)
        and isinstance(text, str)
        and bool(ISO_TIMER_LITERAL.match(text))
        and text not in task.data
    )


def unwrap_expression_error(exc: BaseException) -> ExpressionError | None:
    """Find our ExpressionError inside the exceptions SpiffWorkflow wraps it in."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ExpressionError):
            return current
        current = getattr(current, "exception", None) or current.__cause__ or current.__context__
    return None


# -- parsing ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ParsedSpec:
    """A parsed, runnable process: the Spiff specs and our node metadata. Shared; read-only."""

    key: str
    process_id: str
    spec: Any
    subprocess_specs: Mapping[str, Any]
    nodes: Mapping[str, NodeInfo] = field(default_factory=dict)

    def node(self, node_id: str | None) -> NodeInfo | None:
        """Metadata of a flow node by its BPMN id."""
        return self.nodes.get(node_id) if node_id else None


_cache: OrderedDict[str, ParsedSpec] = OrderedDict()
_cache_lock = Lock()
_validator: SpiffBpmnValidator | None = None


def _spiff_validator() -> SpiffBpmnValidator:
    global _validator  # loading the BPMN XSD costs ~100 ms: once per process
    if _validator is None:
        _validator = SpiffBpmnValidator()
    return _validator


def spec_key(bpmn_bytes: bytes, process_id: str | None, supporting: Sequence[bytes] = ()) -> str:
    """The cache key of a spec: a hash over the documents and the chosen process."""
    digest = hashlib.sha256()
    for part in (bpmn_bytes, *supporting):
        digest.update(hashlib.sha256(part).digest())
    digest.update((process_id or "").encode())
    return digest.hexdigest()


def parse_spec(
    bpmn_bytes: bytes, process_id: str | None = None, supporting: Sequence[bytes] = ()
) -> ParsedSpec:
    """Parse a BPMN document (plus supporting documents for call activities) into a spec.

    ``process_id`` defaults to the only executable process of the main document. Results
    are cached by content hash. Raises bpmn.errors.BpmnError for unsafe or malformed XML and
    WorkflowError when SpiffWorkflow cannot build a runnable spec.
    """
    key = spec_key(bpmn_bytes, process_id, supporting)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    parsed = _parse(key, bpmn_bytes, process_id, supporting)
    with _cache_lock:
        _cache[key] = parsed
        while len(_cache) > _SPEC_CACHE_SIZE:
            _cache.popitem(last=False)
    return parsed


def clear_spec_cache() -> None:
    """Forget every cached spec (tests, or after a calendar of specs changed)."""
    with _cache_lock:
        _cache.clear()


def _parse(
    key: str, bpmn_bytes: bytes, process_id: str | None, supporting: Sequence[bytes]
) -> ParsedSpec:
    documents = [load_document(bpmn_bytes, source="main")]
    documents += [load_document(b, source=f"supporting[{i}]") for i, b in enumerate(supporting)]
    parser = SpiffBpmnParser(validator=_spiff_validator())
    nodes: dict[str, NodeInfo] = {}
    try:
        for document in documents:
            parser.add_bpmn_xml(document.root, filename=document.label)
            nodes.update(read_nodes(document.root))
            check_reserved_ids(document.root)
            check_expressions(document.root)
        if process_id is None:
            process_id = _only_executable_process(documents[0].root)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except SpiffWorkflowException as exc:
        raise WorkflowError(
            f"the process cannot be prepared for execution: {exc}", process_id=process_id
        ) from exc
    missing = sorted(name for name, sub in subprocess_specs.items() if sub is None)
    if missing:
        raise WorkflowError(
            f"call activities refer to processes that were not supplied: {', '.join(missing)}",
            missing=missing,
        )
    logger.info("parsed process %s (%d nodes, key %s)", process_id, len(nodes), key[:12])
    return ParsedSpec(key, process_id, spec, dict(subprocess_specs), nodes)


def _only_executable_process(root: Any) -> str:
    processes = [p for p in root.iter(f"{{{BPMN}}}process") if p.get("isExecutable") != "false"]
    if len(processes) != 1:
        ids = [p.get("id") for p in processes]
        raise WorkflowError(
            f"the document has {len(processes)} executable processes ({', '.join(map(str, ids))}); "
            "say which one to run",
            processes=ids,
        )
    return processes[0].get("id")


# -- serialisation without the spec ------------------------------------------------------


class _SpeclessWorkflowConverter(SpiffBpmnWorkflowConverter):
    """Serialises a workflow's state only; the spec comes back from the spec cache."""

    def to_dict(self, workflow: Any) -> dict:
        dct = SpiffWorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict, spec: Any = None, subprocess_specs: Any = None) -> Any:
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        workflow = self.target_class(spec, dict(subprocess_specs or {}), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> SpiffBpmnWorkflowSerializer:
    config = dict(SPIFF_DEFAULT_CONFIG)
    config[SpiffBpmnWorkflow] = _SpeclessWorkflowConverter
    registry = SpiffBpmnWorkflowSerializer.configure(config)
    # Task data may hold dates (form fields of type date); Spiff registers only datetime.
    registry.register(
        dt.date, lambda v: {"value": v.isoformat()}, lambda v: dt.date.fromisoformat(v["value"])
    )
    return SpiffBpmnWorkflowSerializer(registry)


_serializer = _make_serializer()
STATE_VERSION = f"etalon-1/spiff-{SPIFF_SERIALIZER_VERSION}"


# -- the workflow façade ------------------------------------------------------------------


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
        for task in self.spiff.get_tasks(state=SpiffTaskState.READY, manual=True):
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
        for task in self.spiff.get_tasks():
            bpmn_id = task.task_spec.bpmn_id
            if bpmn_id is None:
                continue
            live = task.has_state(
                SpiffTaskState.READY | SpiffTaskState.STARTED | SpiffTaskState.WAITING
            )
            done = task.has_state(SpiffTaskState.COMPLETED)
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
        for task in self.spiff.get_tasks(state=SpiffTaskState.WAITING):
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
        return {
            "version": STATE_VERSION,
            "spec_key": self.parsed.key,
            "workflow": _serializer.to_dict(self.spiff),
        }

    @classmethod
    def restore(
        cls, parsed: ParsedSpec, state: Mapping[str, Any], *, consume: bool = False, **options: Any
    ) -> Workflow:
        """Rebuild an instance from :meth:`serialize` output and the (cached) spec.

        ``consume=True`` lets the restore take ``state`` apart instead of copying it first
        (the caller replaces it afterwards, as the engine does with a row's state).
        """
        if state.get("version") != STATE_VERSION:
            raise WorkflowError(
                f"state version {state.get('version')!r} is not {STATE_VERSION!r}",
                version=state.get("version"),
            )
        if state.get("spec_key") != parsed.key:
            raise WorkflowError("the state belongs to another spec", spec_key=state.get("spec_key"))
        spiff = _serializer.from_dict(
            state["workflow"] if consume else copy.deepcopy(state["workflow"]),
            spec=parsed.spec,
            subprocess_specs=parsed.subprocess_specs,
        )
        return cls(parsed, spiff, **options)


def _default_timezone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Moscow")


# -- moving a running instance to another version of its spec ----------------------------

_LIVE = SpiffTaskState.READY | SpiffTaskState.WAITING | SpiffTaskState.STARTED
_KEPT_MARKS = ("etalon_reached", "etalon_completed", "event_value", "etalon_working_due")


def migration_problems(workflow: Workflow, new: ParsedSpec) -> list[str]:
    """Why ``workflow`` cannot move to the spec ``new`` (empty when it can).

    Uses SpiffWorkflow's own diff: a task that ran or waits on a node the new version no
    longer has cannot be re-attached; nor can a called process the new version does not
    supply.
    """
    top, subs = spiff_diff_workflow(
        _serializer.registry, workflow.spiff, new.spec, new.subprocess_specs
    )
    problems = [_removed(task, "") for task in top.removed if _matters(task)]
    for sp_id, sub_diff in subs.items():
        sub = workflow.spiff.subprocesses[sp_id]
        if sub_diff is None:
            problems.append(f"the called process {sub.spec.name} is not part of the new version")
            continue
        prefix = f"{sub.spec.name}/"
        problems += [_removed(task, prefix) for task in sub_diff.removed if _matters(task)]
    return problems


def _matters(task: Any) -> bool:
    return task.has_state(_LIVE | SpiffTaskState.COMPLETED | SpiffTaskState.ERROR)


def _removed(task: Any, prefix: str) -> str:
    state = "waits at" if task.has_state(_LIVE) else "passed"
    name = task.task_spec.bpmn_id or task.task_spec.name
    return f"the instance {state} {prefix}{name}, which the new version no longer has"


def migrate(workflow: Workflow, new: ParsedSpec) -> Workflow:
    """Move ``workflow`` to the spec ``new`` and return the façade over the moved workflow.

    Check :func:`migration_problems` first. Ready and waiting tasks keep their ids; their
    checkpoint marks and timer due times survive the re-prediction Spiff does on migration.
    """
    spiff = workflow.spiff
    kept = {
        task.id: {k: task.internal_data[k] for k in _KEPT_MARKS if k in task.internal_data}
        for task in spiff.get_tasks(state=_LIVE)
    }
    top, subs = spiff_diff_workflow(_serializer.registry, spiff, new.spec, new.subprocess_specs)
    spiff_migrate_workflow(top, spiff, new.spec)
    for sp_id, sub_diff in subs.items():
        sub = spiff.subprocesses[sp_id]
        spiff_migrate_workflow(sub_diff, sub, new.subprocess_specs[sub.spec.name])
    spiff.subprocess_specs = dict(new.subprocess_specs)
    for task in spiff.get_tasks():
        if task.id in kept:
            task.internal_data.update(kept[task.id])
    moved = Workflow(
        new,
        spiff,
        trusted=workflow.trusted,
        calendar=workflow.calendar,
        on_checkpoint=workflow.on_checkpoint,
        timezone=workflow.timezone,
    )
    moved.run_engine_steps()
    return moved

"""Workflow state without the spec: the spec comes back from the spec cache on restore."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG as SPIFF_DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter as SpiffBpmnWorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import (
    BpmnWorkflowSerializer as SpiffBpmnWorkflowSerializer,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow as SpiffBpmnWorkflow
from SpiffWorkflow.util.task import TaskState as SpiffTaskState

from engine.spiff.errors import WorkflowError
from engine.spiff.parser import ParsedSpec

#: task id → (what the task looked like, its ``"id": {…}`` member of JSON text); see state_text
SettledTasks = dict[UUID, tuple[tuple, str]]

_FINISHED = SpiffTaskState.FINISHED_MASK
_PREDICTED = SpiffTaskState.FUTURE | SpiffTaskState.PREDICTED_MASK


def _is_settled(task: Any) -> bool:
    """True when the task's serialised form depends only on what :func:`_looks` sees: a
    finished task (its data, a delta against its finished parent, no longer changes), or a
    predicted one that has no data yet under a parent with stable data."""
    if task.state & _FINISHED:
        return True
    if not task.state & _PREDICTED or task.data or task.internal_data:
        return False
    parent = task.parent
    return parent is not None and bool(
        parent.state & _FINISHED or (parent.state & _PREDICTED and not parent.data)
    )


def _looks(task: Any) -> tuple:
    return (task.state, task.last_state_change, tuple(task._children), task.triggered,
            len(task.internal_data))  # fmt: skip


def _tasks_text(registry: Any, tasks: Mapping[UUID, Any], settled: SettledTasks) -> str:
    """The ``tasks`` mapping of a workflow as JSON text, settled tasks taken from ``settled``."""
    members = []
    for task_id, task in tasks.items():
        if _is_settled(task):
            looks = _looks(task)
            known = settled.get(task_id)
            if known is None or known[0] != looks:
                known = settled[task_id] = (looks, _member(registry, task_id, task))
            members.append(known[1])
        else:
            settled.pop(task_id, None)
            members.append(_member(registry, task_id, task))
    return "{" + ", ".join(members) + "}"


def _member(registry: Any, task_id: UUID, task: Any) -> str:
    return f'"{task_id}": {json.dumps(registry.convert(task))}'


class _SpeclessWorkflowConverter(SpiffBpmnWorkflowConverter):
    """Serialises a workflow's state only; the spec comes back from the spec cache."""

    def to_dict(self, workflow: Any) -> dict:
        # SpiffWorkflow's WorkflowConverter.to_dict without the spec.
        return {**self._head(workflow), "tasks": self.mapping_to_dict(workflow.tasks)}

    def to_text(self, workflow: Any, settled: SettledTasks) -> str:
        """:meth:`to_dict` as JSON text, the settled tasks' text reused from ``settled``."""
        head = json.dumps({**self._head(workflow), "typename": self.typename})
        return f'{head[:-1]}, "tasks": {_tasks_text(self.registry, workflow.tasks, settled)}}}'

    def _head(self, workflow: Any) -> dict:
        registry = self.registry
        last = workflow.last_task
        return {
            "data": registry.convert(registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": str(last.id) if last is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            "root": str(workflow.task_tree.id),
            "subprocesses": self.mapping_to_dict(workflow.subprocesses),
            "bpmn_events": registry.convert(workflow.bpmn_events),
        }

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


def _make_state_serializer() -> SpiffBpmnWorkflowSerializer:
    config = dict(SPIFF_DEFAULT_CONFIG)
    config[SpiffBpmnWorkflow] = _SpeclessWorkflowConverter
    registry = SpiffBpmnWorkflowSerializer.configure(config)
    # Task data may hold dates (form fields of type date); Spiff registers only datetime.
    registry.register(
        dt.date, lambda v: {"value": v.isoformat()}, lambda v: dt.date.fromisoformat(v["value"])
    )
    return SpiffBpmnWorkflowSerializer(registry)


state_serializer = _make_state_serializer()
STATE_VERSION = f"etalon-1/spiff-{SPIFF_SERIALIZER_VERSION}"
# The converter the registry made for workflows (configure() builds it; it registers itself).
_workflow_converter: _SpeclessWorkflowConverter = (
    state_serializer.registry.convert_to_dict[
        state_serializer.registry.typenames[SpiffBpmnWorkflow]
    ]
    .args[1]
    .__self__
)


def state_of(spiff: SpiffBpmnWorkflow, spec_key: str) -> dict[str, Any]:
    """The state of a Spiff workflow as a JSON-compatible dict, without the spec."""
    return {
        "version": STATE_VERSION,
        "spec_key": spec_key,
        "workflow": state_serializer.registry.convert(spiff),
    }


def state_text(spiff: SpiffBpmnWorkflow, spec_key: str, settled: SettledTasks) -> str:
    """:func:`state_of` as JSON text, as the engine stores it.

    ``settled`` keeps the JSON text of the top workflow's settled tasks (finished ones, and
    predicted ones without data) between calls on one workflow, so a step encodes only the
    tasks it touched. An entry is reused only while the task's state, last change, children,
    trigger and internal data look as they did.
    """
    head = json.dumps({"version": STATE_VERSION, "spec_key": spec_key})
    return f'{head[:-1]}, "workflow": {_workflow_converter.to_text(spiff, settled)}}}'


def spiff_of(
    state: Mapping[str, Any], parsed: ParsedSpec, *, consume: bool = False
) -> SpiffBpmnWorkflow:
    """The Spiff workflow of :func:`state_of` output, re-attached to ``parsed``'s specs.

    ``consume=True`` takes ``state`` apart instead of copying it first.
    """
    if state.get("version") != STATE_VERSION:
        raise WorkflowError(
            f"state version {state.get('version')!r} is not {STATE_VERSION!r}",
            version=state.get("version"),
        )
    if state.get("spec_key") != parsed.key:
        raise WorkflowError("the state belongs to another spec", spec_key=state.get("spec_key"))
    return state_serializer.from_dict(
        state["workflow"] if consume else copy.deepcopy(state["workflow"]),
        spec=parsed.spec,
        subprocess_specs=parsed.subprocess_specs,
    )

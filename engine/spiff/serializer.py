"""Workflow state without the spec: the spec comes back from the spec cache on restore."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any
from uuid import UUID

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
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow as SpiffBpmnWorkflow

from engine.spiff.errors import WorkflowError
from engine.spiff.parser import ParsedSpec


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


def state_of(spiff: SpiffBpmnWorkflow, spec_key: str) -> dict[str, Any]:
    """The state of a Spiff workflow as a JSON-compatible dict, without the spec."""
    return {
        "version": STATE_VERSION,
        "spec_key": spec_key,
        "workflow": state_serializer.to_dict(spiff),
    }


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

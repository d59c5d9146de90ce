"""The one wrapper around SpiffWorkflow: safe parsing, a safe script engine, a workflow façade.

No module outside this package imports SpiffWorkflow. What the package guarantees:

- XML reaches SpiffWorkflow only after :func:`bpmn.loading.load_document` accepted it (no DTD,
  no entities, bounded size and depth); Spiff parses the already-loaded lxml tree
  (:mod:`engine.spiff.parser`).
- Every condition, timer expression, data mapping, multi-instance expression and script goes
  through :mod:`engine.expressions`; scripts run only for a trusted standard
  (:mod:`engine.spiff.script_engine`).
- Parsed specs are cached by the hash of the bytes of the document and its supporting
  documents; workflow state is serialised without the spec and re-attached on restore
  (:mod:`engine.spiff.serializer`, :mod:`engine.spiff.workflow`).
- Running instances move to a newer version with SpiffWorkflow's own diff
  (:mod:`engine.spiff.migration`).

Import from here (``from engine.spiff import Workflow``), not from the modules.
"""

from __future__ import annotations

from engine.nodes import HumanTask, NodeEvent, NodeInfo, WaitingTimer
from engine.spiff.errors import WorkflowError, unwrap_expression_error
from engine.spiff.migration import migrate, migration_problems
from engine.spiff.parser import ParsedSpec, clear_spec_cache, parse_spec, spec_key
from engine.spiff.script_engine import SafeEnvironment, SafeScriptEngine
from engine.spiff.serializer import STATE_VERSION
from engine.spiff.workflow import Workflow

__all__ = [
    "STATE_VERSION",
    "HumanTask",
    "NodeEvent",
    "NodeInfo",
    "ParsedSpec",
    "SafeEnvironment",
    "SafeScriptEngine",
    "WaitingTimer",
    "Workflow",
    "WorkflowError",
    "clear_spec_cache",
    "migrate",
    "migration_problems",
    "parse_spec",
    "spec_key",
    "unwrap_expression_error",
]

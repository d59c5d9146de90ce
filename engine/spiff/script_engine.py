"""The safe script engine: every condition, timer expression, data mapping, multi-instance
expression and script goes through :mod:`engine.expressions`; scripts run only for a trusted
standard; service tasks call nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine as SpiffPythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment as SpiffEnvironment,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimerEventDefinition as SpiffTimerEventDefinition,
)

from engine import expressions
from engine.expressions import UnsafeExpression
from engine.nodes import (
    ISO_TIMER_LITERAL,
)


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

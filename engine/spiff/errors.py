"""Errors of the SpiffWorkflow wrapper, and finding our expression errors inside Spiff's."""

from __future__ import annotations

from engine.errors import DomainError
from engine.expressions import ExpressionError


class WorkflowError(DomainError):
    """A BPMN file cannot be parsed into a runnable spec, or running it failed."""


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

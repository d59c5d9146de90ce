"""Problems found in a BPMN document and the exception raised when it cannot be loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about a document, phrased so that a methodologist understands it.

    ``code`` is stable and dotted (``xml.entity``, ``xml.syntax``, ...) so that callers can
    react to it; ``message`` is for people and names the element concerned.
    """

    code: str
    severity: str
    message: str
    element_id: str | None = None
    line: int | None = None

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict of this problem."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "element_id": self.element_id,
            "line": self.line,
        }


class BpmnError(Exception):
    """A BPMN document cannot be loaded (or used) at all; ``problems`` say why."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[Problem, ...] = tuple(problems)

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict: the message and the list of problems."""
        return {"message": self.message, "problems": [p.to_dict() for p in self.problems]}

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        details = "; ".join(
            f"{p.code}: {p.message}" + (f" (line {p.line})" if p.line else "")
            for p in self.problems
        )
        return f"{self.message}: {details}"

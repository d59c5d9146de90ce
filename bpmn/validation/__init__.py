"""Validation of BPMN standards: XML schema, structure, engine support and Etalon metadata.

``validate(document)`` never raises on a loaded document: everything it finds is a
:class:`~bpmn.errors.Problem` with a stable dotted code, a severity, the element's id and line,
and a message that names the element. Errors mean the standard must not be published as is;
warnings are worth a methodologist's look but do not block (files drawn in other modellers
carry many harmless vendor quirks, and those are warnings).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bpmn.errors import ERROR, WARNING, Problem
from bpmn.loading import BpmnDocument
from bpmn.validation.calls import check_calls
from bpmn.validation.execution import check_execution
from bpmn.validation.flow import check_flow
from bpmn.validation.index import build_index
from bpmn.validation.metadata_rules import check_metadata
from bpmn.validation.references import (
    check_defaults_and_attachments,
    check_ids,
    check_lanes,
    check_message_flows,
    check_sequence_flows,
)
from bpmn.validation.xsd import check_schema

__all__ = ["ValidationReport", "validate"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ValidationReport:
    """Everything found in one document, in file order (by line)."""

    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that block publication."""
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems worth a look that do not block publication."""
        return tuple(p for p in self.problems if p.severity == WARNING)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict: ok, counts and the list of problems."""
        return {
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }


def validate(
    document: BpmnDocument, *, others: Sequence[BpmnDocument] = (), trusted: bool = False
) -> ValidationReport:
    """Check ``document`` against the BPMN 2.0 schema, structural rules and Etalon's rules.

    ``others`` are documents in force (e.g. supporting processes) against which call
    activities resolve and call cycles are detected. ``trusted`` allows script tasks (only
    for files Etalon ships itself).
    """
    index = build_index(document)
    problems: list[Problem] = []
    semantic: list[Problem] = []
    for rule in (
        check_ids(index),
        check_sequence_flows(index),
        check_defaults_and_attachments(index),
        check_lanes(index),
        check_message_flows(index),
        check_calls(document, index, others),
        check_flow(index),
        check_execution(index, trusted=trusted),
        check_metadata(index, others),
    ):
        semantic.extend(rule)
    # The schema's findings on Etalon elements repeat the metadata rules' in worse words.
    explained = {p.line for p in semantic if p.code.split(".")[0] in _METADATA_AREAS}
    for problem in check_schema(document):
        if problem.code == "etalon.schema" and problem.line in explained:
            continue
        problems.append(problem)
    problems.extend(semantic)
    problems.sort(key=lambda p: (p.line or 0, p.severity != ERROR, p.code))
    report = ValidationReport(tuple(problems))
    logger.info(
        "validated %s: %d errors, %d warnings",
        document.label,
        len(report.errors),
        len(report.warnings),
    )
    return report


_METADATA_AREAS = frozenset(
    {
        "checkpoint",
        "deadline",
        "indicator",
        "role",
        "field",
        "standard",
        "supports",
        "timer",
        "lane",
    }
)

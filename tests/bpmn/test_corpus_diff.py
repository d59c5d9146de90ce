"""Semantic diff on the MIWG corpus: self-diffs are empty, tool round-trips give concrete facts.

The facts asserted below were observed in the files themselves (e.g. the bpmn.io export of
C.1.0 really double-encodes "klären" as "klÃ¤ren").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bpmn.diff import Change, Diff, diff
from bpmn.extract import extract
from bpmn.loading import load_file
from tests.corpus import CORPUS

CORPUS_FILES = sorted(CORPUS.rglob("*.bpmn")) if CORPUS.is_dir() else []
BPMN_IO = CORPUS / "bpmn.io (Camunda Modeler) 18.6.1"
SIGNAVIO = CORPUS / "SAP Signavio Process Manager 19.9.0"

pytestmark = pytest.mark.skipif(not CORPUS_FILES, reason="MIWG corpus not available")


def roundtrip(tool: Path, case: str) -> Diff:
    reference = extract(load_file(CORPUS / "Reference" / f"{case}.bpmn"))
    return diff(reference, extract(load_file(tool / f"{case}-roundtrip.bpmn")))


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_self_diff_is_empty(path: Path) -> None:
    # Two independent loads, so nothing is shared between the sides.
    result = diff(load_file(path), load_file(path))
    assert result.is_empty, result.summary()
    assert result.layout == ()
    assert result.summary() == ["Содержательных изменений нет"]


def bpmn_io_cases() -> list[str]:
    return sorted(
        p.name.removesuffix("-roundtrip.bpmn")
        for p in BPMN_IO.glob("*-roundtrip.bpmn")
        if (CORPUS / "Reference" / p.name.replace("-roundtrip", "")).exists()
    )


@pytest.mark.parametrize("case", bpmn_io_cases() if CORPUS_FILES else [])
def test_bpmn_io_roundtrip_changes_nothing_but_a_mis_encoded_name(case: str) -> None:
    result = roundtrip(BPMN_IO, case)
    assert result.layout == ()  # bpmn.io keeps the diagram interchange as it is
    if case in ("C.1.0", "C.1.1"):
        (item,) = result.changed
        assert (item.id, item.type) == ("reviewInvoice", "userTask")
        assert item.changes == (Change("name", "Rechnung klären", "Rechnung klÃ¤ren"),)
        assert not (result.added or result.removed or result.replaced or result.processes)
    else:
        assert result.is_empty, result.summary()


def test_signavio_names_the_process_and_moves_shapes() -> None:
    result = roundtrip(SIGNAVIO, "A.1.0")
    (process,) = result.processes
    assert process.changes == (Change("name", None, "A.1.0"),)
    assert not (result.added or result.removed or result.changed)
    assert {c.kind for c in result.layout} <= {"moved", "resized", "moved_resized", "rerouted"}
    assert len(result.layout) == 2


@pytest.mark.parametrize(("case", "layout_changes"), [("A.4.1", 10), ("C.3.0", 24)])
def test_signavio_layout_noise_is_kept_apart(case: str, layout_changes: int) -> None:
    result = roundtrip(SIGNAVIO, case)
    assert result.is_empty, result.summary()
    assert len(result.layout) == layout_changes
    assert result.summary()[0] == "Содержательных изменений нет"
    assert "раскладке" in result.summary()[-1]


def test_signavio_drops_default_flows() -> None:
    result = roundtrip(SIGNAVIO, "A.2.1")
    assert sorted(item.id for item in result.changed) == [
        "Bpmn_SequenceFlow_edepQQbbEealeL5I4Yl3Dw",
        "Bpmn_SequenceFlow_f9nmUQbbEealeL5I4Yl3Dw",
    ]
    for item in result.changed:
        assert item.type == "sequenceFlow"
        assert item.changes == (Change("is_default", True, False),)


def test_signavio_renames_process_and_makes_it_non_executable() -> None:
    result = roundtrip(SIGNAVIO, "C.7.0")
    (process,) = result.processes
    assert process.changes == (
        Change("name", "EU Bank - Process", "EU Bank"),
        Change("is_executable", None, False),
    )


def test_signavio_b20_loses_elements_and_json_is_serialisable() -> None:
    result = roundtrip(SIGNAVIO, "B.2.0")
    removed = {(e.type, e.name) for e in result.removed}
    assert {
        ("startEvent", "Start Event 8"),
        ("task", "Task 34"),
        ("endEvent", "End Event 15"),
    } <= removed
    # Signavio wraps the pool's contents in a lane of its own: lane changes, not layout.
    assert any(c.field == "lane" for item in result.changed for c in item.changes)
    assert any(e.type == "lane" for p in result.processes for e in p.added)
    body = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert body["is_empty"] is False
    assert len(body["layout"]) == len(result.layout) > 100

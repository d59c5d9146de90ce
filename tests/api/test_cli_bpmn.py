"""`etalon bpmn validate|diff|render`: exit codes, output formats, JSON shape, SVG overlays.

These commands need no database; they run in process with CliRunner on a plain app.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from api import create_app
from api.cli import cli
from tests.corpus import CORPUS

LIBRARY = Path(__file__).resolve().parents[2] / "standards" / "library"
OFFICE = LIBRARY / "employment.office-model" / "v1.bpmn"
SUPPORT_V1 = LIBRARY / "social.support-measure" / "v1.bpmn"
SUPPORT_V2 = LIBRARY / "social.support-measure" / "v2.bpmn"
REGISTRATION_V1 = LIBRARY / "employment.job-seeker-registration" / "v1.bpmn"
REGISTRATION_V2 = LIBRARY / "employment.job-seeker-registration" / "v2.bpmn"
DATA = Path(__file__).resolve().parents[1] / "data" / "bpmn"

CAMUNDA = CORPUS / "bpmn.io (Camunda Modeler) 18.6.1"
SVG = "{http://www.w3.org/2000/svg}"

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:process id="P" name="&secret;"/>
</bpmn:definitions>
"""

LOL = "".join('  <!ENTITY lol{} "{}">\n'.format(i, f"&lol{i - 1};" * 10) for i in range(1, 10))
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol0 "lol">\n'
    + LOL
    + ']>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
    "&lol9;</bpmn:definitions>\n"
).encode()

BROKEN = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D">
  <bpmn:process id="P">
    <bpmn:startEvent id="S">
  </bpmn:process>
</bpmn:definitions>
"""

PROBLEM_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+): (?P<severity>error|warning) (?P<code>\S+)"
)


@pytest.fixture(scope="module")
def app():
    return create_app({"DATABASE_URL": "sqlite://"})


@pytest.fixture
def etalon(app):
    def run(*args: str | Path):
        return CliRunner().invoke(cli, ["bpmn", *map(str, args)], obj=app)

    return run


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, Path]:
    files = {"xxe": XXE, "billion_laughs": BILLION_LAUGHS, "broken": BROKEN}
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.bpmn"
        paths[name].write_bytes(data)
    return paths


def test_help_lists_the_bpmn_commands(etalon):
    result = etalon("--help")
    assert result.exit_code == 0
    for name in ("validate", "diff", "render"):
        assert name in result.output


# --- validate -----------------------------------------------------------------------------


def test_validate_clean_library_files_exits_0(etalon):
    result = etalon("validate", REGISTRATION_V1, REGISTRATION_V2)
    assert result.exit_code == 0, result.output
    assert f"{REGISTRATION_V1}: ok (0 errors, 0 warnings)" in result.output
    assert result.output.splitlines()[-1].startswith("2 file(s): 2 ok, 0 with errors")


def test_validate_reports_each_problem_with_file_line_code_and_element(etalon):
    result = etalon("validate", OFFICE)
    assert result.exit_code == 1
    problems = [m for line in result.output.splitlines() if (m := PROBLEM_LINE.match(line))]
    assert {m["code"] for m in problems} == {"call.unknown_process"}
    assert all(m["file"] == str(OFFICE) and int(m["line"]) > 0 for m in problems)
    assert "[Call_Registration]" in result.output
    assert "1 with errors" in result.output.splitlines()[-1]


def test_validate_with_supporting_files_resolves_call_activities(etalon):
    others = [
        LIBRARY / key / "v1.bpmn"
        for key in (
            "employment.job-seeker-registration",
            "employment.unemployment-benefit",
            "social.interagency-request",
        )
    ]
    args = [arg for other in others for arg in ("--with", other)]
    result = etalon("validate", *args, OFFICE)
    assert result.exit_code == 0, result.output


def test_validate_json_lists_one_entry_per_file(etalon):
    result = etalon("validate", "--json", OFFICE, SUPPORT_V2)
    assert result.exit_code == 1
    entries = json.loads(result.output)
    assert [e["file"] for e in entries] == [str(OFFICE), str(SUPPORT_V2)]
    office = entries[0]
    assert office["ok"] is False and office["errors"] == 3 and office["warnings"] == 0
    assert {p["element_id"] for p in office["problems"]} == {
        "Call_Registration",
        "Call_Interagency",
        "Call_Benefit",
    }
    assert set(office["problems"][0]) == {"code", "severity", "message", "element_id", "line"}


@pytest.mark.parametrize(
    ("name", "code", "line"),
    [("xxe", "xml.entity", 3), ("billion_laughs", "xml.entity", 3), ("broken", "xml.syntax", 5)],
)
def test_validate_refuses_hostile_or_broken_files_with_exit_2(etalon, hostile, name, code, line):
    path = hostile[name]
    result = etalon("validate", path, REGISTRATION_V1)
    assert result.exit_code == 2
    assert f"{path}: cannot load BPMN document" in result.output
    assert f"{path}:{line}: error {code} " in result.output
    assert "root:" not in result.output  # nothing of /etc/passwd was read
    assert f"{REGISTRATION_V1}: ok" in result.output  # the other files are still checked

    as_json = json.loads(etalon("validate", "--json", path).output)
    assert as_json[0]["ok"] is False
    assert as_json[0]["load_error"]["problems"][0]["code"] == code
    assert as_json[0]["load_error"]["problems"][0]["line"] == line


def test_validate_unloadable_wins_over_errors_and_missing_file_is_2(etalon, hostile, tmp_path):
    assert etalon("validate", OFFICE, hostile["broken"]).exit_code == 2
    missing = etalon("validate", tmp_path / "missing.bpmn")
    assert missing.exit_code == 2
    assert "file.unreadable" in missing.output


def test_validate_with_an_unloadable_supporting_file_exits_2(etalon, hostile):
    result = etalon("validate", "--with", hostile["xxe"], OFFICE)
    assert result.exit_code == 2
    assert "xml.entity" in result.output


@pytest.mark.skipif(not CAMUNDA.is_dir(), reason="BPMN MIWG corpus not available")
def test_validate_a_corpus_file_whose_path_has_spaces(etalon):
    path = CAMUNDA / "A.1.0-export.bpmn"
    result = etalon("validate", "--json", path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0] == {
        "file": str(path),
        "ok": True,
        "errors": 0,
        "warnings": 0,
        "problems": [],
    }


# --- diff ---------------------------------------------------------------------------------


def test_diff_json_of_library_versions_names_the_expected_elements(etalon):
    result = etalon("diff", "--json", SUPPORT_V1, SUPPORT_V2)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {e["id"] for e in data["added"]} == {
        "Task_TakeInWork",
        "Flow_Accept_Take",
        "Flow_Take_Smev",
    }
    assert {e["id"] for e in data["removed"]} == {"Flow_Accept_Smev"}
    assert {e["id"] for e in data["changed"]} == {"Task_Accept", "Call_Interagency"}
    assert data["is_empty"] is False
    # Layout-only changes are kept apart and never listed as changed elements.
    assert data["layout"] and all("id" in item and "kind" in item for item in data["layout"])
    moved = {item["id"] for item in data["layout"]}
    assert "End_Notified" in moved  # only moved: not a semantic change
    assert "End_Notified" not in {e["id"] for e in data["changed"]}


def test_diff_human_output_is_the_russian_summary_then_counts(etalon):
    result = etalon("diff", REGISTRATION_V1, REGISTRATION_V2)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("Добавлено:") and "(Task_Profile)" in line for line in lines)
    assert any(line.startswith("Изменено:") and "(Task_OfferVacancies)" in line for line in lines)
    assert lines[-1].startswith("Итого: добавлено 2, удалено 0, изменено 3")


def test_diff_of_a_file_with_itself_is_empty_and_exits_0(etalon):
    result = etalon("diff", SUPPORT_V1, SUPPORT_V1)
    assert result.exit_code == 0
    assert "Содержательных изменений нет" in result.output
    assert json.loads(etalon("diff", "--json", SUPPORT_V1, SUPPORT_V1).output)["is_empty"]


def test_diff_of_an_unloadable_file_exits_2(etalon, hostile):
    result = etalon("diff", SUPPORT_V1, hostile["billion_laughs"])
    assert result.exit_code == 2
    assert f"{hostile['billion_laughs']}:3: error xml.entity" in result.output


# --- render -------------------------------------------------------------------------------


def _svg_root(path: Path) -> etree._Element:
    root = etree.fromstring(path.read_bytes())  # raises on anything not well-formed
    assert root.tag == f"{SVG}svg"
    return root


def _group(root: etree._Element, element_id: str) -> etree._Element:
    found = root.findall(f".//{SVG}g[@data-element-id='{element_id}']")
    assert len(found) == 1, element_id
    return found[0]


def test_render_writes_a_well_formed_svg_with_every_element(etalon, tmp_path):
    out = tmp_path / "support.svg"
    result = etalon("render", SUPPORT_V2, "-o", out)
    assert result.exit_code == 0, result.output
    root = _svg_root(out)
    for element_id in ("Task_TakeInWork", "Task_Accept", "Flow_Take_Smev", "Call_Interagency"):
        _group(root, element_id)
    assert not root.findall(f".//{SVG}g[@class='etalon-removed']")


def test_render_diff_against_colours_added_changed_and_lists_removed(etalon, tmp_path):
    out = tmp_path / "diff.svg"
    result = etalon("render", SUPPORT_V2, "-o", out, "--diff-against", SUPPORT_V1)
    assert result.exit_code == 0, result.output
    assert "Удалено: поток управления (Flow_Accept_Smev)" in result.output
    root = _svg_root(out)
    text = etree.tostring(root, encoding="unicode")

    def strokes(element_id: str) -> set[str]:
        return {el.get("stroke") for el in _group(root, element_id).iter() if el.get("stroke")}

    assert "#2e7d32" in strokes("Task_TakeInWork")  # added: green
    assert "#d98b00" in strokes("Task_Accept")  # changed: amber
    assert "#d98b00" in strokes("Call_Interagency")
    assert "#d98b00" not in strokes("Task_CheckRight") | strokes("Task_TakeInWork")
    title = _group(root, "Task_Accept").find(f"{SVG}title")
    assert title is not None and title.text.startswith("Изменено:")
    # The removed flow is drawn from the older diagram (not as a live element) and listed.
    ghosts = root.findall(f".//{SVG}g[@data-removed-element-id='Flow_Accept_Smev']")
    assert len(ghosts) == 1 and ghosts[0].getparent().get("class") == "etalon-removed"
    assert not root.findall(f".//{SVG}g[@data-element-id='Flow_Accept_Smev']")
    assert "– поток управления (Flow_Accept_Smev)" in text
    legend = root.find(f".//{SVG}g[@class='etalon-diff-legend']")
    assert legend is not None and "■ добавлено" in "".join(legend.itertext())
    # The frame grew to hold the legend and the list below the drawing.
    view_height = float(root.get("viewBox").split()[3])
    assert float(root.get("height")) == view_height
    texts = [float(t.get("y")) for t in legend.iter(f"{SVG}text")]
    top = float(root.get("viewBox").split()[1])
    assert max(texts) < top + view_height


def test_render_diff_against_marks_redrawn_elements_and_changed_lanes(etalon, tmp_path):
    out = tmp_path / "replaced.svg"
    old, new = DATA / "etalon_registration_v1.bpmn", DATA / "etalon_registration_v2.bpmn"
    result = etalon("render", new, "-o", out, "--diff-against", old)
    assert result.exit_code == 0, result.output
    root = _svg_root(out)
    redrawn = _group(root, "Task_ReturnDocs2")
    assert "#e65100" in {el.get("stroke") for el in redrawn.iter()}  # replaced: orange
    assert "Task_ReturnDocs" in redrawn.find(f"{SVG}title").text
    assert "#d98b00" in {el.get("stroke") for el in _group(root, "Lane_Head").iter()}
    # A redrawn element is not "removed": nothing is ghosted for it.
    assert not root.findall(f".//{SVG}g[@data-removed-element-id]")


def test_render_diff_against_itself_highlights_nothing(etalon, tmp_path):
    out = tmp_path / "same.svg"
    result = etalon("render", SUPPORT_V1, "-o", out, "--diff-against", SUPPORT_V1)
    assert result.exit_code == 0
    assert "(0 element(s) highlighted)" in result.output
    assert "etalon-removed" not in out.read_text("utf-8")


def test_render_unknown_diagram_exits_2(etalon, tmp_path):
    out = tmp_path / "none.svg"
    result = etalon("render", SUPPORT_V2, "-o", out, "--diagram", "NoSuchDiagram")
    assert result.exit_code == 2
    assert "render.unknown_diagram" in result.output
    assert not out.exists()


def test_render_named_diagram(etalon, tmp_path):
    out = tmp_path / "named.svg"
    result = etalon("render", SUPPORT_V2, "-o", out, "--diagram", "SocialSupportMeasure_Diagram")
    assert result.exit_code == 0, result.output
    assert _svg_root(out).get("data-diagram-id") == "SocialSupportMeasure_Diagram"


def test_render_hostile_file_exits_2_and_writes_nothing(etalon, hostile, tmp_path):
    out = tmp_path / "x.svg"
    for path in (hostile["xxe"], hostile["billion_laughs"]):
        result = etalon("render", path, "-o", out)
        assert result.exit_code == 2
        assert f"{path}:3: error xml.entity" in result.output
    assert etalon("render", SUPPORT_V2, "-o", out, "--diff-against", hostile["xxe"]).exit_code == 2
    assert not out.exists()


def test_render_into_a_missing_folder_fails_cleanly(etalon, tmp_path):
    result = etalon("render", SUPPORT_V2, "-o", tmp_path / "no" / "such" / "out.svg")
    assert result.exit_code == 1
    assert "Could not open file" in result.output and "out.svg" in result.output


@pytest.mark.skipif(not CAMUNDA.is_dir(), reason="BPMN MIWG corpus not available")
def test_render_a_corpus_file(etalon, tmp_path):
    out = tmp_path / "corpus.svg"
    result = etalon("render", CAMUNDA / "C.1.0-export.bpmn", "-o", out)
    assert result.exit_code == 0, result.output
    assert len(_svg_root(out).findall(f".//{SVG}g[@data-element-id]")) > 20

"""ISO 8601 durations, Etalon metadata elements, and the etalon.xsd schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpmn.metadata import (
    Duration,
    etalon_children,
    lane_roles,
    node_metadata,
    parse_duration,
    parse_number,
    process_metadata,
)
from bpmn.namespaces import ETALON

ROOT = Path(__file__).resolve().parent.parent.parent
XSD = ROOT / "bpmn" / "schema" / "etalon.xsd"
DATA = ROOT / "tests" / "data" / "bpmn"
NS = f'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:etalon="{ETALON}"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P5D", Duration(days=5)),
        ("PT4H", Duration(hours=4)),
        ("P1DT2H", Duration(days=1, hours=2)),
        ("PT20S", Duration(seconds=20)),
        ("PT1H30M", Duration(hours=1, minutes=30)),
        ("P2W", Duration(days=14)),
        ("PT1.5S", Duration(seconds=1.5)),
        ("PT0,5S", Duration(seconds=0.5)),
        (" P1D ", Duration(days=1)),
        ("P0D", Duration()),
    ],
)
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", [None, "", "P", "PT", "P1DT", "1D", "P1H", "PT1D", "P1M", "P1Y", "-P1D", "P1.5D", "4h"]
)
def test_malformed_or_unfixed_durations_are_none(text: str | None) -> None:
    assert parse_duration(text) is None


def test_duration_helpers() -> None:
    duration = parse_duration("P1DT2H3M4S", "calendar")
    assert duration is not None
    assert duration.calendar == "calendar"
    assert duration.total_seconds() == 86400 + 7200 + 180 + 4
    assert duration.iso() == "P1DT2H3M4S"
    assert Duration().iso() == "PT0S"
    assert parse_duration("P1D") == Duration(days=1, calendar="working")
    assert str(Duration(hours=4)) == "PT4H (working)"


@pytest.mark.parametrize(
    ("text", "expected"), [("95", 95.0), ("0.3", 0.3), (" 8 ", 8.0), ("x", None), ("nan", None)]
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


def element(xml: str) -> etree._Element:
    return etree.fromstring(xml.replace("NS", NS))


def test_node_metadata_reads_every_element_in_order() -> None:
    task = element(
        """<bpmn:userTask NS id="T"><bpmn:extensionElements>
             <etalon:checkpoint id="CP" attributes="a  b"/>
             <etalon:deadline duration="PT4H" calendar="calendar"/>
             <etalon:technologyCard ref="TK-1"/><etalon:technologyCard ref="TK-2" title="Два"/>
             <etalon:result>  Готово  </etalon:result><etalon:result>second ignored</etalon:result>
             <etalon:form code="F-1" name="Форма"/>
             <etalon:field name="n" type="integer" required="1"/>
             <etalon:unknown/>
           </bpmn:extensionElements></bpmn:userTask>"""
    )
    meta = node_metadata(task, "T")
    assert [(c.id, c.node_id, c.attributes) for c in meta.checkpoints] == [("CP", "T", ("a", "b"))]
    (deadline,) = meta.deadlines
    assert deadline.duration == Duration(hours=4, calendar="calendar")
    assert deadline.calendar == "calendar" and deadline.line == 3
    assert [c.ref for c in meta.technology_cards] == ["TK-1", "TK-2"]
    assert meta.result == "Готово"
    assert meta.forms[0].name == "Форма"
    assert meta.fields[0].required is True
    assert meta.timer_calendar is None
    assert len(etalon_children(task)) == 9


def test_process_metadata_and_lane_roles() -> None:
    process = element(
        """<bpmn:process NS id="P"><bpmn:extensionElements>
             <etalon:standard kind="organization"/>
             <etalon:supports process="Main1"/><etalon:supports process="Main2"/>
             <etalon:indicator id="I" kind="count_per_employee" checkpoint="CP" unit="count"
                               direction="higher_better" target="12"/>
           </bpmn:extensionElements></bpmn:process>"""
    )
    meta = process_metadata(process, "P")
    assert meta.standard is not None
    assert (meta.standard.kind, meta.standard.category) == ("organization", "main")
    assert [s.process for s in meta.supports] == ["Main1", "Main2"]
    (indicator,) = meta.indicators
    assert (indicator.checkpoint, indicator.weight, indicator.weight_raw) == ("CP", 0.0, None)
    assert indicator.corridor is None and indicator.actions == ()
    lane = element(
        """<bpmn:lane NS id="L"><bpmn:extensionElements>
             <etalon:role code="head" name="Руководитель"/></bpmn:extensionElements></bpmn:lane>"""
    )
    assert [(r.code, r.name) for r in lane_roles(lane)] == [("head", "Руководитель")]
    assert lane_roles(element("<bpmn:lane NS id='L2'/>")) == ()


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_fixture_extension_elements_validate_against_the_schema(schema: etree.XMLSchema) -> None:
    tree = etree.parse(str(DATA / "etalon_registration_v1.bpmn"))
    fragments = tree.getroot().iter(f"{{{ETALON}}}*")
    top_level = [
        el for el in fragments if etree.QName(el.getparent()).localname == "extensionElements"
    ]
    assert len(top_level) >= 15
    for el in top_level:
        assert schema.validate(etree.ElementTree(el)), (el.tag, schema.error_log.last_error)


@pytest.mark.parametrize(
    "fragment",
    [
        '<etalon:deadline NS duration="P1M"/>',
        '<etalon:deadline NS duration="PT"/>',
        '<etalon:deadline NS duration="P1DT"/>',
        '<etalon:deadline NS duration="PT4H" calendar="lunar"/>',
        '<etalon:role NS code="Registration Specialist"/>',
        '<etalon:checkpoint NS id="1bad"/>',
        '<etalon:checkpoint NS name="no id"/>',
        '<etalon:standard NS kind="programme"/>',
        '<etalon:field NS name="x" type="enum" required="maybe"/>',
        '<etalon:indicator NS id="I" name="n" kind="duration" unit="parrots" '
        'direction="lower_better" target="1"/>',
        '<etalon:indicator NS id="I" name="n" kind="duration" unit="hours" '
        'direction="lower_better" target="1" weight="1.5"/>',
        '<etalon:indicator NS id="I" name="n" kind="duration" unit="hours" '
        'direction="lower_better" target="1"><etalon:action>a</etalon:action>'
        '<etalon:corridor green="1" red="2"/></etalon:indicator>',
    ],
)
def test_schema_rejects_malformed_metadata(schema: etree.XMLSchema, fragment: str) -> None:
    assert not schema.validate(etree.ElementTree(element(fragment)))


@pytest.mark.parametrize(
    "fragment",
    [
        '<etalon:deadline NS duration="P2W"/>',
        '<etalon:deadline NS duration="PT1.5S" calendar="calendar"/>',
        '<etalon:timer NS calendar="working"/>',
        '<etalon:supports NS process="RecognitionUnemployed"/>',
        '<etalon:standard NS kind="organization" category="supporting"/>',
        '<etalon:field NS name="decision" type="enum" values="accept reject" required="true"/>',
    ],
)
def test_schema_accepts_spec_examples(schema: etree.XMLSchema, fragment: str) -> None:
    assert schema.validate(etree.ElementTree(element(fragment))), schema.error_log.last_error

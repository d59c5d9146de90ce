"""The auditors' API on pushed events: values and corridors per level, CSV, series,
drill-down, quality index, conformance and heatmaps, each limited to the reader's scope."""

from __future__ import annotations

import csv
import io

import pytest
from lxml import etree

from engine import org
from engine.fold import fold_queued
from tests.api.authz_measurement import KEY

URL = "/api/v1/indicators"
MSK_DAY = "2026-03-02"


def events(case: str, office: str, registered_at: str, returned: bool = False) -> list[dict]:
    base = {"case_id": case, "standard": KEY, "office": office, "actor": "reg.lip"}
    return [
        {**base, "event_id": f"{case}-1", "checkpoint_id": "CP_APPLICATION",
         "occurred_at": f"{MSK_DAY}T10:00:00+03:00"},
        {**base, "event_id": f"{case}-2", "checkpoint_id": "CP_DOCS_CHECKED",
         "occurred_at": f"{MSK_DAY}T11:00:00+03:00", "attributes": {"returned": returned}},
        {**base, "event_id": f"{case}-3", "checkpoint_id": "CP_REGISTERED",
         "occurred_at": registered_at},
    ]  # fmt: skip


@pytest.fixture
def pushed(client, session, token_for):
    """Lipetsk: one case on time, one registered a week late and returned; Tula: one case;
    then folded, as `etalon worker` does."""
    lipetsk = [
        *events("a", "R48-LIP", f"{MSK_DAY}T12:00:00+03:00"),
        *events("b", "R48-ELC", "2026-03-10T12:00:00+03:00", returned=True),
    ]
    for login, batch in (
        ("ris.lipetsk", lipetsk),
        ("ris.tula", events("c", "R71-TUL", f"{MSK_DAY}T12:00:00+03:00")),
    ):
        assert client.post("/api/v1/events", headers=token_for(login), json=batch).get_json()[
            "accepted"
        ] == len(batch)
    assert fold_queued(session) == 9
    session.flush()


def unit(session, code):
    return org.unit_by_code(session, code).id


def test_values_and_corridors_by_level(client, session, token_for, pushed):
    headers = token_for("auditor")
    query = f"{URL}?standard={KEY}&indicator=IND_REG_ON_TIME&granularity=month"
    regions = {
        v["unit_code"]: v for v in client.get(f"{query}&level=region", headers=headers).get_json()
    }
    assert regions["R48"]["value"] == 50.0 and regions["R48"]["status"] == "red"
    assert regions["R48"]["count"] == 2
    assert regions["R71"]["value"] == 100.0 and regions["R71"]["status"] == "green"
    [federation] = client.get(f"{query}&level=federation", headers=headers).get_json()
    assert federation["count"] == 3 and federation["value"] == pytest.approx(200 / 3, abs=1e-3)
    offices = client.get(f"{query}&level=office&unit_id={unit(session, 'R48')}", headers=headers)
    assert {v["unit_code"] for v in offices.get_json()} == {"R48-LIP", "R48-ELC"}
    as_csv = client.get(f"{query}&level=region&format=csv", headers=headers)
    assert as_csv.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    assert {r["unit_code"]: r["status"] for r in rows} == {"R48": "red", "R71": "green"}


def test_regional_auditors_see_their_region_only(client, session, token_for, pushed):
    headers = token_for("auditor.lipetsk")
    values = client.get(f"{URL}?standard={KEY}&level=office", headers=headers).get_json()
    assert {v["unit_code"] for v in values} == {"R48-LIP", "R48-ELC"}
    tula = client.get(f"{URL}?unit_id={unit(session, 'R71')}", headers=headers)
    assert tula.status_code == 404
    assert client.get(URL, headers=token_for("reg.lip")).status_code == 403


def test_series_drill_down_and_conformance(client, session, token_for, pushed):
    headers = token_for("auditor")
    region = unit(session, "R48")
    series = client.get(
        f"{URL}/series?standard={KEY}&indicator=IND_REG_ON_TIME&unit_id={region}&granularity=day",
        headers=headers,
    ).get_json()
    assert [(p["period_start"], p["value"]) for p in series["points"]] == [
        ("2026-03-02", 100.0),
        ("2026-03-10", 0.0),
    ]
    cases = client.get(
        f"{URL}/cases?standard={KEY}&indicator=IND_REG_ON_TIME&unit_id={region}"
        "&granularity=month&period_start=2026-03-01",
        headers=headers,
    )
    assert sorted((c["case_id"], c["within"]) for c in cases.get_json()) == [
        ("a", True),
        ("b", False),
    ]
    assert cases.headers["X-Pagination"]
    late = client.get(f"{URL}/conformance?deviating=true&standard={KEY}", headers=headers)
    assert [c["case_id"] for c in late.get_json()] == ["b"]
    detail = client.get(f"{URL}/conformance/{late.get_json()[0]['id']}", headers=headers)
    assert detail.get_json()["breaches"] == ["DL_REGISTRATION"]
    assert detail.get_json()["events"][0][0] == "CP_APPLICATION"


def test_quality_index_and_heatmap(client, session, token_for, pushed):
    headers = token_for("auditor")
    index = client.get(f"{URL}/quality-index?level=region&standard={KEY}", headers=headers)
    by_region = {v["unit_code"]: v for v in index.get_json()}
    assert by_region["R71"]["score"] > by_region["R48"]["score"]
    component = next(
        c for c in by_region["R48"]["components"] if c["indicator_id"] == "IND_REG_ON_TIME"
    )
    assert (component["value"], component["status"], component["score"]) == (50.0, "red", 0.0)
    svg = client.get(
        f"{URL}/heatmap?standard={KEY}&metric=breach_rate&unit_id={unit(session, 'R48')}",
        headers=headers,
    )
    assert svg.mimetype == "image/svg+xml"
    root = etree.fromstring(svg.data)
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any("Гражданин зарегистрирован" in t and "50.0%" in t for t in titles)
    bad = client.get(f"{URL}/heatmap?standard={KEY}&metric=colour", headers=headers)
    assert bad.status_code == 422

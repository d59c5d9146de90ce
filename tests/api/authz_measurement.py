"""Matrix rows: pushed checkpoint events (regional systems, their region only) and the
auditors' API (auditors and managers, their scope).

The target case is pushed by the system into the target office: three checkpoint events of a
job-seeker registration on 2 March 2026, so indicators, stages and the index have values.
"""

from __future__ import annotations

from sqlalchemy import select

from engine import org
from engine.fold import BACKLOG_READERS
from engine.indicator_queries import READERS
from engine.ingest import ingest_events
from models import CaseTrace, Role
from tests.api.authz import OFFICE, REGION, Row, Targets, target

KEY = "employment.job-seeker-registration"
PUSHERS = frozenset({Role.regional_system})


def case_events(scope: str, prefix: str) -> list[dict]:
    times = ("2026-03-02T10:00:00+03:00", "2026-03-02T11:00:00+03:00", "2026-03-02T12:00:00+03:00")
    checkpoints = ("CP_APPLICATION", "CP_DOCS_CHECKED", "CP_REGISTERED")
    return [
        {
            "event_id": f"{prefix}-{scope}-{n}",
            "case_id": f"{prefix}-{scope}",
            "standard": KEY,
            "checkpoint_id": checkpoint,
            "occurred_at": at,
            "office": OFFICE[scope],
            "actor": "reg.matrix",
        }
        for n, (checkpoint, at) in enumerate(zip(checkpoints, times, strict=True))
    ]


@target("measured_case")
def _measured_case(t: Targets):
    ingest_events(t.session, t.system, case_events(t.scope, "matrix"), source="matrix", fold=True)
    return t.session.scalars(
        select(CaseTrace).where(CaseTrace.case_id == f"matrix-{t.scope}")
    ).one()


def _region(t: Targets) -> int:
    return org.unit_by_code(t.session, REGION[t.scope]).id


def _get(path: str):
    """A GET of `path` (formatted with the region id) after the target case was pushed."""

    def call(c, h, t):
        t["measured_case"]
        return c.get(path.format(region=_region(t)), headers=h)

    return call


def _lists_case(r, t) -> bool:
    ids = [case["id"] for case in r.get_json()]
    return (t["measured_case"].id in ids) == (t.scope == "in")


ROWS: dict[tuple[str, str], Row] = {
    ("POST", "/api/v1/events"): Row(
        PUSHERS,
        lambda c, h, t: c.post("/api/v1/events", headers=h, json=case_events(t.scope, "push")),
        scoped=False,  # the batch is answered; events of other regions are refused in it
        check=lambda r, t: (
            r.get_json()["accepted"] == 3
            if t.scope == "in"
            else len(r.get_json()["refused"]) == 3 and r.get_json()["accepted"] == 0
        ),
    ),
    ("GET", "/api/v1/events/backlog"): Row(
        frozenset(BACKLOG_READERS),
        lambda c, h, t: c.get("/api/v1/events/backlog", headers=h),
        scoped=False,  # one figure for the deployment
        check=lambda r, t: r.get_json()["pending"] >= 0,
    ),
    ("GET", "/api/v1/indicators"): Row(
        frozenset(READERS),
        _get("/api/v1/indicators?unit_id={region}&standard=" + KEY),
        check=lambda r, t: any(v["indicator_id"] == "IND_REG_ON_TIME" for v in r.get_json()),
    ),
    ("GET", "/api/v1/indicators/series"): Row(
        frozenset(READERS),
        _get(f"/api/v1/indicators/series?unit_id={{region}}&standard={KEY}&indicator=IND_RETURNS"),
        check=lambda r, t: len(r.get_json()["points"]) == 1,
    ),
    ("GET", "/api/v1/indicators/cases"): Row(
        frozenset(READERS),
        _get(
            f"/api/v1/indicators/cases?unit_id={{region}}&standard={KEY}"
            "&indicator=IND_REG_ON_TIME&period_start=2026-03-01"
        ),
        check=lambda r, t: [o["case_id"] for o in r.get_json()] == [f"matrix-{t.scope}"],
    ),
    ("GET", "/api/v1/indicators/quality-index"): Row(
        frozenset(READERS),
        _get("/api/v1/indicators/quality-index?unit_id={region}"),
        check=lambda r, t: len(r.get_json()) == 1,
    ),
    ("GET", "/api/v1/indicators/conformance"): Row(
        frozenset(READERS),
        _get("/api/v1/indicators/conformance?page_size=500"),
        scoped=False,
        check=_lists_case,
    ),
    ("GET", "/api/v1/indicators/conformance/<int:trace_id>"): Row(
        frozenset(READERS),
        lambda c, h, t: c.get(f"/api/v1/indicators/conformance/{t['measured_case'].id}", headers=h),
    ),
    ("GET", "/api/v1/indicators/heatmap"): Row(
        frozenset(READERS),
        _get(f"/api/v1/indicators/heatmap?unit_id={{region}}&standard={KEY}"),
        check=lambda r, t: r.data.startswith(b"<svg"),
    ),
}

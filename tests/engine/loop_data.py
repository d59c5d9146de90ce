"""Data for the loop tests: the sample library simulated over August–September 2026 (small,
fixed seed) plus controlled cases pushed for the Lipetsk office (R48-LIP), whose managers are
head.lip (office) and head.lipetsk (region)."""

from __future__ import annotations

import datetime as dt

from engine.access import Actor
from engine.indicators import LOCAL_TZ
from engine.ingest import ingest_events
from engine.simulation import SimulationPlan, simulate

SUPPORT = "social.support-measure"
INTERAGENCY = "social.interagency-request"
REGISTRATION = "employment.job-seeker-registration"
#: detection right after the simulated range, then a month later
T1 = dt.datetime(2026, 10, 1, 7, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)
PLAN = SimulationPlan(start=dt.date(2026, 8, 1), months=2, seed=5, scale=0.15)


def simulate_sample(session) -> None:
    """`etalon simulate` over the plan, stopping at T1."""
    simulate(session, PLAN, now=T1)


def _at(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute), LOCAL_TZ).isoformat()


def push(session, events: list[dict], source: str = "loop-tests") -> None:
    report = ingest_events(session, Actor.system(source), events, source=source, fold=True)
    assert not report.rejected, report.rejected


def decisions(
    days: list[dt.date], *, returned: int, total: int, prefix: str, office: str = "R48-LIP"
) -> list[dict]:
    """`total` support-measure cases decided by inspector.lip over `days`, the first
    `returned` of them returned for rework (IND_RETURNS)."""
    events = []
    for n in range(total):
        day = days[n % len(days)]
        case = f"{prefix}-{n:03d}"
        for i, (checkpoint, hour, attributes) in enumerate(
            (
                ("CP_APPLICATION", 9, {"channel": "epgu"}),
                ("CP_ACCEPTED", 10, {"nonstandard": False, "measure": "—"}),
                ("CP_DECISION", 15, {"returned": n < returned}),
            )
        ):
            events.append(
                {
                    "event_id": f"{case}:{i}",
                    "case_id": case,
                    "standard": SUPPORT,
                    "checkpoint_id": checkpoint,
                    "occurred_at": _at(day, hour),
                    "office": office,
                    "actor": "inspector.lip",
                    "attributes": attributes,
                }
            )
    return events


def working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def red_returns(session) -> None:
    """25 % of Lipetsk's support-measure decisions returned in September (corridor ≤ 2 … 3 %)."""
    push(session, decisions(working_days(dt.date(2026, 9, 7), dt.date(2026, 9, 25)),
                            returned=6, total=24, prefix="LIP-SEP"))  # fmt: skip


def recovered_returns(session) -> None:
    """October: 40 decisions in Lipetsk, none returned."""
    push(session, decisions(working_days(dt.date(2026, 10, 5), dt.date(2026, 10, 30)),
                            returned=0, total=40, prefix="LIP-OCT"))  # fmt: skip


def digest_cases(session, day: dt.date) -> None:
    """For reg.lip: one registration in work, one assigned but not taken; for inspector.lip:
    an inter-agency answer received on `day` after 6 days of waiting."""
    sent = day - dt.timedelta(days=6)
    push(
        session,
        [
            {"event_id": "dg-1", "case_id": "DG-WORK", "standard": REGISTRATION,
             "checkpoint_id": "CP_APPLICATION", "occurred_at": _at(day, 10),
             "office": "R48-LIP", "actor": "reg.lip", "attributes": {"channel": "epgu"}},
            {"event_id": "dg-2", "case_id": "DG-NEW", "standard": REGISTRATION,
             "checkpoint_id": "CP_APPLICATION", "occurred_at": _at(sent, 10),
             "office": "R48-LIP", "actor": "reg.lip", "attributes": {"channel": "epgu"}},
            {"event_id": "dg-3", "case_id": "DG-NEW", "standard": REGISTRATION,
             "checkpoint_id": "CP_DOCS_CHECKED", "occurred_at": _at(sent, 11), "kind": "reached",
             "office": "R48-LIP", "actor": "reg.lip", "attributes": {}},
            {"event_id": "dg-4", "case_id": "DG-SMEV", "standard": INTERAGENCY,
             "checkpoint_id": "CP_REQUEST_SENT", "occurred_at": _at(sent, 12),
             "office": "R48-LIP", "actor": "inspector.lip", "attributes": {"agency": "ФНС"}},
            {"event_id": "dg-5", "case_id": "DG-SMEV", "standard": INTERAGENCY,
             "checkpoint_id": "CP_RESPONSE_RECEIVED", "occurred_at": _at(day, 12),
             "office": "R48-LIP", "attributes": {"response_status": "ok"}},
        ],
    )  # fmt: skip

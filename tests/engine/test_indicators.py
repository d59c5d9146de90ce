"""Indicator maths without a database: values, corridors, scores, periods, definitions."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.indicators import (
    Aggregate,
    IndicatorDefinition,
    VersionDefinitions,
    corridor_status,
    definition_in_force,
    definitions_of,
    indicator_score,
    indicator_value,
    local_day,
    period_start,
)
from engine.quality_index import quality_index


@pytest.mark.parametrize(
    ("value", "direction", "green", "red", "expected"),
    [
        (4.0, "lower_better", 4, 6, "green"),
        (5.0, "lower_better", 4, 6, "amber"),
        (6.0, "lower_better", 4, 6, "amber"),
        (6.1, "lower_better", 4, 6, "red"),
        (95.0, "higher_better", 95, 85, "green"),
        (85.0, "higher_better", 95, 85, "amber"),
        (84.9, "higher_better", 95, 85, "red"),
        (1.0, "higher_better", 5, 5, "red"),
        (None, "higher_better", 95, 85, None),
        (3.0, None, 95, 85, None),
        (3.0, "lower_better", None, None, None),
    ],
)
def test_corridor_status(value, direction, green, red, expected):
    assert corridor_status(value, direction, green, red) == expected


def test_values_per_kind():
    agg = Aggregate(count=4, total=10.0, total_sq=30.0, within=3, flagged=1, employee_days=2)
    assert indicator_value("duration", agg) == 2.5
    assert indicator_value("satisfaction", agg) == 2.5
    assert indicator_value("share_within_deadline", agg) == 75.0
    assert indicator_value("share_with_flag", agg) == 25.0
    assert indicator_value("count_per_employee", agg) == 2.0
    assert indicator_value("duration", Aggregate()) is None
    assert (agg + agg).count == 8 and (agg + agg).employee_days == 4
    assert agg.stddev == pytest.approx(((30 - 100 / 4) / 3) ** 0.5)
    with pytest.raises(ValueError):
        indicator_value("nonsense", agg)


def definition(**overrides) -> IndicatorDefinition:
    base = dict(
        id="IND", name="x", kind="duration", unit="days", direction="lower_better",
        target=4.0, weight=0.5, green=4.0, red=6.0,
    )  # fmt: skip
    return IndicatorDefinition(**{**base, **overrides})


def test_scores_run_from_red_to_green():
    d = definition()
    assert indicator_score(3.0, d) == 100.0
    assert indicator_score(5.0, d) == 50.0
    assert indicator_score(7.0, d) == 0.0
    up = definition(direction="higher_better", green=95.0, red=85.0, target=95.0)
    assert indicator_score(90.0, up) == 50.0
    no_corridor = definition(green=None, red=None, target=4.0)
    assert indicator_score(8.0, no_corridor) == 50.0
    assert indicator_score(2.0, no_corridor) == 100.0
    assert indicator_score(None, d) is None


def test_quality_index_is_renormalised_over_indicators_with_data():
    a = definition(id="A", weight=0.3)
    b = definition(id="B", weight=0.1)
    c = definition(id="C", weight=0.6)
    index = quality_index({"A": 3.0, "B": 5.0}, [a, b, c])  # C has no data
    assert index.score == pytest.approx((0.3 * 100 + 0.1 * 50) / 0.4)
    assert [x.status for x in index.components] == ["green", "amber", None]
    assert quality_index({}, [a]).score is None


def test_periods_and_local_days():
    day = dt.date(2026, 3, 12)  # a Thursday
    assert period_start(day, "day") == day
    assert period_start(day, "week") == dt.date(2026, 3, 9)
    assert period_start(day, "month") == dt.date(2026, 3, 1)
    with pytest.raises(ValueError):
        period_start(day, "year")
    late_evening_utc = dt.datetime(2026, 3, 12, 22, 30, tzinfo=dt.UTC)
    assert local_day(late_evening_utc) == dt.date(2026, 3, 13)  # already Friday in Moscow


def test_definitions_from_a_manifest_and_the_one_in_force():
    summary = {
        "indicators": [
            {"id": "IND_OK", "kind": "share_within_deadline", "from": "A", "to": "B",
             "deadline": {"iso": "P1D", "calendar": "working"}, "direction": "higher_better",
             "corridor": {"green": 95, "red": 85}, "weight": 0.3, "target": 95},
            {"id": "IND_ODD", "kind": "unheard_of"},
        ]
    }  # fmt: skip
    [only] = definitions_of(summary)
    assert only.deadline is not None and only.deadline.days == 1
    assert (only.green, only.red, only.weight) == (95, 85, 0.3)
    v1 = VersionDefinitions(1, dt.date(2026, 1, 1), (definition(green=4.0),))
    v2 = VersionDefinitions(2, dt.date(2026, 7, 1), (definition(green=3.0),))
    assert definition_in_force([v1, v2], "IND", dt.date(2026, 6, 30)).green == 4.0
    assert definition_in_force([v1, v2], "IND", dt.date(2026, 7, 1)).green == 3.0
    assert definition_in_force([v1, v2], "IND", dt.date(2025, 12, 1)).green == 4.0
    assert definition_in_force([v1, v2], "MISSING", dt.date(2026, 7, 1)) is None

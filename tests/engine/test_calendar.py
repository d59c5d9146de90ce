"""The production calendar: bundled years, validation of loaded data, working-time maths."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine.calendar import CalendarError, WorkingCalendar, load_year
from engine.durations import Duration, InvalidDuration, parse_duration

DATA = Path(__file__).resolve().parents[2] / "engine" / "data" / "calendar"


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.bundled()


def D(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def T(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("year", "working_days", "hours"),
    # The official norms at a 40-hour week for 2024-2026; 2027 is statutory-only data.
    [(2024, 248, 1979), (2025, 247, 1972), (2026, 247, 1972), (2027, 249, 1987)],
)
def test_bundled_years_match_the_norms(
    cal: WorkingCalendar, year: int, working_days: int, hours: int
) -> None:
    days = [D(f"{year}-01-01") + dt.timedelta(n) for n in range(366)]
    days = [d for d in days if d.year == year]
    assert sum(cal.is_working_day(d) for d in days) == working_days
    assert sum(8 - cal.is_short_day(d) for d in days if cal.is_working_day(d)) == hours


def test_every_bundled_file_has_a_source_and_a_note() -> None:
    for year in (2024, 2025, 2026, 2027):
        data = json.loads((DATA / f"{year}.json").read_text("utf-8"))
        assert data["year"] == year and data["source"] and data["note"]
        assert load_year(data)[0] == year


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2025-01-08", False),  # new-year holidays
        ("2025-01-09", True),
        ("2025-05-02", False),  # transferred from Saturday 4 January
        ("2025-11-01", True),  # a working Saturday (short)
        ("2025-11-03", False),  # its transferred day off
        ("2025-12-31", False),
        ("2024-04-27", True),  # working Saturday
        ("2024-12-28", True),
        ("2025-03-10", True),
        ("2026-03-09", False),  # 8 March fell on a Sunday
        ("2025-06-14", False),  # plain Saturday
    ],
)
def test_is_working_day(cal: WorkingCalendar, day: str, working: bool) -> None:
    assert cal.is_working_day(D(day)) is working


def test_years_without_data_fall_back_to_statutory_holidays(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(D("2030-01-03"))
    assert not cal.is_working_day(D("2030-06-12"))
    assert cal.is_working_day(D("2030-06-11"))


def test_short_day_ends_at_17(cal: WorkingCalendar) -> None:
    assert cal.intervals(D("2025-03-07"))[-1] == (dt.time(14), dt.time(17))
    assert cal.intervals(D("2025-03-06"))[-1] == (dt.time(14), dt.time(18))
    assert cal.intervals(D("2025-03-08")) == []


def test_add_working_days_skips_holidays_and_keeps_time(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(T("2025-04-30 15:00"), 1) == T("2025-05-05 15:00")
    assert cal.add_working_days(T("2025-10-31 10:00"), 1) == T("2025-11-01 10:00")
    assert cal.add_working_days(T("2025-12-30 10:00"), 1) == T("2026-01-12 10:00")
    assert cal.add_working_days(T("2025-03-03 10:00"), 0) == T("2025-03-03 10:00")
    assert cal.add_working_days(T("2025-03-03 10:00"), 5) == T("2025-03-10 10:00")


def test_working_days_between_inverts_add_working_days(cal: WorkingCalendar) -> None:
    start = T("2025-04-28 09:30")
    for n in (0, 1, 3, 10, 40):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n
    assert cal.working_days_between(T("2025-05-05 00:00"), start) == -3


def test_add_working_hours(cal: WorkingCalendar) -> None:
    assert cal.add_working_hours(T("2025-03-03 09:00"), 8) == T("2025-03-03 18:00")
    assert cal.add_working_hours(T("2025-03-03 12:00"), 2) == T("2025-03-03 15:00")  # lunch
    assert cal.add_working_hours(T("2025-03-07 16:00"), 2) == T("2025-03-10 10:00")  # short Fri
    assert cal.add_working_hours(T("2025-03-03 20:00"), 0.5) == T("2025-03-04 09:30")
    assert cal.add_working_hours(T("2025-03-08 11:00"), dt.timedelta(0)) == T("2025-03-08 11:00")
    with pytest.raises(CalendarError):
        cal.add_working_hours(T("2025-03-03 09:00"), -1)


def test_working_time_between(cal: WorkingCalendar) -> None:
    assert cal.working_time_between(T("2025-03-03 09:00"), T("2025-03-03 18:00")) == dt.timedelta(
        hours=8
    )
    assert cal.working_time_between(T("2025-03-07 12:00"), T("2025-03-11 10:00")) == dt.timedelta(
        hours=4 + 8 + 1
    )
    assert cal.working_time_between(T("2025-03-04 10:00"), T("2025-03-03 10:00")) == -dt.timedelta(
        hours=8
    )


def test_aware_datetimes_keep_their_zone(cal: WorkingCalendar) -> None:
    msk = dt.timezone(dt.timedelta(hours=3))
    start = dt.datetime(2025, 3, 3, 17, 0, tzinfo=msk)
    assert cal.add_working_hours(start, 2) == dt.datetime(2025, 3, 4, 10, 0, tzinfo=msk)


def test_due_on_working_and_calendar_time(cal: WorkingCalendar) -> None:
    start = T("2025-12-30 10:00")
    assert cal.due(start, parse_duration("P1DT8H")) == T("2026-01-13 10:00")
    assert cal.due(start, parse_duration("P1DT8H"), "calendar") == T("2025-12-31 18:00")
    assert cal.due(start, parse_duration("P1M"), "calendar") == T("2026-01-30 10:00")
    assert cal.due(T("2025-03-03 10:00"), Duration(weeks=1)) == T("2025-03-10 10:00")
    with pytest.raises(CalendarError, match="years or months"):
        cal.due(start, parse_duration("P1M"), "working")
    with pytest.raises(CalendarError, match="unknown calendar"):
        cal.due(start, parse_duration("P1D"), "lunar")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("2025", "object"),
        ({"year": "2025", "days": []}, "'year' must be an integer"),
        ({"year": 2025}, "'days' must be a list"),
        ({"year": 2025, "days": [{"date": "2025-01-01", "kind": "party"}]}, "kind must be"),
        ({"year": 2025, "days": [{"date": "2025-13-01", "kind": "holiday"}]}, "YYYY-MM-DD"),
        ({"year": 2025, "days": [{"date": "2024-01-01", "kind": "holiday"}]}, "not in 2025"),
        ({"year": 2025, "days": [{"date": "2025-03-05", "kind": "working"}]}, "is a weekday"),
        (
            {"year": 2025, "days": [{"date": "2025-01-01", "kind": "holiday"}] * 2},
            "listed twice",
        ),
    ],
)
def test_bad_data_is_refused_with_a_clear_error(data: object, fragment: str) -> None:
    with pytest.raises(CalendarError) as info:
        load_year(data)  # type: ignore[arg-type]
    text = info.value.message + " " + " ".join(info.value.errors.values())
    assert fragment in text


def test_same_year_twice_is_refused() -> None:
    year = {"year": 2025, "days": []}
    with pytest.raises(CalendarError, match="twice"):
        WorkingCalendar.from_years(year, year)


def test_parse_duration() -> None:
    assert parse_duration("P1DT2H30M") == Duration(days=1, hours=2, minutes=30)
    assert str(parse_duration("pt4h")) == "PT4H"
    for bad in ("P", "PT", "5D", "P1H", "PT1D", "P1DT"):
        with pytest.raises(InvalidDuration):
            parse_duration(bad)

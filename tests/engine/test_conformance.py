"""Conformance checking without a database, on the sample library's models."""

from __future__ import annotations

import datetime as dt

from bpmn.extract import extract
from bpmn.loading import load_file
from engine.calendar import WorkingCalendar
from engine.conformance import build_conformance_model, check_case, check_variant
from tests.engine.conftest import CATALOG

MSK = dt.timezone(dt.timedelta(hours=3))


def model_of(key: str, number: int = 1):
    entry = CATALOG[key]
    return build_conformance_model(extract(load_file(entry.path(number))), entry.process_id)


def test_the_prescribed_order_of_the_registration():
    model = model_of("employment.job-seeker-registration")
    assert model.required_before["CP_REGISTERED"] >= {"CP_APPLICATION", "CP_DOCS_CHECKED"}
    assert ("CP_APPLICATION", "CP_REGISTERED") in model.precedes
    assert ("CP_REGISTERED", "CP_APPLICATION") not in model.precedes
    assert {d.id for d in model.deadlines} == {"DL_REGISTRATION", "DL_OFFER"}


def test_variants():
    model = model_of("employment.job-seeker-registration")
    happy = ["CP_APPLICATION", "CP_DOCS_CHECKED", "CP_REGISTERED", "CP_VACANCIES_OFFERED"]
    assert check_variant(model, happy).fitness == 1.0
    # a return loop repeats the check: still conformant
    loop = ["CP_APPLICATION", "CP_DOCS_CHECKED", "CP_DOCS_CHECKED", "CP_REGISTERED"]
    assert check_variant(model, loop).fitness == 1.0
    skipped = check_variant(model, ["CP_APPLICATION", "CP_REGISTERED"])
    assert skipped.skipped == ("CP_DOCS_CHECKED",)
    assert skipped.fitness == round(1 - 1 / 3, 4)
    swapped = check_variant(model, ["CP_DOCS_CHECKED", "CP_APPLICATION", "CP_REGISTERED"])
    assert swapped.out_of_order == ("CP_APPLICATION",) and swapped.skipped == ()
    assert check_variant(model, []).fitness == 1.0
    assert check_variant(model, ["CP_UNKNOWN"]).fitness == 1.0


def test_deadline_breaches_on_the_working_calendar():
    model = model_of("employment.job-seeker-registration")
    calendar = WorkingCalendar.bundled()
    friday = dt.datetime(2026, 3, 6, 17, tzinfo=MSK)

    def trace(registered_after: dt.timedelta):
        return [
            ("CP_APPLICATION", friday),
            ("CP_DOCS_CHECKED", friday + dt.timedelta(minutes=30)),
            ("CP_REGISTERED", friday + registered_after),
        ]

    # Monday 9 March 2026 is a holiday: one working day after Friday is Tuesday
    on_time = check_case(model, trace(dt.timedelta(days=4)), calendar.due)
    late = check_case(model, trace(dt.timedelta(days=5)), calendar.due)
    assert on_time.breaches == () and late.breaches == ("DL_REGISTRATION",)

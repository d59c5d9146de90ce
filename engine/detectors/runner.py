"""The detectors' registry and how one runs: over a standard, with its settings, recorded."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.access import Actor
from engine.corrective import LoopOutcome, record_detection
from engine.detectors import cases, corridor, people
from engine.detectors.base import (
    Detection,
    InForce,
    Settings,
    load_configs,
    resolve_settings,
    standards_in_force,
)
from engine.errors import Invalid
from engine.indicators import local_day

logger = logging.getLogger(__name__)

Detect = Callable[[Session, InForce, dt.datetime, Callable[[str], Settings]], Detection]


@dataclass(frozen=True)
class DetectorSpec:
    name: str
    label: str
    detect: Detect
    defaults: Mapping[str, Any]


DETECTORS: dict[str, DetectorSpec] = {
    spec.name: spec
    for spec in (
        DetectorSpec(corridor.NAME, "Показатель вне коридора", corridor.detect, corridor.DEFAULTS),
        DetectorSpec(
            cases.STAGE,
            "Превышен срок этапа",
            cases.detect_stage_deadlines,
            cases.DEFAULTS[cases.STAGE],
        ),
        DetectorSpec(
            cases.NOT_TAKEN,
            "Распределено, но не взято в работу",
            cases.detect_not_taken,
            cases.DEFAULTS[cases.NOT_TAKEN],
        ),
        DetectorSpec(
            cases.INTERAGENCY,
            "Долгое ожидание ответа СМЭВ",
            cases.detect_interagency_wait,
            cases.DEFAULTS[cases.INTERAGENCY],
        ),
        DetectorSpec(
            people.RETURNS,
            "Высокая доля возвратов на доработку",
            people.detect_returns,
            people.DEFAULTS[people.RETURNS],
        ),
        DetectorSpec(
            people.LOAD,
            "Ниже нормативной нагрузки",
            people.detect_load,
            people.DEFAULTS[people.LOAD],
        ),
    )
}


@dataclass(frozen=True)
class DetectorRun:
    """One detector over one standard: what it found and what that changed."""

    detector: str
    standard_key: str
    findings: int
    outcome: LoopOutcome

    def to_dict(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "standard": self.standard_key,
            "findings": self.findings,
            **self.outcome.__dict__,
        }


def settings_getter(configs, detector: str, standard_key: str) -> Callable[[str], Settings]:
    spec = DETECTORS[detector]
    cache: dict[str, Settings] = {}

    def get(indicator_id: str) -> Settings:
        if indicator_id not in cache:
            cache[indicator_id] = resolve_settings(
                configs, detector, spec.defaults, standard_key, indicator_id
            )
        return cache[indicator_id]

    return get


def run_detector(
    session: Session,
    actor: Actor,
    detector: str,
    standard: InForce,
    *,
    now: dt.datetime,
    configs=None,
) -> DetectorRun:
    """Run one detector over one standard and record what it found."""
    configs = load_configs(session) if configs is None else configs
    settings_for = settings_getter(configs, detector, standard.standard_key)
    detection = DETECTORS[detector].detect(session, standard, now, settings_for)
    outcome = record_detection(
        session,
        actor,
        detection,
        detector=detector,
        standard_key=standard.standard_key,
        settings_for=settings_for,
        now=now,
    )
    return DetectorRun(detector, standard.standard_key, len(detection.findings), outcome)


def run_detectors(
    session: Session,
    actor: Actor,
    *,
    now: dt.datetime,
    detectors: Sequence[str] | None = None,
    standard_key: str | None = None,
) -> list[DetectorRun]:
    """On demand: the given detectors (default all) over every standard in force (or one)."""
    unknown = sorted(set(detectors or ()) - set(DETECTORS))
    if unknown:
        raise Invalid(f"Unknown detectors: {', '.join(unknown)}.", {"detectors": unknown})
    configs = load_configs(session)
    runs = []
    for standard in standards_in_force(session, local_day(now), standard_key):
        for name in detectors or DETECTORS:
            runs.append(run_detector(session, actor, name, standard, now=now, configs=configs))
    return runs

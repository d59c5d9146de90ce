"""Detector settings as rows administrators and methodologists edit: per detector, standard and
indicator ("" = every one); missing rows fall back to the detector's defaults."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor, require_role
from engine.detectors.runner import DETECTORS
from engine.detectors.schedule import check_schedule
from engine.errors import Invalid
from models import DetectorConfig, Role

logger = logging.getLogger(__name__)

EDITORS = (Role.administrator, Role.methodologist)
#: jobs that read detector_configs besides the detectors themselves
OTHER_JOBS = ("change_request",)


def visible_configs(actor: Actor) -> Select[tuple[DetectorConfig]]:
    require_role(actor, *EDITORS, Role.auditor)
    return select(DetectorConfig).order_by(
        DetectorConfig.detector, DetectorConfig.standard_key, DetectorConfig.indicator_id
    )


def set_detector_config(
    session: Session,
    actor: Actor,
    *,
    detector: str,
    standard_key: str = "",
    indicator_id: str = "",
    enabled: bool = True,
    thresholds: dict[str, Any] | None = None,
    schedule: str = "",
    recipient_role: str = "",
) -> DetectorConfig:
    """Create or replace the row of (detector, standard, indicator)."""
    require_role(actor, *EDITORS)
    if detector not in DETECTORS and detector not in OTHER_JOBS:
        raise Invalid(
            f"Unknown detector {detector!r}.",
            {"detector": [f"one of {', '.join([*DETECTORS, *OTHER_JOBS])}"]},
        )
    if schedule:
        check_schedule(schedule)
    row = session.scalars(
        select(DetectorConfig).where(
            DetectorConfig.detector == detector,
            DetectorConfig.standard_key == standard_key,
            DetectorConfig.indicator_id == indicator_id,
        )
    ).one_or_none()
    if row is None:
        row = DetectorConfig(
            detector=detector, standard_key=standard_key, indicator_id=indicator_id
        )
        session.add(row)
    row.enabled = enabled
    row.thresholds = dict(thresholds or {})
    row.schedule = schedule
    row.recipient_role = recipient_role
    row.updated_by = actor.login
    session.flush()
    audit.record(
        session,
        actor,
        "detector_config.set",
        row,
        detector=detector,
        standard=standard_key,
        indicator=indicator_id,
    )
    return row

"""What every detector shares: its findings, its settings (rows over defaults), the standards in
force with their indicator definitions and prescribed actions, and additive windows of day
rollups per unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.indicators import Aggregate, IndicatorDefinition, definitions_of, local_day
from models import (
    DetectorConfig,
    IndicatorRollup,
    Standard,
    StandardVersion,
    VersionStatus,
)

IN_FORCE = (VersionStatus.published, VersionStatus.superseded)
DEFAULT_SCHEDULE = "daily 07:00"
DEFAULT_ROLE = "manager"
#: working days a manager gets to act on a corrective assignment before it escalates
DEFAULT_DUE_WORKING_DAYS = 5


@dataclass(frozen=True)
class Finding:
    """One deviation as a detector sees it now; `key` identifies it across runs."""

    key: str
    detector: str
    standard_key: str
    unit_id: int
    title: str
    description: str
    indicator_id: str = ""
    person_login: str | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)
    cases: Sequence[Any] = ()
    actions: Sequence[str] = ()
    value: float | None = None


@dataclass(frozen=True)
class Detection:
    """What a detector run over one standard found, and the keys it could not judge (too few
    cases): open deviations with such keys are neither confirmed nor recovered."""

    findings: tuple[Finding, ...]
    inconclusive: frozenset[str] = frozenset()
    measured: Mapping[str, float] = field(default_factory=dict)  # key → value where judged


@dataclass(frozen=True)
class Settings:
    """The effective settings of a detector for one standard and indicator."""

    enabled: bool
    thresholds: Mapping[str, Any]
    schedule: str
    recipient_role: str

    def get(self, name: str, default: Any = None) -> Any:
        value = self.thresholds.get(name)
        return default if value is None else value


@dataclass(frozen=True)
class InForce:
    """A standard with the version in force on a day: definitions and raw manifest."""

    standard_id: int
    standard_key: str
    title: str
    owning_unit_id: int
    version_id: int
    version_number: int
    summary: Mapping[str, Any]

    @property
    def indicators(self) -> tuple[IndicatorDefinition, ...]:
        return definitions_of(self.summary)

    def actions(self, indicator_id: str) -> list[str]:
        """Prescribed corrective actions of an indicator (the manifest's `actions`)."""
        for raw in self.summary.get("indicators") or ():
            if raw.get("id") == indicator_id:
                return list(raw.get("actions") or ())
        return []

    def checkpoint_name(self, checkpoint_id: str) -> str:
        for raw in self.summary.get("checkpoints") or ():
            if raw.get("id") == checkpoint_id:
                return raw.get("name") or checkpoint_id
        return checkpoint_id


def standards_in_force(session: Session, day: dt.date, key: str | None = None) -> list[InForce]:
    """Every standard having a version in force on `day` (the latest effective one)."""
    query = (
        select(StandardVersion, Standard)
        .join(Standard, Standard.id == StandardVersion.standard_id)
        .where(StandardVersion.status.in_(IN_FORCE), StandardVersion.effective_from <= day)
        .order_by(Standard.key, StandardVersion.effective_from, StandardVersion.number)
    )
    if key is not None:
        query = query.where(Standard.key == key)
    latest: dict[str, InForce] = {}
    for version, standard in session.execute(query):
        latest[standard.key] = InForce(
            standard.id,
            standard.key,
            standard.title,
            standard.owning_unit_id,
            version.id,
            version.number,
            version.summary or {},
        )
    return list(latest.values())


def load_configs(session: Session) -> list[DetectorConfig]:
    return list(session.scalars(select(DetectorConfig)))


def resolve_settings(
    configs: Iterable[DetectorConfig],
    detector: str,
    defaults: Mapping[str, Any],
    standard_key: str = "",
    indicator_id: str = "",
    default_role: str = DEFAULT_ROLE,
) -> Settings:
    """Defaults, overridden by the detector's general row, then the standard's, then the
    indicator's (more specific rows win, field by field)."""
    rows = {
        (c.standard_key, c.indicator_id): c
        for c in configs
        if c.detector == detector
        and c.standard_key in ("", standard_key)
        and c.indicator_id in ("", indicator_id)
    }
    enabled, schedule, role = True, DEFAULT_SCHEDULE, default_role
    thresholds = dict(defaults)
    scopes = (("", ""), ("", indicator_id), (standard_key, ""), (standard_key, indicator_id))
    for scope in dict.fromkeys(scopes):  # ordered, without repeating ("", "")
        row = rows.get(scope)
        if row is None:
            continue
        enabled = row.enabled is not False  # a row not yet flushed has None
        schedule = row.schedule or schedule
        role = row.recipient_role or role
        thresholds.update({k: v for k, v in (row.thresholds or {}).items() if v is not None})
    return Settings(enabled, thresholds, schedule, role)


def day_window(now: dt.datetime, days: int) -> tuple[dt.date, dt.date]:
    """The `days` local days ending with the day of `now` (inclusive bounds)."""
    last = local_day(now)
    return last - dt.timedelta(days=days - 1), last


def window_aggregates(
    session: Session,
    standard_key: str,
    indicator_id: str,
    first: dt.date,
    last: dt.date,
    levels: Sequence[str] = ("office", "region"),
) -> dict[int, Aggregate]:
    """Unit id → the sum of its day rollups of one indicator between `first` and `last`."""
    rows = session.scalars(
        select(IndicatorRollup).where(
            IndicatorRollup.standard_key == standard_key,
            IndicatorRollup.indicator_id == indicator_id,
            IndicatorRollup.granularity == "day",
            IndicatorRollup.unit_level.in_(tuple(levels)),
            IndicatorRollup.period_start >= first,
            IndicatorRollup.period_start <= last,
        )
    )
    sums: dict[int, Aggregate] = defaultdict(Aggregate)
    for row in rows:
        sums[row.unit_id] = sums[row.unit_id] + Aggregate(
            row.count, row.total, row.total_sq, row.within, row.flagged, row.employee_days
        )
    return dict(sums)


def number(value: float | None, unit: str | None = None) -> str:
    """A figure the Russian way: decimal comma, at most two decimals, the unit's sign."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",").replace("-", "−")
    suffix = {
        "percent": " %",
        "days": " дн.",
        "working_days": " раб. дн.",
        "hours": " ч",
        "minutes": " мин",
        "seconds": " с",
    }.get(unit or "", "")
    return text + suffix


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form for `n`: 1 обращение, 2 обращения, 5 обращений."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many

"""Indicator maths, pure: definitions read from a version's manifest, additive aggregates,
values, corridor statuses, scores for the quality index and periods.

Nothing here touches the database; `engine.rollups` feeds it and `engine.quality_index` uses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.durations import Duration, parse_duration

# Periods and working time are counted on Moscow time: the production calendar is federal and
# the sample org's working hours are those of the federal calendar.
LOCAL_TZ = dt.timezone(dt.timedelta(hours=3), "MSK")
GRANULARITIES = ("day", "week", "month")
LEVELS = ("office", "region", "federation")
STAGE_PREFIX = "stage:"

KINDS = (
    "duration",
    "share_within_deadline",
    "share_with_flag",
    "count_per_employee",
    "satisfaction",
)
SECONDS_PER = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}


@dataclass(frozen=True)
class IndicatorDefinition:
    """One indicator as the manifest of a version defines it."""

    id: str
    name: str
    kind: str
    unit: str | None
    direction: str | None
    target: float | None
    weight: float
    from_checkpoint: str | None = None
    to_checkpoint: str | None = None
    checkpoint: str | None = None
    deadline: Duration | None = None
    calendar: str = "working"
    flag: str | None = None
    attribute: str | None = None
    green: float | None = None
    red: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "unit": self.unit,
            "direction": self.direction,
            "target": self.target,
            "weight": self.weight,
            "corridor": {"green": self.green, "red": self.red},
        }


def definitions_of(summary: Mapping[str, Any]) -> tuple[IndicatorDefinition, ...]:
    """The usable indicator definitions of a manifest (unknown kinds and ids are skipped)."""
    result = []
    for raw in summary.get("indicators") or ():
        if not raw.get("id") or raw.get("kind") not in KINDS:
            continue
        deadline = raw.get("deadline") or {}
        duration = None
        if deadline.get("iso") and deadline.get("valid", True):
            try:
                duration = parse_duration(deadline["iso"])
            except ValueError:
                duration = None
        corridor = raw.get("corridor") or {}
        result.append(
            IndicatorDefinition(
                id=raw["id"],
                name=raw.get("name") or raw["id"],
                kind=raw["kind"],
                unit=raw.get("unit"),
                direction=raw.get("direction"),
                target=raw.get("target"),
                weight=float(raw.get("weight") or 0.0),
                from_checkpoint=raw.get("from"),
                to_checkpoint=raw.get("to"),
                checkpoint=raw.get("checkpoint"),
                deadline=duration,
                calendar=deadline.get("calendar") or "working",
                flag=raw.get("flag"),
                attribute=raw.get("attribute"),
                green=corridor.get("green"),
                red=corridor.get("red"),
            )
        )
    return tuple(result)


@dataclass(frozen=True)
class Aggregate:
    """Additive sums of observations: adding two aggregates aggregates their union."""

    count: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    within: int = 0
    flagged: int = 0
    employee_days: int = 0

    def __add__(self, other: Aggregate) -> Aggregate:
        return Aggregate(
            self.count + other.count,
            self.total + other.total,
            self.total_sq + other.total_sq,
            self.within + other.within,
            self.flagged + other.flagged,
            self.employee_days + other.employee_days,
        )

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    @property
    def stddev(self) -> float | None:
        if self.count < 2:
            return None
        variance = (self.total_sq - self.total * self.total / self.count) / (self.count - 1)
        return max(variance, 0.0) ** 0.5


def indicator_value(kind: str, aggregate: Aggregate) -> float | None:
    """The value of an indicator of ``kind`` over ``aggregate``; None without data.

    duration / satisfaction: the mean; share_within_deadline: 100 × within / count;
    share_with_flag: 100 × flagged / count; count_per_employee: events / employee-days.
    """
    if not aggregate.count:
        return None
    if kind in ("duration", "satisfaction"):
        return aggregate.total / aggregate.count
    if kind == "share_within_deadline":
        return 100.0 * aggregate.within / aggregate.count
    if kind == "share_with_flag":
        return 100.0 * aggregate.flagged / aggregate.count
    if kind == "count_per_employee":
        return aggregate.count / aggregate.employee_days if aggregate.employee_days else None
    raise ValueError(f"unknown indicator kind {kind!r}")


def corridor_status(
    value: float | None, direction: str | None, green: float | None, red: float | None
) -> str | None:
    """green / amber / red of ``value`` in a corridor (see docs/etalon-metadata.md).

    lower_better: value ≤ green → green, value > red → red, else amber.
    higher_better: value ≥ green → green, value < red → red, else amber.
    None when there is no value, direction or corridor.
    """
    if value is None or direction not in ("lower_better", "higher_better"):
        return None
    if green is None and red is None:
        return None
    if direction == "lower_better":
        if green is not None and value <= green:
            return "green"
        if red is not None and value > red:
            return "red"
        return "amber"
    if green is not None and value >= green:
        return "green"
    if red is not None and value < red:
        return "red"
    return "amber"


def indicator_score(value: float | None, definition: IndicatorDefinition) -> float | None:
    """A score 0..100 of ``value`` for the quality index.

    With a corridor: 100 at the green bound or better, 0 at the red bound or worse, linear in
    between. Without one, against the target: 100 at or better than the target, else the ratio
    (value / target for higher_better, target / value for lower_better) × 100.
    """
    if value is None or definition.direction not in ("lower_better", "higher_better"):
        return None
    higher = definition.direction == "higher_better"
    green, red = definition.green, definition.red
    if green is not None and red is not None:
        if green == red:
            good = value >= green if higher else value <= green
            return 100.0 if good else 0.0
        share = (value - red) / (green - red)
        return round(min(max(share, 0.0), 1.0) * 100.0, 4)
    target = definition.target
    if target is None:
        return None
    if (higher and value >= target) or (not higher and value <= target):
        return 100.0
    if higher:
        return round(max(value, 0.0) / target * 100.0, 4) if target else 100.0
    return round(target / value * 100.0, 4) if value > 0 else 100.0


def period_start(day: dt.date, granularity: str) -> dt.date:
    """The first day of the day / week (Monday) / month period containing ``day``."""
    if granularity == "day":
        return day
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown granularity {granularity!r}")


def local_day(moment: dt.datetime) -> dt.date:
    """The calendar day of an instant in the measurement time zone."""
    return moment.astimezone(LOCAL_TZ).date()


def plain_duration(seconds: float, unit: str | None) -> float:
    """A calendar-time duration in seconds expressed in ``unit`` (seconds … days)."""
    return seconds / SECONDS_PER.get(unit or "seconds", 1.0)


@dataclass(frozen=True)
class VersionDefinitions:
    """The indicator definitions of one version and the day it came into force."""

    version_id: int
    effective_from: dt.date | None
    indicators: tuple[IndicatorDefinition, ...]


def definition_in_force(
    versions: Sequence[VersionDefinitions], indicator_id: str, day: dt.date
) -> IndicatorDefinition | None:
    """The definition of ``indicator_id`` in the version in force on ``day``: the latest
    effective one not after ``day``; before the first effective date, the first version's."""
    ordered = sorted(versions, key=lambda v: (v.effective_from or dt.date.min, v.version_id))
    chosen = None
    for version in ordered:
        if version.effective_from is None or version.effective_from <= day:
            chosen = version
    chosen = chosen or (ordered[0] if ordered else None)
    if chosen is None:
        return None
    return next((i for i in chosen.indicators if i.id == indicator_id), None)

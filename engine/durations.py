"""ISO 8601 durations (``P5D``, ``PT4H``, ``P1DT2H``) as values, for deadlines and timers."""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
import re
from dataclasses import dataclass

from engine.errors import Invalid

_PATTERN = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?"
    r"(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)


class InvalidDuration(Invalid):
    """Text that is not an ISO 8601 duration."""


@dataclass(frozen=True)
class Duration:
    """A duration by its parts; days count as working days when a working calendar applies."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: float = 0
    hours: float = 0
    minutes: float = 0
    seconds: float = 0

    def time_part(self) -> dt.timedelta:
        """Hours, minutes and seconds as a timedelta."""
        return dt.timedelta(hours=self.hours, minutes=self.minutes, seconds=self.seconds)

    def after(self, start: dt.datetime) -> dt.datetime:
        """``start`` plus this duration in plain calendar time (months keep the day, clamped)."""
        moment = start
        if self.years or self.months:
            total = start.month - 1 + self.months + 12 * self.years
            year, month = start.year + total // 12, total % 12 + 1
            last = _stdlib_calendar.monthrange(year, month)[1]
            moment = start.replace(year=year, month=month, day=min(start.day, last))
        return moment + dt.timedelta(weeks=self.weeks, days=self.days) + self.time_part()

    def __str__(self) -> str:
        def num(value: float) -> str:
            return str(int(value)) if value == int(value) else str(value)

        date = "".join(
            f"{num(v)}{u}"
            for v, u in ((self.years, "Y"), (self.months, "M"), (self.weeks, "W"), (self.days, "D"))
            if v
        )
        time = "".join(
            f"{num(v)}{u}"
            for v, u in ((self.hours, "H"), (self.minutes, "M"), (self.seconds, "S"))
            if v
        )
        return "P" + date + ("T" + time if time else "") if (date or time) else "PT0S"


def parse_duration(text: str) -> Duration:
    """Parse an ISO 8601 duration such as ``P5D``, ``PT4H`` or ``P1DT2H30M``."""
    match = _PATTERN.match(text.strip().upper()) if isinstance(text, str) else None
    if match is None:
        raise InvalidDuration(f"'{text}' is not an ISO 8601 duration (like P5D or PT4H)", text=text)
    parts = {k: float(v.replace(",", ".")) for k, v in match.groupdict().items() if v is not None}
    for whole in ("years", "months", "weeks"):
        if whole in parts:
            parts[whole] = int(parts[whole])
    return Duration(**parts)  # type: ignore[arg-type]

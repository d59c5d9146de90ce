"""Russian wording of impact explanations: durations with the right plural forms, quoted
names, lists of changes."""

from __future__ import annotations

import re
from typing import Any

_ISO = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for `n` (1 день, 2 дня, 5 дней)."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


_UNITS = {
    "days": ("день", "дня", "дней"),
    "hours": ("час", "часа", "часов"),
    "minutes": ("минута", "минуты", "минут"),
}
_WORKING = ("рабочий", "рабочих", "рабочих")
_CALENDAR = ("календарный", "календарных", "календарных")


def duration_text(iso: str | None, calendar: str | None = "working") -> str:
    """`P2D` on the working calendar → «2 рабочих дня»; `PT4H` → «4 рабочих часа»."""
    if not iso:
        return "без срока"
    match = _ISO.match(iso)
    if match is None:
        return iso
    days, hours, minutes, _ = match.groups()
    parts = []
    adjective = _WORKING if calendar == "working" else _CALENDAR
    for amount, unit in ((days, "days"), (hours, "hours"), (minutes, "minutes")):
        if amount and int(amount):
            n = int(amount)
            words = _UNITS[unit]
            form = plural(n, *words)
            if unit == "minutes":
                parts.append(f"{n} {form}")
            else:
                adj = adjective[0] if form == words[0] else adjective[1]
                parts.append(f"{n} {adj} {form}")
    return " ".join(parts) or iso


def deadline_change_text(old: Any, new: Any) -> str:
    """«срок 2 рабочих дня → 1 рабочий день» from two plain deadline dicts (or None)."""

    def one(value: Any) -> str:
        if not value:
            return "без срока"
        if isinstance(value, dict):
            return duration_text(value.get("duration") or value.get("raw"), value.get("calendar"))
        return duration_text(str(value))

    return f"срок {one(old)} → {one(new)}"


def quoted(name: str | None, fallback: str = "") -> str:
    return f"«{name or fallback}»"


def listing(values: Any) -> str:
    """Codes of technology cards / forms from a plain value list."""
    if not values:
        return "нет"
    items = []
    for value in values:
        if isinstance(value, dict):
            items.append(str(value.get("ref") or value.get("code") or value))
        else:
            items.append(str(value))
    return ", ".join(items)


def indicator_change_text(changes: list[Any]) -> str:
    """«целевое значение 4 → 2; коридор: зелёная граница 4 → 2, красная 6 → 3»."""
    parts = []
    for change in changes:
        if change.field == "target":
            parts.append(f"целевое значение {change.old} → {change.new}")
        elif change.field == "corridor":
            old, new = change.old or {}, change.new or {}
            parts.append(
                f"коридор: зелёная граница {_num(old.get('green'))} → {_num(new.get('green'))}, "
                f"красная {_num(old.get('red'))} → {_num(new.get('red'))}"
            )
        elif change.field == "actions":
            parts.append("изменены предписанные действия")
        else:
            parts.append(f"{change.field}: {change.old} → {change.new}")
    return "; ".join(parts)


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "—" if value is None else str(value)

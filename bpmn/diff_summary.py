"""A short Russian summary of a semantic diff, for methodologists and employees."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpmn.diff_model import Change, Diff, ElementDiff

ELEMENT_NAMES = {
    "task": "задача",
    "userTask": "пользовательская задача",
    "serviceTask": "сервисная задача",
    "sendTask": "задача отправки",
    "receiveTask": "задача получения",
    "manualTask": "ручная задача",
    "businessRuleTask": "задача бизнес-правила",
    "scriptTask": "задача-сценарий",
    "callActivity": "вызов процесса",
    "subProcess": "подпроцесс",
    "adHocSubProcess": "произвольный подпроцесс",
    "transaction": "транзакция",
    "startEvent": "начальное событие",
    "endEvent": "конечное событие",
    "intermediateCatchEvent": "промежуточное событие (получение)",
    "intermediateThrowEvent": "промежуточное событие (отправка)",
    "boundaryEvent": "граничное событие",
    "implicitThrowEvent": "событие",
    "exclusiveGateway": "исключающий шлюз",
    "inclusiveGateway": "включающий шлюз",
    "parallelGateway": "параллельный шлюз",
    "eventBasedGateway": "шлюз по событиям",
    "complexGateway": "сложный шлюз",
    "sequenceFlow": "поток управления",
    "messageFlow": "поток сообщений",
    "participant": "пул",
    "dataStore": "хранилище данных",
    "lane": "дорожка",
    "indicator": "показатель",
    "deadline": "норматив срока",
    "process": "процесс",
}

FIELD_NAMES = {
    "name": "название",
    "type": "тип",
    "lane": "дорожка",
    "role": "роль",
    "condition": "условие",
    "source": "откуда",
    "target": "куда",
    "incoming": "входящие потоки",
    "outgoing": "исходящие потоки",
    "checkpoint": "контрольная точка",
    "deadline": "норматив",
    "technology_cards": "технокарты",
    "fields": "поля",
    "forms": "формы",
    "result": "результат",
    "documentation": "описание",
    "default_flow": "поток по умолчанию",
    "is_default": "поток по умолчанию",
    "event_definitions": "вид события",
    "attached_to": "прикреплено к",
    "cancel_activity": "прерывающее",
    "called_element": "вызываемый процесс",
    "timer": "таймер",
    "parent_id": "подпроцесс",
    "loop": "повторение",
    "standard": "сведения о стандарте",
    "supports": "обслуживает процессы",
    "is_executable": "исполняемый",
    "process_ref": "процесс пула",
    "duration": "длительность",
    "from_checkpoint": "от точки",
    "to_checkpoint": "до точки",
    "calendar": "календарь",
    "corridor": "коридор",
    "actions": "корректирующие действия",
    "parent_lane_id": "родительская дорожка",
}

#: indicator attributes are reported by their XML names; some read better in Russian
INDICATOR_FIELD_NAMES = {
    "target": "целевое значение",
    "weight": "вес",
    "unit": "единица",
    "direction": "направление",
    "kind": "вид",
    "from": "от точки",
    "to": "до точки",
    "deadline": "срок",
}

MAX_VALUE = 80


def element_name(kind: str) -> str:
    """Russian name of a BPMN element type (falls back to the type itself)."""
    return ELEMENT_NAMES.get(kind, kind)


def _value(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, str):
        text = f"«{value}»"
    elif isinstance(value, int | float):
        text = f"{value:g}"
    elif isinstance(value, dict) and "duration" in value and "calendar" in value:
        text = f"{value['duration'] or value.get('raw')} ({value['calendar']})"
    elif isinstance(value, dict) and {"id", "name"} <= set(value) and len(value) <= 3:
        if not (value["name"] or value["id"]):
            return "—"
        text = f"«{value['name'] or value['id']}»"
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = ", ".join(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _keyed(items: list) -> dict[str, Any] | None:
    """Index a list of dicts (cards, forms, fields) by their natural key, if they have one."""
    if not all(isinstance(i, dict) for i in items):
        return None
    for key in ("ref", "code", "name"):
        if all(key in i for i in items):
            return {str(i[key]): i for i in items}
    return None


def _describe(old: Any, new: Any) -> str:
    """``old → new``, narrowed to what differs for dicts and keyed lists."""
    if isinstance(old, list) and isinstance(new, list) and old and new:
        before, after = _keyed(old), _keyed(new)
        if before is not None and after is not None:
            parts = [f"+{k}" for k in after if k not in before]
            parts += [f"−{k}" for k in before if k not in after]
            parts += [f"~{k}" for k in before if k in after and before[k] != after[k]]
            return ", ".join(parts) or "изменён порядок"
    if isinstance(old, dict) and isinstance(new, dict) and old.keys() == new.keys():
        if "duration" in old and "calendar" in old:
            return f"{_value(old)} → {_value(new)}"
        differing = [k for k in old if old[k] != new[k] and not k.endswith("_raw")]
        differing = differing or [k for k in old if old[k] != new[k]]
        return ", ".join(f"{k} {_value(old[k])} → {_value(new[k])}" for k in differing)
    return f"{_value(old)} → {_value(new)}"


def _label(item: ElementDiff) -> str:
    name = f" «{item.name}»" if item.name else ""
    return f"{element_name(item.type)}{name} ({item.id})"


def _changes(item_type: str, changes: tuple[Change, ...]) -> str:
    names = INDICATOR_FIELD_NAMES if item_type == "indicator" else {}
    parts = [
        f"{names.get(c.field) or FIELD_NAMES.get(c.field, c.field)}: {_describe(c.old, c.new)}"
        for c in changes
    ]
    return "; ".join(parts)


def summary_lines(result: Diff) -> list[str]:
    """Lines of text describing ``result``; layout-only changes get one line at the end."""
    lines: list[str] = []
    lines += [f"Добавлено: {_label(e)}" for e in result.added]
    lines += [f"Удалено: {_label(e)}" for e in result.removed]
    for r in result.replaced:
        name = f" «{r.name}»" if r.name else ""
        line = f"Перерисовано заново: {element_name(r.type)}{name} ({r.old_id} → {r.new_id})"
        lines.append(line + (f": {_changes(r.type, r.changes)}" if r.changes else ""))
    lines += [f"Изменено: {_label(e)}: {_changes(e.type, e.changes)}" for e in result.changed]
    for p in result.processes:
        title = f"Процесс «{p.name or p.id}»"
        if p.status == "added":
            lines.append(f"Добавлен процесс «{p.name or p.id}» ({p.id})")
        elif p.status == "removed":
            lines.append(f"Удалён процесс «{p.name or p.id}» ({p.id})")
        if p.changes:
            lines.append(f"{title}: {_changes('process', p.changes)}")
        lines += [f"{title}: добавлено: {_label(e)}" for e in p.added if p.status == "changed"]
        lines += [f"{title}: удалено: {_label(e)}" for e in p.removed if p.status == "changed"]
        lines += [
            f"{title}: изменено: {_label(e)}: {_changes(e.type, e.changes)}" for e in p.changed
        ]
    if not lines:
        lines.append("Содержательных изменений нет")
    if result.layout:
        count = len(result.layout)
        lines.append(f"Изменения только в раскладке диаграммы: {count} (на содержание не влияют)")
    return lines

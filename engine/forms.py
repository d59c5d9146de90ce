"""Checking what a performer submits against the fields a user task declares (``etalon:field``).

Pure. Values keep their JSON types; dates stay ISO strings (``YYYY-MM-DD``) so case data is
always JSON. A task that declares fields takes only those fields; one that declares none takes
any JSON object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from engine.errors import Invalid
from engine.steps import FormField


def validate_form(fields: Sequence[FormField], data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the submitted data if it fits the declared fields; raise Invalid listing every
    problem by field name otherwise."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise Invalid("Task data must be a JSON object.", {"data": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    declared = {f.name: f for f in fields}
    if declared:
        for name in data:
            if name not in declared:
                errors[str(name)] = ["is not a field of this task"]
    for form_field in fields:
        value = data.get(form_field.name)
        if value is None or value == "":
            if form_field.required:
                errors[form_field.name] = ["is required"]
            continue
        problem = _problem(form_field, value)
        if problem:
            errors[form_field.name] = [problem]
    if errors:
        raise Invalid(
            f"The task data has {len(errors)} invalid field(s): {', '.join(sorted(errors))}.",
            errors,
        )
    return dict(data)


def _problem(form_field: FormField, value: Any) -> str | None:
    kind = form_field.type
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "must be a whole number"
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if kind == "date":
        if not isinstance(value, str):
            return "must be a date as YYYY-MM-DD"
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "must be a date as YYYY-MM-DD"
        return None
    if kind == "enum":
        if value not in form_field.values:
            return f"must be one of: {', '.join(form_field.values)}"
        return None
    return None if isinstance(value, str) else "must be text"

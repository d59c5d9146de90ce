"""The restricted expression language: what it computes, and what it refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import expressions
from engine.expressions import (
    ExpressionError,
    Limits,
    UnsafeExpression,
    check,
    check_script,
    evaluate,
    execute,
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("decision == 'accept'", True),
        ("amount > 10 and not returned", True),
        ("amount if amount < 100 else 100", 42),
        ("1 < amount <= 42", True),
        ("'x' in tags or len(tags) > 3", False),
        ("[t.upper() for t in tags if t != 'b']", ["A", "C"]),
        ("{k: v * 2 for k, v in counts.items()}", {"a": 2, "b": 4}),
        ("sum(counts.values())", 3),
        ("max(tags, key=len)", "a"),
        ("sorted(tags, reverse=True)[0]", "c"),
        ("tags[1:]", ["b", "c"]),
        ("applicant['name'].strip().title()", "Иван Петров"),
        ("applicant.get('missing', 'none')", "none"),
        ("f'{amount:>5}|{applicant}'", "   42|{'name': ' иван петров '}"),
        ("round(2.567, 2)", 2.57),
        ("int('12') + float('0.5')", 12.5),
        ("isinstance(amount, int)", True),
        ("any(c > 1 for c in counts.values())", True),
        ("list(zip(tags, range(3)))", [("a", 0), ("b", 1), ("c", 2)]),
        ("2 ** 10", 1024),
        ("None is None", True),
    ],
)
def test_evaluate_computes_plain_python_subset(expression: str, expected: object) -> None:
    data = {
        "decision": "accept",
        "amount": 42,
        "returned": False,
        "tags": ["a", "b", "c"],
        "counts": {"a": 1, "b": 2},
        "applicant": {"name": " иван петров "},
    }
    assert evaluate(expression, data) == expected


def test_dates_from_data_and_safe_date_helpers() -> None:
    data = {"submitted": dt.date(2025, 3, 7), "at": dt.datetime(2025, 3, 7, 10, 30)}
    assert evaluate("submitted + timedelta(days=3)", data) == dt.date(2025, 3, 10)
    assert evaluate("submitted.weekday()", data) == 4
    assert evaluate("at.hour", data) == 10
    assert evaluate("(at - datetime(2025, 3, 7)).total_seconds()", data) == 37800
    assert evaluate("today() >= date(2024, 1, 1)", {}) is True
    assert isinstance(evaluate("now()", {}), dt.datetime)


def test_evaluate_does_not_modify_data_and_extra_is_visible() -> None:
    data = {"x": [3, 1, 2]}
    assert evaluate("[i for i in x]", data, extra={"y": 1}) == [3, 1, 2]
    assert evaluate("y + 1", data, extra={"y": 1}) == 2
    assert data == {"x": [3, 1, 2]}
    with pytest.raises(ExpressionError):
        evaluate("i", data)  # comprehension variables do not leak


def test_execute_mutates_data() -> None:
    data: dict = {"items": [1, 2, 3], "total": 0}
    execute(
        "for item in items:\n"
        "    if item == 2:\n"
        "        continue\n"
        "    total += item\n"
        "status = 'big' if total > 3 else 'small'\n"
        "result = {'n': len(items)}\n"
        "result['n'] += 1\n"
        "items.append(4)\n"
        "a, b = 1, 2\n"
        "n = 0\n"
        "while True:\n"
        "    n += 1\n"
        "    if n >= 5:\n"
        "        break\n"
        "del a\n",
        data,
    )
    assert data == {
        "items": [1, 2, 3, 4],
        "total": 4,
        "status": "big",
        "result": {"n": 4},
        "item": 3,
        "b": 2,
        "n": 5,
    }


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os')", "may not start with '_'"),
        ("x.__class__", "starts with '_'"),
        ("getattr(x, 'y')", "'getattr' is not available"),
        ("lambda: 1", "lambda"),
        ("(y := 1)", ":="),
        ("f(*x)", "starred"),
        ("dict(**x)", "**keyword"),
        ("'{}'.format(1)", "attribute 'format' is not allowed"),
        ("f'{x[0]}'", "f-string fields"),
        ("x @ y", "@"),
        ("b'bytes'", "constant bytes"),
        ("(lambda: 1)()", "only named functions"),
    ],
)
def test_check_refuses_with_a_message_naming_the_problem(expression: str, message: str) -> None:
    with pytest.raises(UnsafeExpression) as info:
        check(expression)
    assert message in info.value.message
    assert info.value.details["expression"] == expression


def test_syntax_error_is_an_expression_error_not_unsafe() -> None:
    with pytest.raises(ExpressionError) as info:
        check("a ==")
    assert not isinstance(info.value, UnsafeExpression)
    assert "syntax error" in info.value.message


def test_scripts_only_statements_are_refused_in_expressions() -> None:
    check_script("x = 1")
    with pytest.raises(ExpressionError):
        check("x = 1")


@pytest.mark.parametrize(
    ("expression", "cause"),
    [
        ("missing + 1", "name 'missing' is not defined"),
        ("1 / 0", "ZeroDivisionError"),
        ("x['nope']", "KeyError"),
        ("x + 1", "TypeError"),
        ("x()", "is data, not a function"),
        ("x.get", "may only be called"),
        ("len", "not a function"),
    ],
)
def test_runtime_failures_are_expression_errors(expression: str, cause: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(expression, {"x": {}})
    assert cause in info.value.message


def test_attribute_not_allowed_for_the_value_type_at_runtime() -> None:
    # 'year' is a known attribute name (static check passes) but not one of str.
    with pytest.raises(UnsafeExpression, match="attribute 'year' of str"):
        evaluate("x.year", {"x": "2024"})


def test_step_budget_is_configurable() -> None:
    tight = Limits(max_steps=50)
    with pytest.raises(UnsafeExpression, match="50 steps"):
        evaluate("[i for i in range(100)]", {}, limits=tight)
    assert evaluate("[i for i in range(5)]", {}, limits=tight) == [0, 1, 2, 3, 4]


def test_memory_budget_counts_allocations_over_the_whole_evaluation() -> None:
    with pytest.raises(UnsafeExpression, match="allocated more than"):
        execute("x = []\nfor i in range(100):\n    x.append('a' * 100000)", {})


def test_compiled_expressions_are_cached_by_source() -> None:
    expressions._compiled_expression.cache_clear()
    evaluate("a + 1", {"a": 1})
    evaluate("a + 1", {"a": 2})
    info = expressions._compiled_expression.cache_info()
    assert (info.hits, info.misses) == (1, 1)

"""What the restricted expression language may touch: errors, limits, builtins, attributes.

Everything here is an allow-list. A name, attribute or builtin that is not listed does not
exist for an expression, which is what keeps an uploaded BPMN file from reaching Python's
object graph (``().__class__.__bases__``...), the file system or the interpreter itself.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from engine.errors import DomainError


class ExpressionError(DomainError):
    """An expression or script cannot be evaluated (syntax, missing name, type error, ...)."""


class UnsafeExpression(ExpressionError):
    """An expression or script uses something the restricted language refuses, or exceeds a
    resource budget (steps, time, memory)."""


@dataclass(frozen=True)
class Limits:
    """Resource bounds of one evaluation. Defaults suit conditions and short scripts."""

    max_source_chars: int = 20_000
    max_nodes: int = 20_000
    max_depth: int = 60
    max_steps: int = 200_000
    max_seconds: float = 1.0
    max_sequence: int = 1_000_000  # elements (or characters) of one value
    max_allocated: int = 5_000_000  # elements allocated over a whole evaluation
    max_int_bits: int = 20_000
    max_range: int = 1_000_000


EXPRESSION_LIMITS = Limits()
SCRIPT_LIMITS = Limits(max_source_chars=200_000, max_nodes=100_000, max_steps=1_000_000)

#: Names refused statically with a message of their own, because they are the usual ways out.
FORBIDDEN_NAMES = frozenset(
    {
        "eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr", "vars",
        "globals", "locals", "dir", "type", "object", "breakpoint", "input", "help", "memoryview",
        "super", "classmethod", "staticmethod", "property", "exit", "quit", "print", "id",
        "callable", "issubclass", "format", "repr", "ascii", "chr", "ord", "bytes", "bytearray",
        "iter", "next", "aiter", "anext", "hash", "license", "copyright", "credits", "slice",
    }
)  # fmt: skip

STRING_TYPES = (str,)
SEQUENCE_TYPES = (str, list, tuple, dict, set, frozenset)


def _today() -> _dt.date:
    return _dt.date.today()


def _now() -> _dt.datetime:
    return _dt.datetime.now().replace(microsecond=0)


def _sum(values: Iterable[Any], start: int | float = 0) -> Any:
    # A non-numeric start would make sum() concatenate lists or strings quadratically.
    if not isinstance(start, int | float) or isinstance(start, bool):
        raise TypeError("sum() start must be a number")
    return sum(values, start)


def _round(value: Any, ndigits: int | None = None) -> Any:
    # round(5, -10**9) computes 10**(10**9) inside CPython.
    if ndigits is not None and (not isinstance(ndigits, int) or abs(ndigits) > 100):
        raise ValueError("round() ndigits must be an integer between -100 and 100")
    return round(value, ndigits)


def make_builtins(limits: Limits) -> dict[str, Callable[..., Any] | type]:
    """Return the functions and types an expression may call, bound to ``limits``."""

    def bounded_range(*args: int) -> range:
        result = range(*args)
        if len(result) > limits.max_range:
            raise UnsafeExpression(
                f"range() of {len(result)} numbers exceeds the limit of {limits.max_range}",
                reason="range",
            )
        return result

    return {
        "len": len,
        "min": min,
        "max": max,
        "sum": _sum,
        "abs": abs,
        "round": _round,
        "int": int,
        "float": float,
        "str": str,
        "bool": bool,
        "list": list,
        "dict": dict,
        "set": set,
        "tuple": tuple,
        "sorted": sorted,
        "reversed": reversed,
        "any": any,
        "all": all,
        "range": bounded_range,
        "enumerate": enumerate,
        "zip": zip,
        "divmod": divmod,
        "isinstance": _isinstance,
        "today": _today,
        "now": _now,
        "date": _dt.date,
        "datetime": _dt.datetime,
        "timedelta": _dt.timedelta,
    }


#: Types isinstance() may test against: only the value types the language knows.
_TESTABLE_TYPES = (
    str, int, float, bool, list, dict, set, tuple, type(None), _dt.date, _dt.datetime,
    _dt.timedelta,
)  # fmt: skip


def _isinstance(value: Any, kinds: type | tuple[type, ...]) -> bool:
    candidates = kinds if isinstance(kinds, tuple) else (kinds,)
    if not all(kind in _TESTABLE_TYPES for kind in candidates):
        raise TypeError("isinstance() accepts only plain value types")
    return isinstance(value, kinds)


_STR_METHODS = frozenset(
    {
        "lower", "upper", "strip", "lstrip", "rstrip", "startswith", "endswith", "split",
        "rsplit", "splitlines", "replace", "join", "find", "rfind", "index", "rindex", "count",
        "isdigit", "isalpha", "isalnum", "isspace", "isnumeric", "isdecimal", "islower",
        "isupper", "title", "capitalize", "casefold", "swapcase", "removeprefix", "removesuffix",
        "partition", "rpartition", "zfill", "ljust", "rjust", "center",
    }
)  # fmt: skip
_LIST_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "index", "count", "reverse", "copy",
     "clear", "sort"}
)  # fmt: skip
_TUPLE_METHODS = frozenset({"index", "count"})
_DICT_METHODS = frozenset(
    {"get", "keys", "values", "items", "update", "pop", "setdefault", "copy", "clear"}
)
_SET_METHODS = frozenset(
    {"add", "discard", "remove", "pop", "union", "intersection", "difference",
     "symmetric_difference", "issubset", "issuperset", "isdisjoint", "copy", "clear", "update"}
)  # fmt: skip
_DATE_ATTRIBUTES = frozenset(
    {"year", "month", "day", "weekday", "isoweekday", "isoformat", "replace", "strftime",
     "toordinal"}
)  # fmt: skip
_DATETIME_ATTRIBUTES = _DATE_ATTRIBUTES | {"hour", "minute", "second", "microsecond", "date"}
_TIMEDELTA_ATTRIBUTES = frozenset({"days", "seconds", "microseconds", "total_seconds"})
_NUMBER_ATTRIBUTES = frozenset({"is_integer", "real", "imag"})

#: (type, allowed attribute names); first matching isinstance wins, so bool/datetime go first.
_ATTRIBUTES: tuple[tuple[type | tuple[type, ...], frozenset[str]], ...] = (
    (bool, frozenset()),
    (str, _STR_METHODS),
    (list, _LIST_METHODS),
    (tuple, _TUPLE_METHODS),
    (dict, _DICT_METHODS),
    ((set, frozenset), _SET_METHODS),
    (_dt.datetime, _DATETIME_ATTRIBUTES),
    (_dt.date, _DATE_ATTRIBUTES),
    (_dt.timedelta, _TIMEDELTA_ATTRIBUTES),
    ((int, float), _NUMBER_ATTRIBUTES),
)

#: Every attribute name the language knows; anything else is refused before evaluation.
KNOWN_ATTRIBUTES = frozenset().union(*(names for _, names in _ATTRIBUTES))


def allowed_attributes(value: Any) -> frozenset[str]:
    """Return the attribute names an expression may read on ``value`` (empty if none)."""
    for kind, names in _ATTRIBUTES:
        if isinstance(value, kind):
            return names
    return frozenset()

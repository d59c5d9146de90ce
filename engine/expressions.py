"""Restricted expressions and scripts: the only way Etalon evaluates text from a BPMN file.

BPMN conditions, timer expressions, data mappings and (for trusted standards only) script
tasks are written in a small subset of Python. Source text is parsed with :mod:`ast`, checked
against an allow-list of node types, names and attributes (:func:`check`), cached, and then run
by :class:`engine.expression_interpreter.Interpreter` under step, time and memory budgets.
Python's ``eval``/``exec`` are never used, so an uploaded file cannot reach ``__import__``,
``open`` or the object graph behind ``().__class__``.

Public API: :func:`evaluate`, :func:`execute`, :func:`check`, :class:`ExpressionError`,
:class:`UnsafeExpression`.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from engine.expression_interpreter import Interpreter
from engine.expression_safety import (
    EXPRESSION_LIMITS,
    FORBIDDEN_NAMES,
    KNOWN_ATTRIBUTES,
    SCRIPT_LIMITS,
    ExpressionError,
    Limits,
    UnsafeExpression,
)

__all__ = [
    "EXPRESSION_LIMITS",
    "SCRIPT_LIMITS",
    "ExpressionError",
    "Limits",
    "UnsafeExpression",
    "check",
    "check_script",
    "evaluate",
    "execute",
]

logger = logging.getLogger(__name__)

_EXPRESSION_NODES = frozenset(
    {
        ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult,
        ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift, ast.BitOr, ast.BitXor,
        ast.BitAnd, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Invert, ast.IfExp, ast.Dict,
        ast.Set, ast.List, ast.Tuple, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
        ast.comprehension, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
        ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.Call, ast.keyword, ast.Constant, ast.Attribute,
        ast.Subscript, ast.Slice, ast.Name, ast.Load, ast.Store, ast.JoinedStr,
        ast.FormattedValue,
    }
)  # fmt: skip
_SCRIPT_NODES = _EXPRESSION_NODES | {
    ast.Module, ast.Assign, ast.AugAssign, ast.If, ast.For, ast.While, ast.Break, ast.Continue,
    ast.Pass, ast.Expr, ast.Delete, ast.Del,
}  # fmt: skip
_CONSTANT_TYPES = (str, int, float, bool, type(None))
# A format spec may align, pad to at most 3 digits and set a precision: no nested fields.
_FORMAT_SPEC = re.compile(r"^(.?[<>^=])?[+\- ]?z?#?0?\d{0,3}[,_]?(\.\d{1,2})?[bcdeEfFgGnosxX%]?$")
_WHY = {
    ast.Lambda: "lambda functions are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred arguments (*x) are not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.Await: "await is not allowed",
    ast.Import: "import is not allowed",
    ast.ImportFrom: "import is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.FunctionDef: "function definitions are not allowed",
    ast.AsyncFunctionDef: "function definitions are not allowed",
    ast.ClassDef: "class definitions are not allowed",
    ast.Try: "try/except is not allowed",
    ast.With: "with is not allowed",
    ast.Raise: "raise is not allowed",
    ast.Assert: "assert is not allowed",
    ast.MatMult: "the @ operator is not allowed",
}


def _refuse(source: str, message: str, node: ast.AST | None = None) -> UnsafeExpression:
    line = getattr(node, "lineno", None)
    return UnsafeExpression(message, expression=_excerpt(source), line=line)


def _excerpt(source: str) -> str:
    return source if len(source) <= 200 else source[:200] + "…"


def _parse(source: str, mode: str, limits: Limits) -> ast.AST:
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be text, not {type(source).__name__}")
    if len(source) > limits.max_source_chars:
        raise _refuse(
            source, f"the text has {len(source)} characters, more than {limits.max_source_chars}"
        )
    text = source.strip() if mode == "eval" else source
    try:
        return ast.parse(text, mode=mode)
    except SyntaxError as exc:
        raise ExpressionError(
            f"syntax error: {exc.msg}", expression=_excerpt(source), line=exc.lineno
        ) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        # Nested-parentheses and operator-chain bombs exhaust the parser itself.
        raise _refuse(
            source, f"the text is nested too deeply to parse ({type(exc).__name__})"
        ) from None


def _check_tree(tree: ast.AST, source: str, allowed: frozenset[type], limits: Limits) -> None:
    # Walk iteratively so that a deep tree cannot exhaust our own stack.
    pending: list[tuple[ast.AST, int]] = [(tree, 1)]
    count = 0
    while pending:
        node, depth = pending.pop()
        count += 1
        if count > limits.max_nodes:
            raise _refuse(source, f"the text has more than {limits.max_nodes} syntax elements")
        if depth > limits.max_depth:
            raise _refuse(source, f"the text is nested more than {limits.max_depth} levels", node)
        _check_node(node, source, allowed)
        pending.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _check_node(node: ast.AST, source: str, allowed: frozenset[type]) -> None:
    kind = type(node)
    if kind not in allowed:
        why = _WHY.get(kind, f"{kind.__name__} is not allowed here")
        raise _refuse(source, why, node)
    if isinstance(node, ast.Name):
        _check_name(node.id, source, node)
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_"):
            raise _refuse(source, f"attribute '{node.attr}' is refused (starts with '_')", node)
        if node.attr not in KNOWN_ATTRIBUTES:
            raise _refuse(source, f"attribute '{node.attr}' is not allowed", node)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, _CONSTANT_TYPES):
            raise _refuse(source, f"constant {type(node.value).__name__} is not allowed", node)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name | ast.Attribute):
            raise _refuse(source, "only named functions and methods may be called", node)
        if any(k.arg is None for k in node.keywords):
            raise _refuse(source, "**keyword unpacking is not allowed", node)
    elif isinstance(node, ast.keyword) and node.arg is not None:
        _check_name(node.arg, source, node)
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise _refuse(source, "async comprehensions are not allowed", node)
    elif isinstance(node, ast.FormattedValue):
        _check_formatted(node, source)


def _check_name(name: str, source: str, node: ast.AST) -> None:
    if name.startswith("_"):
        raise _refuse(source, f"name '{name}' is refused (names may not start with '_')", node)
    if name in FORBIDDEN_NAMES:
        raise _refuse(source, f"'{name}' is not available in expressions", node)


def _check_formatted(node: ast.FormattedValue, source: str) -> None:
    target = node.value
    while isinstance(target, ast.Attribute):
        target = target.value
    if not isinstance(target, ast.Name):
        raise _refuse(source, "f-string fields may only name a value (like {amount})", node)
    spec = node.format_spec
    if spec is not None:
        parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
        if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
            raise _refuse(source, "f-string format specs may not contain fields", node)
        text = "".join(p.value for p in parts)  # type: ignore[attr-defined]
        if not _FORMAT_SPEC.match(text):
            raise _refuse(source, f"f-string format spec '{text}' is not allowed", node)


@lru_cache(maxsize=2048)
def _compiled_expression(source: str) -> ast.Expression:
    tree = _parse(source, "eval", EXPRESSION_LIMITS)
    _check_tree(tree, source, _EXPRESSION_NODES, EXPRESSION_LIMITS)
    return tree  # type: ignore[return-value]


@lru_cache(maxsize=512)
def _compiled_script(source: str) -> ast.Module:
    tree = _parse(source, "exec", SCRIPT_LIMITS)
    _check_tree(tree, source, _SCRIPT_NODES, SCRIPT_LIMITS)
    return tree  # type: ignore[return-value]


def check(expression: str) -> None:
    """Refuse ``expression`` statically (syntax or a forbidden construct) without running it.

    Raises UnsafeExpression for forbidden constructs and ExpressionError for syntax errors.
    """
    _compiled_expression(expression)


def check_script(script: str) -> None:
    """Refuse ``script`` statically, as :func:`check` does for expressions."""
    _compiled_script(script)


def _run(source: str, action: Any) -> Any:
    try:
        return action()
    except ExpressionError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise UnsafeExpression(
            f"evaluation exhausted resources ({type(exc).__name__})", expression=_excerpt(source)
        ) from None
    except Exception as exc:
        raise ExpressionError(
            f"{type(exc).__name__}: {exc}", expression=_excerpt(source), cause=type(exc).__name__
        ) from None


def evaluate(
    expression: str,
    data: Mapping[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
    limits: Limits = EXPRESSION_LIMITS,
) -> Any:
    """Evaluate ``expression`` with the names of ``data`` (then ``extra``) and return its value.

    ``data`` is not modified. Raises UnsafeExpression when the expression is refused or
    exceeds a budget, ExpressionError for any other failure (unknown name, type error, ...).
    """
    tree = _compiled_expression(expression)

    def action() -> Any:
        # Expressions cannot assign; comprehension variables live in scopes of their own.
        value = Interpreter(limits, data, extra or {}).eval(tree.body)  # type: ignore[arg-type]
        if callable(value):
            raise UnsafeExpression("an expression must produce a value, not a function")
        return value

    return _run(expression, action)


def execute(
    script: str,
    data: dict[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
    limits: Limits = SCRIPT_LIMITS,
) -> None:
    """Run a trusted ``script``; assignments to plain names change ``data`` in place.

    Scripts may assign, use if/for/while and call the allowed functions, under step, time and
    memory budgets. Raises UnsafeExpression / ExpressionError like :func:`evaluate`.
    """
    tree = _compiled_script(script)
    _run(script, lambda: Interpreter(limits, data, extra or {}).run(tree.body))

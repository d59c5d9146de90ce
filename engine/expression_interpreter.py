"""A small interpreter over a checked Python AST: the runtime of the restricted language.

Python's own eval/exec is never called. Each node is evaluated here, so every step is counted
(step budget and wall-clock deadline), every attribute is looked up in an allow-list, and every
operation that could allocate a huge value (``'a' * 10**10``, ``10**10**10``) is sized first.
The tree has already passed :func:`engine.expressions.check`; the checks here are the second
line of defence and the ones that need values.
"""

from __future__ import annotations

import ast
import operator
import time
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from engine.expression_safety import (
    ExpressionError,
    Limits,
    UnsafeExpression,
    allowed_attributes,
    make_builtins,
)

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitXor: operator.xor,
    ast.BitAnd: operator.and_,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.Not: operator.not_,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_SIZED = (str, list, tuple, dict, set, frozenset, bytes)


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Interpreter:
    """Evaluates one checked tree against a scope chain, within ``limits``."""

    def __init__(self, limits: Limits, scope: MutableMapping[str, Any], extra: Mapping) -> None:
        self.limits = limits
        self.scopes: list[MutableMapping[str, Any]] = [scope]
        self.extra = extra
        self.builtins = make_builtins(limits)
        self.steps = 0
        self.allocated = 0
        self.deadline = time.monotonic() + limits.max_seconds

    # -- budget -------------------------------------------------------------------------

    def _tick(self) -> None:
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise UnsafeExpression(
                f"evaluation exceeded the budget of {self.limits.max_steps} steps",
                reason="steps",
            )
        if self.steps % 256 == 0 and time.monotonic() > self.deadline:
            raise UnsafeExpression(
                f"evaluation exceeded the time budget of {self.limits.max_seconds} s",
                reason="time",
            )

    def _size_ok(self, size: int, what: str) -> None:
        if size > self.limits.max_sequence:
            raise UnsafeExpression(
                f"{what} would have {size} elements, more than the limit of "
                f"{self.limits.max_sequence}",
                reason="memory",
            )

    def _charge(self, value: Any) -> Any:
        if isinstance(value, _SIZED):
            size = len(value)
            self._size_ok(size, "a value")
            self.allocated += size
            if self.allocated > self.limits.max_allocated:
                raise UnsafeExpression(
                    f"evaluation allocated more than {self.limits.max_allocated} elements",
                    reason="memory",
                )
        elif _is_int(value) and value.bit_length() > self.limits.max_int_bits:
            raise UnsafeExpression(
                f"an integer exceeds {self.limits.max_int_bits} bits", reason="memory"
            )
        return value

    # -- statements ---------------------------------------------------------------------

    def run(self, body: list[ast.stmt]) -> None:
        """Execute statements; assignments land in the innermost scope (the task data)."""
        for statement in body:
            self._tick()
            self._statement(statement)

    def _statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Expr):
            self.eval(node.value)
        elif isinstance(node, ast.Assign):
            value = self.eval(node.value)
            for target in node.targets:
                self._assign(target, value)
        elif isinstance(node, ast.AugAssign):
            current = self.eval(_as_load(node.target))
            self._assign(node.target, self._binary(node.op, current, self.eval(node.value)))
        elif isinstance(node, ast.If):
            self.run(node.body if self.eval(node.test) else node.orelse)
        elif isinstance(node, ast.For):
            self._for(node)
        elif isinstance(node, ast.While):
            self._while(node)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                self._delete(target)
        elif isinstance(node, ast.Break):
            raise _Break
        elif isinstance(node, ast.Continue):
            raise _Continue
        elif not isinstance(node, ast.Pass):
            raise UnsafeExpression(f"statement {type(node).__name__} is not allowed")

    def _for(self, node: ast.For) -> None:
        for item in self.eval(node.iter):
            self._tick()
            self._assign(node.target, item)
            try:
                self.run(node.body)
            except _Break:
                return
            except _Continue:
                continue
        self.run(node.orelse)

    def _while(self, node: ast.While) -> None:
        while self.eval(node.test):
            self._tick()
            try:
                self.run(node.body)
            except _Break:
                return
            except _Continue:
                continue
        self.run(node.orelse)

    def _assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            if callable(value):
                # Task data must stay plain values: serialisable, with no way back to code.
                raise UnsafeExpression(f"cannot store a function in '{target.id}'")
            self.scopes[-1][target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            values = list(value)
            if len(values) != len(target.elts):
                raise ValueError(f"cannot unpack {len(values)} values into {len(target.elts)}")
            for element, item in zip(target.elts, values, strict=True):
                self._assign(element, item)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value)
            if not isinstance(container, list | dict):
                raise TypeError(f"cannot assign an item of {type(container).__name__}")
            container[self.eval(target.slice)] = value
        else:
            raise UnsafeExpression(f"cannot assign to {type(target).__name__}")

    def _delete(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            del self.scopes[-1][target.id]
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value)
            if not isinstance(container, list | dict):
                raise TypeError(f"cannot delete an item of {type(container).__name__}")
            del container[self.eval(target.slice)]
        else:
            raise UnsafeExpression(f"cannot delete {type(target).__name__}")

    # -- expressions --------------------------------------------------------------------

    def eval(self, node: ast.expr) -> Any:
        """Evaluate one expression node."""
        self._tick()
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise UnsafeExpression(f"{type(node).__name__} is not allowed")
        return handler(self, node)

    def _constant(self, node: ast.Constant) -> Any:
        return node.value

    def _name(self, node: ast.Name) -> Any:
        name = node.id
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in self.extra:
            return self.extra[name]
        if name in self.builtins:
            return self.builtins[name]
        raise ExpressionError(f"name '{name}' is not defined", name=name)

    def _binary(self, op: ast.operator, left: Any, right: Any) -> Any:
        kind = type(op)
        if kind is ast.Mult:
            self._check_repeat(left, right)
        elif kind is ast.Pow:
            self._check_power(left, right)
        elif kind is ast.LShift and _is_int(left) and _is_int(right):
            if right > 0 and left.bit_length() + right > self.limits.max_int_bits:
                raise UnsafeExpression(f"the shift by {right} bits is too large", reason="memory")
        elif kind is ast.Add and isinstance(left, _SIZED) and isinstance(right, _SIZED):
            self._size_ok(len(left) + len(right), "the concatenation")
        elif kind is ast.Mod and isinstance(left, str):
            raise UnsafeExpression("%-formatting of strings is not allowed; use an f-string")
        return self._charge(_BINARY[kind](left, right))

    def _check_repeat(self, left: Any, right: Any) -> None:
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, _SIZED) and _is_int(count):
                self._size_ok(len(seq) * max(count, 0), "the repetition")
        if (
            _is_int(left)
            and _is_int(right)
            and left.bit_length() + right.bit_length() > self.limits.max_int_bits
        ):
            raise UnsafeExpression("the product is too large", reason="memory")

    def _check_power(self, base: Any, exponent: Any) -> None:
        if not (_is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1):
            return
        # bits(base ** e) ~ e * bits(base); compare before computing anything.
        bits = self.limits.max_int_bits
        if exponent > bits or exponent * (abs(base).bit_length() - 1) > bits:
            raise UnsafeExpression(
                f"the power has an exponent of {exponent}: the result would exceed {bits} bits",
                reason="memory",
            )

    def _binop(self, node: ast.BinOp) -> Any:
        return self._binary(node.op, self.eval(node.left), self.eval(node.right))

    def _unaryop(self, node: ast.UnaryOp) -> Any:
        return _UNARY[type(node.op)](self.eval(node.operand))

    def _boolop(self, node: ast.BoolOp) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.eval(operand)
            if isinstance(node.op, ast.And) and not value:
                return value
            if isinstance(node.op, ast.Or) and value:
                return value
        return value

    def _compare(self, node: ast.Compare) -> Any:
        left = self.eval(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _ifexp(self, node: ast.IfExp) -> Any:
        return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)

    def _list(self, node: ast.List) -> Any:
        return self._charge([self.eval(e) for e in node.elts])

    def _tuple(self, node: ast.Tuple) -> Any:
        return self._charge(tuple(self.eval(e) for e in node.elts))

    def _set(self, node: ast.Set) -> Any:
        return self._charge({self.eval(e) for e in node.elts})

    def _dict(self, node: ast.Dict) -> Any:
        return self._charge(
            {self.eval(k): self.eval(v) for k, v in zip(node.keys, node.values, strict=True)}
        )

    def _subscript(self, node: ast.Subscript) -> Any:
        container = self.eval(node.value)
        if not isinstance(container, _SIZED):
            raise TypeError(f"'{type(container).__name__}' object is not subscriptable")
        index = self.eval(node.slice)
        item = container[index]
        # Only slices build new values; plain item access must not count as an allocation.
        return self._charge(item) if isinstance(index, slice) else item

    def _slice(self, node: ast.Slice) -> slice:
        def part(n: ast.expr | None) -> Any:
            return None if n is None else self.eval(n)

        return slice(part(node.lower), part(node.upper), part(node.step))

    def _lookup(self, node: ast.Attribute) -> tuple[Any, Any]:
        receiver = self.eval(node.value)
        if node.attr not in allowed_attributes(receiver):
            raise UnsafeExpression(
                f"attribute '{node.attr}' of {type(receiver).__name__} is not allowed",
                attribute=node.attr,
            )
        return receiver, getattr(receiver, node.attr)

    def _attribute(self, node: ast.Attribute) -> Any:
        _, value = self._lookup(node)
        if callable(value):
            # A bound method must not escape into data, where it would carry its receiver.
            raise UnsafeExpression(f"method '{node.attr}' may only be called", attribute=node.attr)
        return value

    def _call(self, node: ast.Call) -> Any:
        receiver = None
        if isinstance(node.func, ast.Attribute):
            receiver, function = self._lookup(node.func)
        else:
            function = self.eval(node.func)
            if not isinstance(node.func, ast.Name) or function is not self.builtins.get(
                node.func.id
            ):
                name = getattr(node.func, "id", "value")
                raise UnsafeExpression(f"'{name}' is data, not a function that may be called")
        if not callable(function):
            raise TypeError(f"'{type(function).__name__}' object is not callable")
        args = [self.eval(a) for a in node.args]
        kwargs = {k.arg: self.eval(k.value) for k in node.keywords if k.arg is not None}
        if isinstance(node.func, ast.Attribute):
            self._check_method(node.func.attr, receiver, args)
        return self._charge(function(*args, **kwargs))

    def _check_method(self, name: str, receiver: Any, args: list[Any]) -> None:
        """Size the result of string methods that can multiply their input in one C call."""
        if not isinstance(receiver, str):
            return
        if name in {"zfill", "ljust", "rjust", "center"} and args and _is_int(args[0]):
            self._size_ok(args[0], f"str.{name}()")
        elif name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
            hits = receiver.count(args[0]) if args[0] else len(receiver) + 1
            self._size_ok(len(receiver) + hits * len(args[1]), "str.replace()")
        elif name == "join" and args and isinstance(args[0], list | tuple):
            total = sum(len(x) for x in args[0] if isinstance(x, str))
            self._size_ok(total + len(receiver) * len(args[0]), "str.join()")

    def _comprehension(self, generators: list[ast.comprehension], emit: Callable[[], None]) -> None:
        self.scopes.append({})
        try:
            self._generate(generators, 0, emit)
        finally:
            self.scopes.pop()

    def _generate(self, generators: list[ast.comprehension], index: int, emit: Callable) -> None:
        if index == len(generators):
            emit()
            return
        generator = generators[index]
        for item in self.eval(generator.iter):
            self._tick()
            self._assign(generator.target, item)
            if all(self.eval(condition) for condition in generator.ifs):
                self._generate(generators, index + 1, emit)

    def _listcomp(self, node: ast.ListComp | ast.GeneratorExp) -> Any:
        result: list[Any] = []

        def emit() -> None:
            result.append(self.eval(node.elt))
            self._charge_one(len(result))

        self._comprehension(node.generators, emit)
        return result

    def _setcomp(self, node: ast.SetComp) -> Any:
        result: set[Any] = set()

        def emit() -> None:
            result.add(self.eval(node.elt))
            self._charge_one(len(result))

        self._comprehension(node.generators, emit)
        return result

    def _dictcomp(self, node: ast.DictComp) -> Any:
        result: dict[Any, Any] = {}

        def emit() -> None:
            result[self.eval(node.key)] = self.eval(node.value)
            self._charge_one(len(result))

        self._comprehension(node.generators, emit)
        return result

    def _charge_one(self, size: int) -> None:
        self._size_ok(size, "a comprehension")
        self.allocated += 1
        if self.allocated > self.limits.max_allocated:
            raise UnsafeExpression(
                f"evaluation allocated more than {self.limits.max_allocated} elements",
                reason="memory",
            )

    def _joinedstr(self, node: ast.JoinedStr) -> Any:
        parts = []
        for value in node.values:
            parts.append(value.value if isinstance(value, ast.Constant) else self.eval(value))
        return self._charge("".join(str(p) for p in parts))

    def _formattedvalue(self, node: ast.FormattedValue) -> Any:
        value = self.eval(node.value)
        if node.conversion == ord("r"):
            value = repr(value)
        elif node.conversion in (ord("s"), ord("a")):
            value = str(value) if node.conversion == ord("s") else ascii(value)
        spec = "" if node.format_spec is None else self._joinedstr(node.format_spec)
        return format(value, spec)


def _as_load(target: ast.expr) -> ast.expr:
    """The same target read instead of written (for ``x += 1``)."""
    if isinstance(target, ast.Name):
        return ast.Name(id=target.id, ctx=ast.Load())
    if isinstance(target, ast.Subscript):
        return ast.Subscript(value=target.value, slice=target.slice, ctx=ast.Load())
    raise UnsafeExpression(f"cannot augment {type(target).__name__}")


_HANDLERS: dict[type, Callable[[Interpreter, Any], Any]] = {
    ast.Constant: Interpreter._constant,
    ast.Name: Interpreter._name,
    ast.BinOp: Interpreter._binop,
    ast.UnaryOp: Interpreter._unaryop,
    ast.BoolOp: Interpreter._boolop,
    ast.Compare: Interpreter._compare,
    ast.IfExp: Interpreter._ifexp,
    ast.List: Interpreter._list,
    ast.Tuple: Interpreter._tuple,
    ast.Set: Interpreter._set,
    ast.Dict: Interpreter._dict,
    ast.Subscript: Interpreter._subscript,
    ast.Slice: Interpreter._slice,
    ast.Attribute: Interpreter._attribute,
    ast.Call: Interpreter._call,
    ast.ListComp: Interpreter._listcomp,
    ast.GeneratorExp: Interpreter._listcomp,
    ast.SetComp: Interpreter._setcomp,
    ast.DictComp: Interpreter._dictcomp,
    ast.JoinedStr: Interpreter._joinedstr,
    ast.FormattedValue: Interpreter._formattedvalue,
}

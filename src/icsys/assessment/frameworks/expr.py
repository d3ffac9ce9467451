"""A safe expression language for computed criteria, parsed with :mod:`ast` and never ``eval``-ed.

Allowed: numbers, strings (only as function arguments), ``True``/``False``, comparisons
(``< <= > >= == !=``, chained), ``and``/``or``/``not``, ``+ - * /``, unary minus, references
into three namespaces — ``governance.<measure>[.<breakdown>]``, ``indicator.<id>[.<field>]``,
``structure.<feature>`` — names of the criterion's parameters (``threshold``...), and the
functions in :data:`FUNCTIONS`. Everything else (subscripts, lambdas, comprehensions, calls of
anything else, attribute access outside the namespaces, names starting with ``_``) is refused
when the framework is loaded, with the reason.

Missing data is three-valued: a reference with no value is *unknown* (``None``); arithmetic and
comparisons with an unknown are unknown; ``and``/``or``/``not`` follow Kleene logic (``False and
unknown`` is ``False``). A criterion whose rule is unknown has outcome ``no_data``.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Protocol

from icsys.analytics.methods.spc import xmr_chart

NAMESPACES: Final = ("governance", "indicator", "structure")
MAX_LENGTH: Final = 500
TREND_WINDOW: Final = 6
"""Points at the end of a series in which ``trend_improving`` looks for special causes."""
MIN_TREND_POINTS: Final = 12
"""Fewer points than this and a trend is unknown (Making Data Count asks for 12 or more)."""

Value = float | bool | str | None


class UnsafeExpressionError(ValueError):
    """The text is not an expression of the criterion language; the message says why."""


class Lookup(Protocol):
    """Where references are resolved: a value, or a dated series for the trend functions."""

    def value(self, ref: str) -> float | None: ...

    def series(self, ref: str) -> Sequence[tuple[date, float]]: ...


@dataclass(frozen=True)
class Reference:
    """A reference as written (``governance.public_meeting_share``)."""

    text: str


@dataclass
class Trace:
    """What an evaluation looked at: each reference with its value, each function result."""

    values: dict[str, float | None] = field(default_factory=dict)
    calls: dict[str, Value] = field(default_factory=dict)


_COMPARE: Final[dict[type[ast.cmpop], Callable[[Any, Any], bool]]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_ARITH: Final[dict[type[ast.operator], Callable[[float, float], float]]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def _recent_point_types(lookup: Lookup, ref: str, direction: str, trace: Trace) -> list[str] | None:
    points = sorted(lookup.series(ref), key=lambda p: p[0])
    trace.values[f"{ref} (points)"] = float(len(points))
    if len(points) < MIN_TREND_POINTS:
        return None
    chart = xmr_chart(
        [v for _, v in points],
        dates=[d for d, _ in points],
        improvement_direction="increase" if direction == "increase" else "decrease",
    )
    return [p.point_type for p in chart.points[-TREND_WINDOW:]]


def _trend(lookup: Lookup, ref: str, direction: str, trace: Trace) -> bool | None:
    recent = _recent_point_types(lookup, ref, direction, trace)
    if recent is None:
        return None
    return "special_cause_improvement" in recent and recent[-1] != "special_cause_concern"


def _no_concern(lookup: Lookup, ref: str, direction: str, trace: Trace) -> bool | None:
    recent = _recent_point_types(lookup, ref, direction, trace)
    return None if recent is None else recent[-1] != "special_cause_concern"


FUNCTIONS: Final[dict[str, str]] = {
    "trend_improving": (
        "trend_improving(ref, 'increase'|'decrease'): the XmR chart (NHSRplotthedots preset) of "
        f"the series shows special-cause improvement in its last {TREND_WINDOW} points and its "
        f"latest point is not special-cause concern; unknown with fewer than {MIN_TREND_POINTS} "
        "points"
    ),
    "no_concern": (
        "no_concern(ref, 'increase'|'decrease'): the latest point of the series' XmR chart is "
        f"not special-cause concern; unknown with fewer than {MIN_TREND_POINTS} points"
    ),
    "known": "known(ref): the reference has a value (True/False, never unknown)",
    "coalesce": "coalesce(x, default): x, or the default when x is unknown",
    "abs": "abs(x)",
    "min": "min(x, y, ...): unknown if any argument is",
    "max": "max(x, y, ...): unknown if any argument is",
}
_SERIES_FUNCTIONS: Final = {"trend_improving": _trend, "no_concern": _no_concern}


def _ref_text(node: ast.expr) -> str | None:
    """``governance.a.b`` as text when ``node`` is an attribute chain on a namespace."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in NAMESPACES or not parts:
        return None
    return ".".join([node.id, *reversed(parts)])


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, the references and parameters it uses."""

    text: str
    tree: ast.Expression
    references: tuple[str, ...]
    parameters: tuple[str, ...]

    def evaluate(
        self, lookup: Lookup, params: Mapping[str, float], trace: Trace | None = None
    ) -> Value:
        return _Evaluator(lookup, params, trace or Trace()).visit(self.tree.body)


def parse(text: str, *, parameters: Sequence[str] = ()) -> Expression:
    """Check ``text`` and return it compiled to a tree (never to code).

    Raises:
        UnsafeExpressionError: naming the first construct that is not allowed.
    """
    if len(text) > MAX_LENGTH:
        raise UnsafeExpressionError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpressionError(f"not an expression: {exc.msg}") from None
    refs: list[str] = []
    used: list[str] = []
    _check(tree.body, set(parameters), refs, used)
    return Expression(text.strip(), tree, tuple(dict.fromkeys(refs)), tuple(dict.fromkeys(used)))


def _check(node: ast.expr, params: set[str], refs: list[str], used: list[str]) -> None:  # noqa: C901, PLR0911, PLR0912 - one case per node type
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool | int | float | str):
            return
        raise UnsafeExpressionError(f"constant {node.value!r} is not allowed")
    if isinstance(node, ast.Attribute):
        text = _ref_text(node)
        if text is None:
            raise UnsafeExpressionError(
                f"attribute access is only allowed on {', '.join(NAMESPACES)}"
            )
        if any(p.startswith("_") for p in text.split(".")):
            raise UnsafeExpressionError(f"{text!r}: names may not start with '_'")
        refs.append(text)
        return
    if isinstance(node, ast.Name):
        if node.id in NAMESPACES:
            raise UnsafeExpressionError(f"{node.id!r} needs a measure, e.g. {node.id}.name")
        if node.id in {"True", "False"}:
            return
        if node.id not in params:
            known = ", ".join(sorted(params)) or "none"
            raise UnsafeExpressionError(f"unknown name {node.id!r} (parameters: {known})")
        used.append(node.id)
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, params, refs, used)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            raise UnsafeExpressionError(f"operator {type(node.op).__name__} is not allowed")
        _check(node.operand, params, refs, used)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _ARITH:
            raise UnsafeExpressionError(f"operator {type(node.op).__name__} is not allowed")
        _check(node.left, params, refs, used)
        _check(node.right, params, refs, used)
        return
    if isinstance(node, ast.Compare):
        if any(type(op) not in _COMPARE for op in node.ops):
            raise UnsafeExpressionError("only < <= > >= == != comparisons are allowed")
        for part in (node.left, *node.comparators):
            _check(part, params, refs, used)
        return
    if isinstance(node, ast.Call):
        _check_call(node, params, refs, used)
        return
    raise UnsafeExpressionError(f"{type(node).__name__} is not allowed")


def _check_call(  # noqa: C901 - one rule per function
    node: ast.Call, params: set[str], refs: list[str], used: list[str]
) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise UnsafeExpressionError(
            f"only the functions {', '.join(sorted(FUNCTIONS))} may be called"
        )
    if node.keywords:
        raise UnsafeExpressionError(f"{node.func.id}() takes positional arguments only")
    name = node.func.id
    if name in _SERIES_FUNCTIONS or name == "known":
        wanted = 1 if name == "known" else 2
        if len(node.args) != wanted or _ref_text(node.args[0]) is None:
            raise UnsafeExpressionError(
                f"{name}() takes a reference{' and a direction' if wanted == 2 else ''}"
            )
        if wanted == 2 and not (
            isinstance(node.args[1], ast.Constant)
            and node.args[1].value in {"increase", "decrease"}
        ):
            raise UnsafeExpressionError(f"{name}() direction must be 'increase' or 'decrease'")
    elif name == "coalesce" and len(node.args) != 2:
        raise UnsafeExpressionError("coalesce() takes two arguments")
    elif name == "abs" and len(node.args) != 1:
        raise UnsafeExpressionError("abs() takes one argument")
    elif name in {"min", "max"} and len(node.args) < 2:
        raise UnsafeExpressionError(f"{name}() takes two or more arguments")
    for arg in node.args:
        if (
            isinstance(arg, ast.Constant)
            and isinstance(arg.value, str)
            and name not in _SERIES_FUNCTIONS
        ):
            raise UnsafeExpressionError(f"{name}() takes numbers, not text")
        _check(arg, params, refs, used)


def _number(value: Value) -> float | None:
    if value is None or isinstance(value, str):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


class _Evaluator:
    def __init__(self, lookup: Lookup, params: Mapping[str, float], trace: Trace) -> None:
        self.lookup = lookup
        self.params = params
        self.trace = trace

    def visit(self, node: ast.expr) -> Value:  # noqa: C901, PLR0911, PLR0912
        if isinstance(node, ast.Constant):
            constant = node.value
            return constant if isinstance(constant, bool | int | float | str) else None
        if isinstance(node, ast.Attribute):
            ref = _ref_text(node)
            assert ref is not None  # noqa: S101 - checked by parse()
            if ref not in self.trace.values:
                self.trace.values[ref] = self.lookup.value(ref)
            return self.trace.values[ref]
        if isinstance(node, ast.Name):
            if node.id in {"True", "False"}:
                return node.id == "True"
            return float(self.params[node.id])
        if isinstance(node, ast.BoolOp):
            return self._bool(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            if isinstance(node.op, ast.Not):
                return None if operand is None else not operand
            number = _number(operand)
            if number is None:
                return None
            return -number if isinstance(node.op, ast.USub) else number
        if isinstance(node, ast.BinOp):
            left, right = _number(self.visit(node.left)), _number(self.visit(node.right))
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Div) and right == 0:
                return None
            return _ARITH[type(node.op)](left, right)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise AssertionError(type(node).__name__)  # pragma: no cover - parse() refuses it

    def _bool(self, node: ast.BoolOp) -> bool | None:
        values = [self.visit(v) for v in node.values]
        truths = [None if v is None else bool(v) for v in values]
        if isinstance(node.op, ast.And):
            if False in truths:
                return False
            return None if None in truths else True
        if True in truths:
            return True
        return None if None in truths else False

    def _compare(self, node: ast.Compare) -> bool | None:
        left = self.visit(node.left)
        result: bool | None = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.visit(right_node)
            if left is None or right is None:
                result = None if result is not False else False
            elif not _COMPARE[type(op)](left, right):
                return False
            left = right
        return result

    def _call(self, node: ast.Call) -> Value:
        assert isinstance(node.func, ast.Name)  # noqa: S101 - checked by parse()
        name = node.func.id
        label = ast.unparse(node)
        result: Value
        if name in _SERIES_FUNCTIONS:
            ref = _ref_text(node.args[0])
            direction = node.args[1]
            assert ref is not None  # noqa: S101 - checked by parse()
            assert isinstance(direction, ast.Constant)  # noqa: S101 - checked by parse()
            result = _SERIES_FUNCTIONS[name](self.lookup, ref, str(direction.value), self.trace)
        elif name == "known":
            result = self.visit(node.args[0]) is not None
        elif name == "coalesce":
            first = self.visit(node.args[0])
            result = self.visit(node.args[1]) if first is None else first
        else:
            numbers = [_number(self.visit(a)) for a in node.args]
            if any(n is None for n in numbers):
                result = None
            elif name == "abs":
                result = abs(numbers[0] or 0.0)
            else:
                present = [n for n in numbers if n is not None]
                result = min(present) if name == "min" else max(present)
        self.trace.calls[label] = result
        return result

"""The criterion rule language: what it refuses, and three-valued logic over missing data."""

from __future__ import annotations

from datetime import date

import pytest

from icsys.assessment.frameworks.expr import Trace, UnsafeExpressionError, parse


class Values:
    def __init__(self, values=None, series=None):
        self.values = values or {}
        self.series_values = series or {}

    def value(self, ref):
        return self.values.get(ref)

    def series(self, ref):
        return self.series_values.get(ref, [])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os').system('echo hi')", "only the functions"),
        ("open('/etc/passwd')", "only the functions"),
        ("governance.__class__", "may not start with '_'"),
        ("().__class__.__bases__", "attribute access is only allowed"),
        ("governance.a[0] > 1", "Subscript is not allowed"),
        ("[x for x in governance.a]", "ListComp is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("governance.a ** 99999999", "operator Pow is not allowed"),
        ("os.system", "attribute access is only allowed"),
        ("threshold > 1", "unknown name 'threshold'"),
        ("governance > 1", "needs a measure"),
        ("governance.a > 1; 1", "not an expression"),
        ("eval('1')", "only the functions"),
        ("trend_improving(governance.a, 'sideways')", "direction must be"),
        ("trend_improving(1, 'increase')", "takes a reference"),
        ("min(governance.a)", "two or more"),
        ("abs(x=1)", "positional arguments only"),
        ("f'{governance.a}'", "JoinedStr is not allowed"),
        ("governance.a if governance.b else 1", "IfExp is not allowed"),
        ("b'bytes' == governance.a", "constant b'bytes' is not allowed"),
        ("governance.a is None", "only < <= > >= == != comparisons"),
        ("x" * 501, "longer than 500"),
    ],
)
def test_unsafe_or_unknown_constructs_are_refused_with_the_reason(text, reason):
    with pytest.raises(UnsafeExpressionError, match=reason.replace("(", r"\(").replace("[", r"\[")):
        parse(text)


def test_references_and_parameters_are_collected():
    e = parse(
        "governance.item_share.non_nhs >= threshold and indicator.sii_x.value < limit",
        parameters=["threshold", "limit"],
    )
    assert e.references == ("governance.item_share.non_nhs", "indicator.sii_x.value")
    assert e.parameters == ("threshold", "limit")


def test_comparisons_arithmetic_and_functions():
    v = Values({"governance.a": 0.8, "governance.b": 0.2, "structure.c": -3})
    assert parse("governance.a >= t", parameters=["t"]).evaluate(v, {"t": 0.8}) is True
    assert parse("governance.a + governance.b == 1").evaluate(v, {}) is True
    assert parse("0 < governance.b < governance.a").evaluate(v, {}) is True
    assert parse("abs(structure.c) == 3 and max(governance.a, 1) == 1").evaluate(v, {}) is True
    assert parse("governance.a / 0 > 1").evaluate(v, {}) is None  # no division by zero


def test_missing_values_are_unknown_with_kleene_logic():
    v = Values({"governance.a": 1.0})
    assert parse("governance.missing > 0").evaluate(v, {}) is None
    assert parse("governance.missing > 0 and governance.a > 5").evaluate(v, {}) is False
    assert parse("governance.missing > 0 or governance.a > 0").evaluate(v, {}) is True
    assert parse("governance.missing > 0 and governance.a > 0").evaluate(v, {}) is None
    assert parse("not governance.missing > 0").evaluate(v, {}) is None
    assert parse("known(governance.missing)").evaluate(v, {}) is False
    assert parse("coalesce(governance.missing, 2) == 2").evaluate(v, {}) is True


def test_trace_records_every_value_looked_at():
    trace = Trace()
    parse("governance.a > 0 or governance.b > 0").evaluate(Values({"governance.a": 1.0}), {}, trace)
    assert trace.values == {"governance.a": 1.0, "governance.b": None}


def _series(values):
    return [
        (date(2023, 1, 1).replace(month=1 + i % 12, year=2023 + i // 12), v)
        for i, v in enumerate(values)
    ]


def test_trend_improving_needs_special_cause_improvement_at_the_end():
    flat = [60.0, 61.0] * 10
    rising = _series([*flat, 80.0, 81.0, 82.0, 83.0])
    falling = _series([*flat, 40.0, 39.0, 38.0, 37.0])
    v = Values(
        series={"indicator.up": rising, "indicator.down": falling, "indicator.flat": _series(flat)}
    )
    assert parse("trend_improving(indicator.up, 'increase')").evaluate(v, {}) is True
    assert parse("trend_improving(indicator.down, 'increase')").evaluate(v, {}) is False
    assert parse("trend_improving(indicator.down, 'decrease')").evaluate(v, {}) is True
    assert parse("trend_improving(indicator.flat, 'increase')").evaluate(v, {}) is False
    assert parse("no_concern(indicator.flat, 'increase')").evaluate(v, {}) is True
    assert parse("no_concern(indicator.down, 'increase')").evaluate(v, {}) is False
    short = Values(series={"indicator.up": _series([1.0, 2.0, 3.0])})
    assert parse("trend_improving(indicator.up, 'increase')").evaluate(short, {}) is None

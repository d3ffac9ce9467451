"""A measure's value on each stage-1 row: its amount (1, a summed column, or a weight) where its
filters and category hold, else 0."""

from __future__ import annotations

from typing import Any

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics.breakdown_codes import breakdown_value
from icsys.analytics.definitions.model import Filter
from icsys.analytics.families import MeasureColumn


def _field(t: ir.Table, name: str) -> ir.Value:
    if name == "sex":
        return t.sex_v
    if name == "ethnicity_group":
        return t.eth_group
    return _derived_field(t, name)


def _derived_field(t: ir.Table, name: str) -> ir.Value:
    if name in {"imd_quintile", "core20"}:
        return breakdown_value(t, name)
    if name == "imd_decile":
        return t.imd_decile
    return t[name]


def _condition(t: ir.Table, f: Filter) -> ir.BooleanValue:
    col = _field(t, f.field)
    op = f.operator
    if op == "is_null":
        return col.isnull() if f.is_null else col.notnull()
    if op == "in":
        return col.cast("string").isin(list(f.in_ or ()))
    value: Any = getattr(f, op)
    if isinstance(value, str):
        col = col.cast("string")
    return {
        "eq": lambda: col == value,
        "ne": lambda: col != value,
        "ge": lambda: col >= value,
        "gt": lambda: col > value,
        "le": lambda: col <= value,
        "lt": lambda: col < value,
    }[op]().fill_null(False)


def measure_value(t: ir.Table, col: MeasureColumn, source: str) -> ir.NumericValue:
    m = col.measure
    cond: ir.BooleanValue = ibis.literal(True)
    for f in m.where:
        cond = cond & _condition(t, f)
    if col.category is not None:
        cond = cond & (_field(t, col.category[0]).cast("string") == col.category[1])
    if source == "ons_population":
        amount: ir.NumericValue = t.weight
    elif m.value == "sum":
        amount = ibis.literal(0.0)
        for c in m.columns:
            term = t[c.lstrip("-")].cast("float64").fill_null(0.0)
            amount = amount - term if c.startswith("-") else amount + term
    else:
        amount = ibis.literal(1.0, "float64")
    return ibis.ifelse(cond, amount, ibis.literal(0.0, "float64"))

"""A person's attributes as Ibis expressions: age on a date, sex, ethnic group, ESP 2013 age
band and Bridges to Health segment (shared by every family's stage 1)."""

from __future__ import annotations

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics.sources import ETHNICITY_GROUPS, NOT_STATED, SEGMENTS, SEXES, UNKNOWN

OLDEST_AGE = 90  # ages above are counted as 90 (the ONS open band)


def tidy(t: ir.Table) -> ir.Table:
    """Drop the right-hand copies of join keys (Ibis names them ``*_right``)."""
    extra = [c for c in t.columns if c.endswith("_right")]
    return t.drop(*extra) if extra else t


def age_on(born: ir.DateValue, on: ir.DateValue) -> ir.IntegerValue:
    """Whole years from ``born`` to ``on``, capped at 90."""
    years = (on.year() - born.year()) - (
        (on.month() * 100 + on.day()) < (born.month() * 100 + born.day())
    ).cast("int64")
    return ibis.least(years, OLDEST_AGE).cast("int64")


def sex_label(code: ir.StringValue) -> ir.StringValue:
    return ibis.cases(*((code == k, v) for k, v in SEXES.items()), else_=UNKNOWN)


def ethnicity_group(code: ir.StringValue) -> ir.StringValue:
    groups: dict[str, list[str]] = {}
    for k, v in ETHNICITY_GROUPS.items():
        groups.setdefault(v, []).append(k)
    return ibis.cases(*((code.isin(ks), g) for g, ks in groups.items()), else_=NOT_STATED)


def esp_band(age: ir.IntegerValue) -> ir.IntegerValue:
    return ibis.least(age // 5, 18).cast("int64")


def segment(pop: ir.Table) -> ir.StringValue:
    """Bridges to Health segment, in the priority order of methods.segmentation's rules.

    The rules' elements as this platform's feeds carry them: end of life = cancer diagnosed in
    the last 12 months; severe frailty = aged 85+ with two or more long-term conditions;
    serious disability = learning disability; acute episode = an emergency admission in the
    last 12 months.
    """
    rules = (
        pop.recent_cancer == 1,
        (pop.has_dementia == 1) | ((pop.age >= 85) & (pop.n_ltc >= 2)),
        (pop.has_heart_failure == 1) | (pop.has_copd == 1),
        pop.has_learning_disability == 1,
        pop.n_ltc >= 1,
        pop.age == 0,
        pop.acute_12m >= 1,
    )
    return ibis.cases(*zip(rules, SEGMENTS[:-1], strict=True), else_=SEGMENTS[-1])

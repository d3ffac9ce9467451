"""The indicator definition file, as typed models (one YAML file per indicator).

An indicator is a numerator over a denominator from named sources (:mod:`icsys.analytics.sources`
lists them and the fields each offers), a method that turns the two into a value with limits,
the population basis that decides which areas a person or event counts in, the periods and
breakdowns it is published for, and its disclosure class. ``docs/indicators.md`` is generated
from these files.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from icsys.analytics.sources import BREAKDOWNS, CATEGORIES, SOURCES, Basis, PeriodType


class Method(StrEnum):
    """How a numerator and denominator become a value and its 95 % limits."""

    COUNT = "count"  # the numerator itself (no limits)
    PROPORTION = "proportion"  # numerator / denominator × multiplier, Wilson limits
    CRUDE_RATE = "crude_rate"  # numerator / denominator × multiplier, exact/Byar's limits
    DSR = "dsr"  # directly age-standardised rate (ESP 2013), Dobson limits
    RATIO = "ratio"  # numerator / denominator × multiplier, no limits (money, FTE)


class Disclosure(StrEnum):
    """``counts``: counts of people or events, suppressed and rounded in the public view.
    ``published``: already-published aggregates (provider returns), released as they are."""

    COUNTS = "counts"
    PUBLISHED = "published"


class Filter(BaseModel):
    """One condition on a field: exactly one operator is given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    eq: str | int | float | None = None
    ne: str | int | float | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    is_null: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Filter:
        given = [
            n
            for n in ("eq", "ne", "in_", "ge", "gt", "le", "lt", "is_null")
            if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                f"filter on {self.field!r} needs exactly one operator, got {given or 'none'}"
            )
        return self

    @property
    def operator(self) -> str:
        for name in ("eq", "ne", "in_", "ge", "gt", "le", "lt", "is_null"):
            if getattr(self, name) is not None:
                return name.rstrip("_")
        raise AssertionError  # pragma: no cover - the validator guarantees one


class Measure(BaseModel):
    """A numerator or denominator: what to count or sum in a source, after filters.

    ``value``: ``rows`` (events, episodes, people in a population), ``persons`` (distinct
    people), or ``sum`` with ``columns`` (a leading ``-`` subtracts the column; missing values
    count as 0). ``category_total``: the sum of the numerator over the indicator's categories.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = None
    where: tuple[Filter, ...] = ()
    value: Literal["rows", "persons", "sum"] = "rows"
    columns: tuple[str, ...] = ()
    category_total: bool = False

    @model_validator(mode="after")
    def _check(self) -> Measure:  # noqa: C901 - one list of rules, read top to bottom
        if self.category_total:
            if self.source or self.where or self.columns:
                raise ValueError("a category_total denominator takes no source, filter or columns")
            return self
        if self.source is None:
            raise ValueError("a measure needs a source (or category_total: true)")
        source = SOURCES.get(self.source)
        if source is None:
            raise ValueError(f"unknown source {self.source!r}; known: {', '.join(sorted(SOURCES))}")
        for f in self.where:
            if f.field not in source.fields:
                known = ", ".join(sorted(source.fields))
                raise ValueError(f"source {self.source!r} has no field {f.field!r}; it has {known}")
        if (self.value == "sum") != bool(self.columns):
            raise ValueError("value: sum needs columns, and only sum takes columns")
        for column in self.columns:
            if column.lstrip("-") not in source.numeric:
                raise ValueError(
                    f"source {self.source!r} has no numeric column {column.lstrip('-')!r}"
                )
        if self.value == "persons" and not source.person_level:
            raise ValueError(f"source {self.source!r} is not person-level: it cannot count persons")
        return self


class Indicator(BaseModel):
    """One indicator definition file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,63}$")
    title: str
    description: str
    domain: Literal[
        "population",
        "long_term_conditions",
        "urgent_care",
        "planned_care",
        "community_mental_health_social_care",
        "mortality",
        "cost_workforce",
    ]
    basis: Basis
    numerator: Measure
    denominator: Measure | None = None
    method: Method
    multiplier: float = 1.0
    unit: str = ""
    standard_population: Literal["esp2013"] | None = None
    improvement: Literal["increase", "decrease", "neutral"] = "neutral"
    periods: tuple[PeriodType, ...] = ("month", "quarter", "financial_year")
    breakdowns: tuple[str, ...] = ()
    category: str | None = None
    disclosure: Disclosure = Disclosure.COUNTS
    sources: str = ""

    @model_validator(mode="after")
    def _check(self) -> Indicator:  # noqa: C901, PLR0912 - one list of rules, read in order
        if self.numerator.category_total:
            raise ValueError("the numerator cannot be a category_total")
        for m in (self.numerator, self.denominator):
            if m is None or m.source is None:
                continue
            src = SOURCES[m.source]
            if self.basis not in src.bases:
                raise ValueError(f"source {src.name!r} has no {self.basis} basis")
            usable = src.fields_for(self.basis)
            for f in m.where:
                if f.field not in usable:
                    raise ValueError(
                        f"field {f.field!r} of {src.name!r} is not known on the {self.basis} basis"
                    )
        if self.method is Method.COUNT:
            if self.denominator is not None:
                raise ValueError("method count takes no denominator")
        elif self.denominator is None:
            raise ValueError(f"method {self.method} needs a denominator")
        if (
            self.denominator is not None
            and self.denominator.category_total
            and self.category is None
        ):
            raise ValueError("a category_total denominator needs a category")
        if (self.method is Method.DSR) != (self.standard_population is not None):
            raise ValueError("method dsr needs standard_population, and only dsr takes one")
        if self.method is Method.DSR and "age_band" in self.breakdowns:
            raise ValueError("an age-standardised rate cannot be broken down by age band")
        if not self.periods or len(set(self.periods)) != len(self.periods):
            raise ValueError("periods must be a non-empty list without repeats")
        measures = [self.numerator] + ([self.denominator] if self.denominator else [])
        for name in self.breakdowns:
            if name not in BREAKDOWNS:
                raise ValueError(f"unknown breakdown {name!r}; known: {', '.join(BREAKDOWNS)}")
            for m in measures:
                if m.source is not None and name not in SOURCES[m.source].breakdowns:
                    raise ValueError(f"source {m.source!r} cannot be broken down by {name}")
        if self.category is not None:
            if self.category not in CATEGORIES:
                raise ValueError(
                    f"unknown category {self.category!r}; known: {', '.join(CATEGORIES)}"
                )
            for m in measures:
                if m.source is not None and self.category not in SOURCES[m.source].fields_for(
                    self.basis
                ):
                    raise ValueError(f"source {m.source!r} has no field {self.category!r}")
        if self.method is Method.DSR and not all(
            (m.source is not None and SOURCES[m.source].person_level)
            or m.source == "ons_population"
            for m in measures
        ):
            raise ValueError("an age-standardised rate needs ages on both sides")
        return self

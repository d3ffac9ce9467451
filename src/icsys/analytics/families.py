"""The plan's model: indicators' measures grouped into *families*, one scan of a source each.

A family is (source, basis, age-banded or not): one summed column per distinct measure
(numerator or denominator, per category value) of every indicator that reads it, with the union
of their breakdowns and period types. :func:`build_plan` makes the families of a library and,
for each indicator, where its numerator and denominator come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from icsys.analytics.breakdown_codes import ALL
from icsys.analytics.definitions.loader import Library
from icsys.analytics.definitions.model import Indicator, Measure, Method
from icsys.analytics.sources import SOURCES, Basis
from icsys.feeds.codes import CLUSTERS

NO_BAND = -1


KEY_COLUMNS = (
    "period_id",
    "level",
    "area_code",
    "parent_code",
    "breakdown",
    "breakdown_value",
    "esp_band",
)


LONG_COLUMNS = ("indicator_id", *KEY_COLUMNS, "category", "numerator", "denominator")


@dataclass(frozen=True)
class MeasureColumn:
    """One summed column of a family: a measure, restricted to one category value or not."""

    name: str
    measure: Measure
    category: tuple[str, str] | None = None


@dataclass
class Family:
    """All measures read from one source on one basis."""

    source: str
    basis: Basis
    banded: bool = False  # kept by ESP 2013 age band (for age-standardised rates)
    distinct: bool = False  # counts distinct people of an event source (see by_month)
    columns: list[MeasureColumn] = field(default_factory=list)
    breakdowns: set[str] = field(default_factory=lambda: {ALL})
    period_types: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        key = f"{self.source}:{self.basis}" + (":banded" if self.banded else "")
        return key + (":distinct" if self.distinct else "")

    def column_for(self, measure: Measure, category: tuple[str, str] | None) -> str:
        for col in self.columns:
            if col.measure == measure and col.category == category:
                return col.name
        name = f"m{len(self.columns)}"
        self.columns.append(MeasureColumn(name, measure, category))
        return name


@dataclass(frozen=True)
class Part:
    """Where one side of an indicator comes from: a family's column per category value."""

    family: str
    columns: dict[str, str]  # category value ("" when none) -> column


@dataclass(frozen=True)
class IndicatorPlan:
    indicator: Indicator
    numerator: Part
    denominator: Part | None  # None: a count, or the category total of the numerator

    @property
    def sides(self) -> tuple[Part, ...]:
        """The numerator, and the denominator when it has one."""
        return (self.numerator,) if self.denominator is None else (self.numerator, self.denominator)

    @property
    def families(self) -> set[str]:
        """The families the indicator reads."""
        return {side.family for side in self.sides}


@dataclass(frozen=True)
class Plan:
    families: tuple[Family, ...]
    indicators: tuple[IndicatorPlan, ...]


def build_plan(library: Library) -> Plan:
    """Group the library's measures into families (one scan per source and basis)."""
    from icsys.analytics.sources import CATEGORIES  # noqa: PLC0415 - keep the import list short

    families: dict[str, Family] = {}
    plans = []
    for ind in library.indicators:
        sides: list[Part | None] = []
        for measure in (ind.numerator, ind.denominator):
            if measure is None or measure.category_total:
                sides.append(None)
                continue
            banded = ind.method is Method.DSR
            events = SOURCES[str(measure.source)].time == "events"
            distinct = events and measure.value == "persons"
            new = Family(str(measure.source), ind.basis, banded, distinct)
            fam = families.setdefault(new.key, new)
            fam.breakdowns.update(ind.breakdowns)
            fam.period_types.update(ind.periods)
            if ind.category is None:
                cols = {"": fam.column_for(measure, None)}
            else:
                cols = {
                    v: fam.column_for(measure, (ind.category, v)) for v in CATEGORIES[ind.category]
                }
            sides.append(Part(fam.key, cols))
        numerator = sides[0]
        assert numerator is not None  # noqa: S101 - the model forbids a category_total numerator
        plans.append(IndicatorPlan(ind, numerator, sides[1]))
    return Plan(tuple(families.values()), tuple(plans))


def period_key_kind(fam: Family) -> str:
    """What stage 1 is keyed by: a snapshot date (shared by the month, quarter and year ending
    that day), an ONS estimate year, or the period itself (events)."""
    if fam.source == "ons_population":
        return "year"
    if SOURCES[fam.source].time == "snapshot":
        return "snapshot"
    return "event"


def by_month(fam: Family) -> bool:
    """Whether a family's rows are summed by calendar month, and its periods from their months:
    activity (events counted or amounts summed), so that a quarter or a year is the sum of its
    months. Each event is counted for the person as they were at the end of its month (on the
    registered basis: the practice, age and conditions then). Distinct people counted from
    events are counted once per period, as they were at its end (:attr:`Family.distinct`)."""
    return period_key_kind(fam) == "event" and not fam.distinct


CONDITION_FIELDS = frozenset({"n_ltc", "cms_band", "segment"}) | {f"has_{c}" for c in CLUSTERS}


def condition_fields(fam: Family) -> set[str]:
    """The long-term condition and segment fields a family reads."""
    fields: set[str] = set()
    for col in fam.columns:
        fields |= {f.field for f in col.measure.where}
        if col.category is not None:
            fields.add(col.category[0])
    return fields & CONDITION_FIELDS


def needs_conditions(fam: Family) -> bool:
    """Whether a family reads long-term conditions or segments (a costlier population)."""
    return bool(condition_fields(fam))

"""The indicator plan in Ibis: every indicator, level, period and breakdown in a few queries.

Indicators are grouped into *families* by (source, basis): one family is one scan of its source,
with one summed column per distinct measure (numerator or denominator, per category) of every
indicator that reads it. Each family runs in three stages:

1. the source's rows in each period, with the person's attributes on the basis (age, sex,
   ethnic group, IMD decile of the LSOA, long-term conditions, segment…) and the *leaf* area
   (practice, LSOA or organisation) — never materialised: only one row a person (``people``
   with an integer key), the registrations and each person's first onset per condition
   cluster are cached, and a person's practice, age and conditions on a date are looked up
   from them;
2. one aggregation to (period, unit, breakdown value, ESP 2013 age band), each row once per
   breakdown, cached: small, and shared by every level (a *unit* is the leaves that share every
   area, see :meth:`_Builder.units`);
3. the unit → area mapping joined once, and one aggregation per level, unioned:
   the only result that leaves the engine (numerators and denominators per cell and age band).

Rates, standardisation, limits and SPC are computed afterwards on those small frames
(:mod:`icsys.analytics.finish`). The structure tables are built from the register as at one
date (:mod:`icsys.analytics.structure`), so history is shown on the boundaries of that date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
import pyarrow as pa

from icsys.analytics import lanes
from icsys.analytics.breakdown_codes import ALL, breakdown_value, cell_code, cell_table
from icsys.analytics.definitions.loader import Library
from icsys.analytics.definitions.model import Filter, Indicator, Measure, Method
from icsys.analytics.methods.segmentation import CMS_GENERAL_WEIGHTS
from icsys.analytics.sources import (
    CMS_BANDS,
    CMS_CLUSTER_WEIGHTS,
    ETHNICITY_GROUPS,
    LEVELS,
    LTC_CLUSTERS,
    NOT_STATED,
    SEGMENTS,
    SEXES,
    SOURCES,
    UNKNOWN,
    Basis,
)
from icsys.feeds.codes import CLUSTERS

TableGetter = Callable[[str], ir.Table]
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
LOOKBACK_DAYS = 365
OLDEST_AGE = 90  # ages above are counted as 90 (the ONS open band)


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
    columns: list[MeasureColumn] = field(default_factory=list)
    breakdowns: set[str] = field(default_factory=lambda: {ALL})
    period_types: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.basis}" + (":banded" if self.banded else "")

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
            new = Family(str(measure.source), ind.basis, banded)
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


# --- person attributes -----------------------------------------------------------------------
def _tidy(t: ir.Table) -> ir.Table:
    """Drop the right-hand copies of join keys (Ibis names them ``*_right``)."""
    extra = [c for c in t.columns if c.endswith("_right")]
    return t.drop(*extra) if extra else t


def _age(born: ir.DateValue, on: ir.DateValue) -> ir.IntegerValue:
    """Whole years from ``born`` to ``on``, capped at 90."""
    years = (on.year() - born.year()) - (
        (on.month() * 100 + on.day()) < (born.month() * 100 + born.day())
    ).cast("int64")
    return ibis.least(years, OLDEST_AGE).cast("int64")


def _sex(code: ir.StringValue) -> ir.StringValue:
    return ibis.cases(*((code == k, v) for k, v in SEXES.items()), else_=UNKNOWN)


def _ethnicity_group(code: ir.StringValue) -> ir.StringValue:
    groups: dict[str, list[str]] = {}
    for k, v in ETHNICITY_GROUPS.items():
        groups.setdefault(v, []).append(k)
    return ibis.cases(*((code.isin(ks), g) for g, ks in groups.items()), else_=NOT_STATED)


def _esp_band(age: ir.IntegerValue) -> ir.IntegerValue:
    return ibis.least(age // 5, 18).cast("int64")


# --- stage 1: rows per period with attributes --------------------------------------------------
class _Builder:
    """Builds the stage-1 relation of each family from the engine's tables."""

    def __init__(
        self,
        table: TableGetter,
        period_types: Iterable[str],
        *,
        shared: dict[str, ir.Table] | None = None,
        cache: Callable[[ir.Table], ir.Table] = lambda t: t,
        scratch: Callable[[ir.Table], ir.Table] | None = None,
        clusters: frozenset[str] | None = None,
        ends: Sequence[date] | None = None,
    ) -> None:
        self.table = table
        periods = table("periods")
        self.periods = periods.filter(periods.period_type.isin(sorted(set(period_types))))
        if ends is not None:  # only the periods ending on these days (a chunk of snapshots)
            self.periods = self.periods.filter(self.periods.end.isin(list(ends)))
        self._snaps = self.periods.select(snap=self.periods.end).distinct()
        self._all_snaps = periods.select(snap=periods.end).distinct()
        self._shared = shared if shared is not None else {}
        self._cache = cache  # tables shared by every family
        self._scratch = scratch or cache  # tables of one family, dropped after it
        self._clusters = clusters  # None: every condition flag, multimorbidity and segments

    def period_keys(self, fam: Family) -> ir.Table:
        """period_id → the key stage 1 is computed by (see :func:`period_key_kind`)."""
        p = self.periods
        kind = period_key_kind(fam)
        key = {"event": p.period_no, "snapshot": p.end, "year": p.pop_year}[kind]
        return p.select("period_id", pkey=key)

    def population(self, basis: Basis, *, full: bool) -> ir.Table:
        """The people on a basis at each snapshot date of this family's periods (with
        conditions and segments when ``full``). An expression over small cached parts (people,
        registrations, first onsets): never materialised."""
        if basis == "registered":
            base = self._registered_at(self._snaps)
        else:
            base = self._resident_leaves().cross_join(self._snaps)
        return self._attributes(base, full=full)

    def _resident_leaves(self) -> ir.Table:
        """(pid, unit): the unit of each person's LSOA of residence, people without one left
        out."""
        people = self.people()
        people = people.filter(people.lsoa_code.notnull())
        units = self.units("resident")[0]
        return _tidy(people.join(units, people.lsoa_code == units.leaf)).select("pid", "unit")

    def units(self, basis: Basis) -> tuple[ir.Table, ir.Table]:
        """(leaf → unit, unit → its code and parent at every level) of a basis, cached.

        A *unit* is the set of leaves (practices, LSOAs or organisations) that fall in the same
        area at every level of the basis: about one per PCN where there are five practices.
        Stage 2 groups by the unit's number rather than the leaf's code: fewer groups, on an
        integer key, with the same sums at every level (a unit never straddles two areas)."""
        key = f"units:{basis}"
        if key not in self._shared:
            levels = self.table(_LEAF_MAPS[basis])
            areas = [c for c in levels.columns if c != "leaf"]
            # ordering treats missing codes as equal, which an equality join would not
            unit = ibis.dense_rank().over(order_by=[levels[c] for c in areas]).cast("int64")
            ranked = levels.mutate(unit=unit)
            self._shared[key] = self._cache(ranked.select("leaf", "unit"))
            self._shared[f"{key}:areas"] = self._cache(ranked.select("unit", *areas).distinct())
        return self._shared[key], self._shared[f"{key}:areas"]

    def _unit_of_leaf(self, t: ir.Table, basis: Basis) -> ir.Table:
        """``t`` with the unit of its text ``leaf`` (null for a leaf outside the structure: the
        row is left out at stage 3, as an unknown leaf always was)."""
        units = self.units(basis)[0]
        t = _tidy(t.left_join(units, t.leaf == units.leaf))
        return t.drop("leaf")

    def people(self) -> ir.Table:
        """One row per person (cached): an integer key ``pid`` and the attributes that do not
        change with the date. Joins on ``pid`` are much cheaper than on the pseudonym."""
        if "people" not in self._shared:
            persons = self.table("persons")
            lsoa = self.table("lsoa_map").select("lsoa_code", "imd_decile")
            people = persons.mutate(
                pid=ibis.row_number().over(order_by=persons.person_id).cast("int64"),
                sex_v=_sex(persons.sex),
                eth_group=_ethnicity_group(persons.ethnicity),
            )
            people = _tidy(people.left_join(lsoa, "lsoa_code"))
            self._shared["people"] = self._cache(
                people.select(
                    "pid",
                    "person_id",
                    "date_of_birth",
                    "date_of_death",
                    "lsoa_code",
                    "sex_v",
                    "eth_group",
                    "imd_decile",
                )
            )
        return self._shared["people"]

    def _attributes(self, t: ir.Table, *, full: bool) -> ir.Table:
        """``t`` (pid, snap, ...) with the person's attributes on that date; people not alive
        on it dropped."""
        people = self.people().drop("person_id", "lsoa_code")
        t = _tidy(t.join(people, "pid"))
        t = t.filter(
            (t.date_of_birth <= t.snap) & (t.date_of_death.isnull() | (t.date_of_death > t.snap))
        )
        t = t.mutate(age=_age(t.date_of_birth, t.snap)).drop("date_of_birth", "date_of_death")
        return self._conditions(t) if full else t

    def _pids(self, t: ir.Table) -> ir.Table:
        """``t`` with the person's integer key (rows of unknown people dropped)."""
        return _tidy(t.join(self.people().select("person_id", "pid"), "person_id"))

    def _registrations(self) -> ir.Table:
        """Registrations (cached) with the person's key and whether any two of theirs overlap."""
        if "registrations" not in self._shared:
            reg = self.table("registrations")
            reg = reg.filter(reg.end_date.isnull() | (reg.end_date > reg.start_date))
            order = ibis.window(
                group_by=reg.person_id, order_by=[reg.start_date, reg.practice_code]
            )
            reg = reg.mutate(next_start_=reg.start_date.lead().over(order))
            clash = reg.next_start_.notnull() & (
                reg.end_date.isnull() | (reg.end_date > reg.next_start_)
            )
            reg = reg.mutate(clash_=clash.cast("int64"))
            reg = self._pids(reg.mutate(overlaps_=reg.clash_.max().over(group_by=reg.person_id)))
            units = self.units("registered")[0]
            reg = _tidy(reg.left_join(units, reg.practice_code == units.leaf))
            self._shared["registrations"] = self._cache(
                reg.select("pid", "practice_code", "unit", "start_date", "end_date", "overlaps_")
            )
        return self._shared["registrations"]

    def _registered_at(self, keys: ir.Table) -> ir.Table:
        """(pid, snap, unit): the practice each person is registered with on each date of
        ``keys`` (a table of ``snap``, for everyone, or of ``pid`` and ``snap``): the
        registration open that day, the latest started when several are (ties: the smallest
        practice code).

        Most people's registrations never overlap, so at most one is open at any date and a
        join finds it; only people with overlapping registrations are ranked. The practice is
        given as its unit (see :meth:`units`)."""
        reg = self._registrations()
        by_person = "pid" in keys.columns

        def at(part: ir.Table) -> ir.Table:
            on = (part.start_date <= keys.snap) & (
                part.end_date.isnull() | (part.end_date > keys.snap)
            )
            if by_person:
                on = (part.pid == keys.pid) & on
            return _tidy(part.join(keys, on))

        simple = at(reg.filter(reg.overlaps_ == 0))
        simple = simple.select("pid", "snap", "unit")
        several = at(reg.filter(reg.overlaps_ == 1))
        several = several.mutate(
            rank_=ibis.row_number().over(
                group_by=[several.pid, several.snap],
                order_by=[ibis.desc(several.start_date), several.practice_code],
            )
        )
        several = several.filter(several.rank_ == 0).select("pid", "snap", "unit")
        return simple.union(several)

    def _demographics(self, t: ir.Table, on: ir.DateValue) -> ir.Table:
        lsoa = self.table("lsoa_map").select("lsoa_code", "imd_decile")
        t = t.mutate(
            age=_age(t.date_of_birth, on),
            sex_v=_sex(t.sex),
            eth_group=_ethnicity_group(t.ethnicity),
        )
        return _tidy(t.left_join(lsoa, "lsoa_code"))

    def _condition_parts(self) -> tuple[list[str], ir.Table | None, ir.Table | None]:
        """The flags read, each person's first onset per cluster (cached), and the recent
        cancer and emergency-admission counts per person and snapshot (cached, few rows);
        the last is None when the plan reads no segment."""
        wanted = sorted(self._clusters) if self._clusters is not None else list(CLUSTERS)
        if "first_onsets" not in self._shared:
            cond = self.table("conditions")
            c = cond.filter(cond.cluster.isin(wanted))
            first = c.group_by("person_id").aggregate(
                **{f"on_{k}": c.onset_date.min(where=c.cluster == k) for k in wanted}
            )
            self._shared["first_onsets"] = self._cache(self._pids(first).drop("person_id"))
            if self._clusters is None:
                self._shared["recent"] = self._cache(self._recent(cond))
        return wanted, self._shared["first_onsets"], self._shared.get("recent")

    def _recent(self, cond: ir.Table) -> ir.Table:
        snaps = self._all_snaps
        window = snaps.snap.cast("date") - ibis.interval(days=LOOKBACK_DAYS)
        cancer = cond.filter(cond.cluster == "cancer")
        cancer = cancer.join(
            snaps, (cancer.onset_date <= snaps.snap) & (cancer.onset_date > window)
        ).select("person_id", "snap", recent_cancer=ibis.literal(1, "int64"), acute_12m=0)
        spells = self.table("hospital_spells")
        spells = spells.filter(spells.admission_type == "emergency")
        acute = spells.join(
            snaps, (spells.admission_date <= snaps.snap) & (spells.admission_date > window)
        ).select("person_id", "snap", recent_cancer=ibis.literal(0, "int64"), acute_12m=1)
        both = cancer.union(acute)
        both = both.group_by(["person_id", "snap"]).aggregate(
            recent_cancer=both.recent_cancer.max(), acute_12m=both.acute_12m.sum()
        )
        return self._pids(both).drop("person_id")

    def _conditions(self, pop: ir.Table) -> ir.Table:
        """Condition flags on each row's date from each person's first onset per cluster (a
        flag is on from its first onset); n_ltc, the CMS band and the segment when the plan
        reads them."""
        wanted, first, recent = self._condition_parts()
        if wanted:
            pop = _tidy(pop.left_join(first, "pid"))
            pop = pop.mutate(
                **{
                    f"has_{k}": (pop[f"on_{k}"] <= pop.snap).fill_null(False).cast("int64")
                    for k in wanted
                }
            ).drop(*(f"on_{k}" for k in wanted))
        if recent is None:  # only the flags the plan reads
            return pop
        pop = _tidy(pop.left_join(recent, ["pid", "snap"]))
        pop = pop.mutate(
            recent_cancer=pop.recent_cancer.fill_null(0), acute_12m=pop.acute_12m.fill_null(0)
        )
        n_ltc = sum((pop[f"has_{k}"] for k in LTC_CLUSTERS), ibis.literal(0))
        cms = sum(
            (
                pop[f"has_{k}"] * round(CMS_GENERAL_WEIGHTS[w] * 100)
                for k, w in CMS_CLUSTER_WEIGHTS.items()
            ),
            ibis.literal(0),
        )
        pop = pop.mutate(n_ltc=n_ltc.cast("int64"), cms_x100=cms.cast("int64"))
        return pop.mutate(
            cms_band=ibis.cases(
                *((pop.cms_x100 >= low, label) for low, label in reversed(CMS_BANDS))
            ),
            segment=_segment(pop),
        )

    def family_rows(self, fam: Family) -> ir.Table:
        """Stage 1 of a family: one row per source row and period, with every field."""
        src = SOURCES[fam.source]
        periods = self.periods
        if fam.source == "population":
            pop = self.population(fam.basis, full=needs_conditions(fam))
            return pop.mutate(pkey=pop.snap)
        if fam.source == "ons_population":
            ons = self.table("ons_population")
            years = periods.select(year=periods.pop_year).distinct()
            t = ons.join(years, "year")
            t = t.mutate(pkey=t.year)
            lsoa = self.table("lsoa_map").select("lsoa_code", "imd_decile")
            t = _tidy(t.left_join(lsoa, "lsoa_code"))
            t = t.mutate(
                leaf=t.lsoa_code,
                sex_v=t.sex,
                eth_group=ibis.literal(NOT_STATED),
                weight=t.population.cast("float64"),
            )
            return self._unit_of_leaf(t, fam.basis)
        if not src.person_level:
            rows = self.table(str(src.feed))
            day = rows[str(src.event_date)]
            t = rows.join(periods, (day >= periods.start) & (day <= periods.end))
            t = t.mutate(pkey=t.period_no)
            leaf = t.organisation_code if fam.source == "workforce" else t.org_code
            return self._unit_of_leaf(t.mutate(leaf=leaf), fam.basis)
        rows = self.table(str(src.feed))
        if fam.source == "deaths":
            rows = rows.filter(rows.date_of_death.notnull())
        rows = self._own_fields(fam.source, rows)
        resident_events = fam.basis == "resident" and src.time == "events"
        if not resident_events:  # the person's key, before the rows are repeated per period
            drop = [c for c in ("lsoa_code", "practice_code") if c in rows.columns]
            rows = self._pids(rows.drop(*drop))
        if src.time == "events":
            day = rows[str(src.event_date)]
            if day.type().is_timestamp():
                day = day.date()
            rows = rows.mutate(day_=day)
            t = rows.join(periods, (rows.day_ >= periods.start) & (rows.day_ <= periods.end))
            t = t.mutate(pkey=t.period_no, snap=t.end)
        else:
            start, stop = _open_columns(fam.source)
            snaps = self._snaps
            t = rows.join(
                snaps,
                (rows[start] <= snaps.snap) & (rows[stop].isnull() | (rows[stop] > snaps.snap)),
            )
            t = t.mutate(pkey=t.snap)
            if fam.source == "waiting_list":
                t = t.mutate(weeks_waiting=t.snap.delta(t.clock_start, unit="day") / 7.0)
        if resident_events:
            return self._resident_events(fam, t)
        return self._on_basis(fam, t)

    def _resident_events(self, fam: Family, t: ir.Table) -> ir.Table:
        """Events on the resident basis: the LSOA recorded on the event (else the person's),
        with the person's attributes on the event's day (a death carries its own)."""
        if fam.source == "deaths":
            t = t.mutate(leaf=t.lsoa_code)
        else:
            persons = self.table("persons")
            keep = ["person_id", "sex", "date_of_birth", "ethnicity"]
            p = persons.select(*keep, person_lsoa=persons.lsoa_code)
            t = _tidy(t.join(p, "person_id"))
            t = t.mutate(lsoa_code=t.lsoa_code.fill_null(t.person_lsoa))
            t = t.mutate(leaf=t.lsoa_code)
        t = self._demographics(t, t.day_)
        return self._unit_of_leaf(t.filter(t.leaf.notnull()), fam.basis)

    def _on_basis(self, fam: Family, t: ir.Table) -> ir.Table:
        """Rows of people (``pid``) with their unit on the family's basis and their attributes
        at each row's snapshot (people unregistered or not alive then are dropped)."""
        if fam.basis == "registered":  # the keys are read twice: cached, not computed twice
            at = self._registered_at(self._scratch(t.select("pid", "snap").distinct()))
        else:
            at = self._resident_leaves()
        t = _tidy(t.join(at, ["pid", "snap"] if fam.basis == "registered" else "pid"))
        return self._attributes(t, full=needs_conditions(fam))

    def _own_fields(self, source: str, rows: ir.Table) -> ir.Table:
        if source == "ae_attendances":
            return rows.mutate(
                wait_minutes=rows.departure_time.delta(rows.arrival_time, unit="minute")
            )
        if source == "social_care_services":
            return rows.mutate(
                long_term=rows.service_type.startswith("long_term").cast("int64"),
            )
        return rows


def period_key_kind(fam: Family) -> str:
    """What stage 1 is keyed by: a snapshot date (shared by the month, quarter and year ending
    that day), an ONS estimate year, or the period itself (events)."""
    if fam.source == "ons_population":
        return "year"
    if SOURCES[fam.source].time == "snapshot":
        return "snapshot"
    return "event"


def _open_columns(source: str) -> tuple[str, str]:
    return {
        "waiting_list": ("clock_start", "clock_stop"),
        "social_care_services": ("start_date", "end_date"),
    }[source]


def _segment(pop: ir.Table) -> ir.StringValue:
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


# --- measures ---------------------------------------------------------------------------------
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


def _measure_value(t: ir.Table, col: MeasureColumn, source: str) -> ir.NumericValue:
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


# --- stages 2 and 3 ---------------------------------------------------------------------------
def family_expression(
    fam: Family, builder: _Builder, packed: Sequence[lanes.Pair] = ()
) -> ir.Table:
    """Stage 1 and 2: the family's measures per (period, unit, breakdown value, age band),
    the ``packed`` pairs of counts two to a column (see :mod:`icsys.analytics.lanes`)."""
    src = SOURCES[fam.source]
    t = builder.family_rows(fam)
    measures = {c.name: _measure_value(t, c, fam.source) for c in fam.columns}
    measures = lanes.pack(measures, packed)
    persons = [c.name for c in fam.columns if c.measure.value == "persons"]
    has_age = src.person_level or fam.source == "ons_population"
    base = t.mutate(
        **measures,
        esp_band=_esp_band(t.age) if fam.banded else ibis.literal(NO_BAND, "int64"),
    )
    kind = period_key_kind(fam)
    # months are published as totals only (breakdowns from quarters up)
    if kind == "event":
        detail = base.period_type != "month"
    elif kind == "snapshot":
        detail = base.snap.month().isin([3, 6, 9, 12])
    else:
        detail = ibis.literal(True)
    base = base.mutate(detail_=detail)
    if persons and fam.source != "population":  # the population has one row a person
        # distinct people: one row per person, period and cell (a person is in one cell)
        who = "pid" if "pid" in base.columns else "person_id"
        keys = ["pkey", "detail_", who, "unit", "esp_band"]
        base = base.group_by([*keys, "age", "sex_v", "eth_group", "imd_decile"]).aggregate(
            **{
                name: (base[name].max() if name in persons else base[name].sum())
                for name in measures
            }
        )
    # only what the fan-out reads: DuckDB carries every column through an unnest
    attrs = [c for c in ("age", "sex_v", "eth_group", "imd_decile") if c in base.columns]
    base = base.select("pkey", "detail_", "unit", "esp_band", *attrs, *measures)
    breakdowns = sorted(fam.breakdowns) if src.person_level or has_age else [ALL]
    # one scan: each row once per breakdown (an unnested array of breakdown numbers), one
    # aggregation on integer keys (see icsys.analytics.breakdown_codes)
    listed = ibis.ifelse(
        base.detail_, ibis.array(list(range(len(breakdowns)))), ibis.array([breakdowns.index(ALL)])
    )
    base = base.mutate(b_=listed.unnest())
    cell = ibis.cases(*((base.b_ == i, cell_code(base, b)) for i, b in enumerate(breakdowns)))
    base = base.mutate(cell=cell)
    return base.group_by(["pkey", "unit", "cell", "esp_band"]).aggregate(
        **{name: base[name].sum() for name in measures}
    )


def rollup_expression(
    cells: ir.Table, fam: Family, areas: ir.Table, period_keys: ir.Table
) -> ir.Table:
    """Stage 3: the cells joined to their unit's areas and summed at every level of the
    basis."""
    joined = _tidy(cells.join(areas, "unit"))
    measures = [c.name for c in fam.columns]
    parts = []
    for level in LEVELS[fam.basis]:
        code, parent = f"{level}_code", f"{level}_parent"
        if code not in areas.columns:
            continue
        sel = joined.filter(joined[code].notnull())
        parts.append(
            sel.group_by(
                [
                    sel.pkey,
                    sel[code].name("area_code"),
                    sel[parent].name("parent_code"),
                    sel.cell,
                    sel.esp_band,
                ]
            )
            .aggregate(**{m: sel[m].sum() for m in measures})
            .mutate(level=ibis.literal(level))
        )
    rolled = ibis.union(*parts)
    rolled = _tidy(rolled.join(period_keys, "pkey"))
    rolled = _tidy(rolled.join(cell_table(), "cell"))
    return rolled.select(*KEY_COLUMNS, *measures)


def run_family(
    fam: Family,
    table: TableGetter,
    *,
    cache: Callable[[ir.Table], ir.Table],
    execute: Callable[[ir.Table], pa.Table],
    drop: Callable[[ir.Table], None],
    shared: dict[str, ir.Table] | None = None,
    clusters: frozenset[str] | None = None,
) -> pa.Table:
    """Run one family on an engine: stages 1-2 cached (the population a chunk of period ends
    at a time, see :data:`PERSON_DATES_AT_ONCE`), stage 3 executed to Arrow. The family's own
    cached tables are dropped once its result is out (at 10M people they would otherwise
    pile up in the engine, and spill, family after family)."""
    scratch: list[ir.Table] = []

    def keep(expr: ir.Table) -> ir.Table:
        scratch.append(cache(expr))
        return scratch[-1]

    def builder_for(ends: Sequence[date] | None) -> _Builder:
        return _Builder(
            table,
            fam.period_types,
            ends=ends,
            shared=shared,
            cache=cache,
            scratch=keep,
            clusters=clusters,
        )

    builder = builder_for(None)
    chunks: list[list[date]] = []
    packed: tuple[lanes.Pair, ...] = ()
    if fam.source == "population":
        persons = _person_count(builder, execute)
        chunks = _snapshot_chunks(builder, execute, persons)
        if lanes.can_pack(persons):
            packed = lanes.pairs([c.name for c in fam.columns if c.measure.value != "sum"])
    if len(chunks) <= 1:
        cells = keep(family_expression(fam, builder, packed))
    else:
        parts = (keep(family_expression(fam, builder_for(c), packed)) for c in chunks)
        cells = ibis.union(*parts)
    cells = lanes.unpack(cells, packed)
    areas = builder.units(fam.basis)[1]
    result = execute(rollup_expression(cells, fam, areas, builder.period_keys(fam)))
    for t in scratch:
        drop(t)
    return result


PERSON_DATES_AT_ONCE = 40_000_000
"""How many people × period ends a population family aggregates in one query (one chunk up to
about 1.5 million people). Each row is repeated per breakdown and summed into one column per
measure (41 for the whole library): at 10 million people and 26 period ends in one query
DuckDB's aggregation spilled more than the disk's 38 GB. Chunks bound each query's rows; the
whole library at 10M has not yet been shown to stay within the disk with them."""


def _snapshot_chunks(
    builder: _Builder, execute: Callable[[ir.Table], pa.Table], persons: int
) -> list[list[date]]:
    """A population family's period ends in chunks of at most :data:`PERSON_DATES_AT_ONCE`
    person-dates."""
    ends = sorted(execute(builder.periods.select("end").distinct()).column("end").to_pylist())
    size = max(1, PERSON_DATES_AT_ONCE // max(1, persons))
    return [ends[i : i + size] for i in range(0, len(ends), size)]


def _person_count(builder: _Builder, execute: Callable[[ir.Table], pa.Table]) -> int:
    people = builder.people()
    return int(execute(people.aggregate(n=people.pid.count())).column("n")[0].as_py() or 0)


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


def _clusters(plan: Plan) -> frozenset[str] | None:
    """The condition flags the plan reads, or None when it needs them all (multimorbidity,
    the CMS or segments)."""
    fields = set().union(*(condition_fields(f) for f in plan.families))
    if fields & {"n_ltc", "cms_band", "segment"}:
        return None
    return frozenset(f.removeprefix("has_") for f in fields)


def run_plan(
    plan: Plan,
    table: TableGetter,
    *,
    cache: Callable[[ir.Table], ir.Table],
    execute: Callable[[ir.Table], pa.Table],
    drop: Callable[[ir.Table], None],
) -> dict[str, pa.Table]:
    """Every family of the plan; the people, registrations and first onsets are cached once
    and shared, each family's own cached tables dropped after it."""
    clusters = _clusters(plan)
    shared: dict[str, ir.Table] = {}
    return {
        fam.key: run_family(
            fam,
            table,
            cache=cache,
            execute=execute,
            drop=drop,
            shared=shared,
            clusters=clusters,
        )
        for fam in plan.families
    }


_LEAF_MAPS: dict[str, str] = {
    "registered": "practice_levels",
    "resident": "lsoa_levels",
    "provider": "org_levels",
}


LONG_COLUMNS = ("indicator_id", *KEY_COLUMNS, "category", "numerator", "denominator")


def needed_tables() -> Sequence[str]:
    """Every table name a plan may ask an engine for."""
    feeds = sorted(
        {str(s.feed) for s in SOURCES.values() if s.feed} | {"registrations", "conditions"}
    )
    return [
        *feeds,
        "periods",
        "lsoa_map",
        "practice_levels",
        "lsoa_levels",
        "org_levels",
        "ons_population",
    ]

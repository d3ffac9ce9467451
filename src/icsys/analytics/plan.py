"""The indicator plan in Ibis: every indicator, level, period and breakdown in a few queries.

Indicators are grouped into *families* by (source, basis): one family is one scan of its source,
with one summed column per distinct measure (numerator or denominator, per category) of every
indicator that reads it. Each family runs in three stages:

1. the source's rows in each period, with the person's attributes on the basis (age, sex,
   ethnic group, IMD decile of the LSOA, long-term conditions, segment…) and the *leaf* area
   (practice, LSOA or organisation) — never materialised: only one row a person (``people``
   with an integer key), the registrations and each person's first onset per condition
   cluster are cached, and a person's practice, age and conditions on a date are looked up
   from them; a population family of many period ends takes each person once per *span* of
   period ends over which nothing it reads changes (:mod:`icsys.analytics.spans`), and
   activity (events counted, amounts summed) is taken once, in its calendar month
   (:func:`icsys.analytics.families.by_month`);
2. one aggregation to (period, unit, breakdown value, ESP 2013 age band) — for activity, to
   (month, …) and each period summed from its months — each row once per
   breakdown that cannot be summed from another (the IMD quintile and Core20 are sums of
   deciles, ``all`` of any breakdown's values: :func:`icsys.analytics.breakdown_codes.fan_out`),
   cached with those sums: small, and shared by every level (a *unit* is the leaves that share
   every area, see :meth:`icsys.analytics.people.People.units`);
3. the unit → area mapping joined once, and one aggregation per level, unioned:
   the only result that leaves the engine (numerators and denominators per cell and age band).

Rates, standardisation, limits and SPC are computed afterwards on those small frames
(:mod:`icsys.analytics.finish`). The structure tables are built from the register as at one
date (:mod:`icsys.analytics.structure`), so history is shown on the boundaries of that date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.compute as pc

from icsys.analytics import lanes
from icsys.analytics.coded import Dictionaries, area_dictionary, decode
from icsys.analytics.families import Family, Plan, condition_fields
from icsys.analytics.people import TableGetter
from icsys.analytics.rows import Rows
from icsys.analytics.sources import LEVELS, SOURCES
from icsys.analytics.spans import spans_apply
from icsys.analytics.stages import (
    family_expression,
    rollup_expression,
    span_expression,
    with_derived_cells,
)


def run_family(
    fam: Family,
    table: TableGetter,
    *,
    cache: Callable[[ir.Table], ir.Table],
    execute: Callable[[ir.Table], pa.Table],
    drop: Callable[[ir.Table], None],
    shared: dict[str, ir.Table] | None = None,
    clusters: frozenset[str] | None = None,
    known_by: dict[str, pa.Array] | None = None,
) -> pa.Table:
    """Run one family on an engine: stages 1-2 cached (the population by spans, see
    :mod:`icsys.analytics.spans`, or else a chunk of period ends at a time, see
    :data:`PERSON_DATES_AT_ONCE`), stage 3 executed to Arrow. The family's own
    cached tables are dropped once its result is out (at 10M people they would otherwise
    pile up in the engine, and spill, family after family). The result's keys come back as
    numbers and are decoded here (:mod:`icsys.analytics.coded`; ``known_by`` keeps the
    dictionaries between families)."""
    scratch: list[ir.Table] = []

    def keep(expr: ir.Table) -> ir.Table:
        scratch.append(cache(expr))
        return scratch[-1]

    def builder_for(ends: Sequence[date] | None) -> Rows:
        return Rows(
            table,
            fam.period_types,
            ends=ends,
            shared=shared,
            cache=cache,
            clusters=clusters,
        )

    builder = builder_for(None)
    packed = lanes.NONE
    if fam.source != "population":
        cells = keep(family_expression(fam, builder))
    else:
        persons = _person_count(builder, execute)
        ends = _snapshots(builder, execute)
        largest = min(persons, _most_in_a_unit(builder, fam, execute))
        counts = [c.name for c in fam.columns if c.measure.value != "sum"]
        packed = lanes.packing(counts, largest)
        if spans_apply(fam, ends):
            cells = keep(span_expression(fam, builder, ends, packed))
        elif len(chunks := _snapshot_chunks(ends, persons)) > 1:  # person-dates, in chunks
            parts = (keep(family_expression(fam, builder_for(c), packed)) for c in chunks)
            cells = ibis.union(*parts)
        else:
            cells = keep(family_expression(fam, builder, packed))
    cells = lanes.unpack(with_derived_cells(cells, fam, keep), packed)
    areas = builder.units(fam.basis)[1]
    result = execute(rollup_expression(cells, fam, areas, builder.period_keys(fam)))
    known = _dictionaries(fam, builder, execute, known_by if known_by is not None else {})
    for t in scratch:
        drop(t)
    return decode(result, known, [c.name for c in fam.columns])


def _dictionaries(
    fam: Family,
    builder: Rows,
    execute: Callable[[ir.Table], pa.Table],
    known_by: dict[str, pa.Array],
) -> Dictionaries:
    """What a family's numbers stand for: the period ids and the basis's area codes, each
    read from the engine once a run (``known_by`` keeps them)."""
    if "periods" not in known_by:
        periods = execute(builder.table("periods").select("period_no", "period_id"))
        order = pc.sort_indices(periods, sort_keys=[("period_no", "ascending")])
        known_by["periods"] = periods.take(order).column("period_id").combine_chunks()
    key = f"areas:{fam.basis}"
    if key not in known_by:
        known_by[key] = area_dictionary(execute(builder.area_numbers(fam.basis)))
    return Dictionaries(known_by["periods"], LEVELS[fam.basis], known_by[key])


PERSON_DATES_AT_ONCE = 40_000_000
"""How many people × period ends a population family aggregates in one query (one chunk up to
about 1.5 million people). Each row is repeated per breakdown and summed into one column per
measure (41 for the whole library, summed several to a column): chunks bound each query's rows.
With them, and each family's cached tables dropped after it, the whole library at 10 million
people runs without spilling (docs/benchmarks.md)."""


def _snapshots(builder: Rows, execute: Callable[[ir.Table], pa.Table]) -> list[date]:
    """A population family's period ends, in order."""
    return sorted(execute(builder.periods.select("end").distinct()).column("end").to_pylist())


def _snapshot_chunks(ends: list[date], persons: int) -> list[list[date]]:
    """A population family's period ends in chunks of at most :data:`PERSON_DATES_AT_ONCE`
    person-dates."""
    size = max(1, PERSON_DATES_AT_ONCE // max(1, persons))
    return [ends[i : i + size] for i in range(0, len(ends), size)]


def _person_count(builder: Rows, execute: Callable[[ir.Table], pa.Table]) -> int:
    people = builder.people()
    return _number(execute, people.aggregate(n=people.pid.count()))


def _most_in_a_unit(builder: Rows, fam: Family, execute: Callable[[ir.Table], pa.Table]) -> int:
    """The most people a stage-2 group of a population family can count (see
    :meth:`icsys.analytics.people.People.unit_sizes`)."""
    sizes = builder.unit_sizes(fam.basis)
    return _number(execute, sizes.aggregate(n=sizes.n.max()))


def _number(execute: Callable[[ir.Table], pa.Table], one: ir.Table) -> int:
    """The whole number in column ``n`` of a one-row table (0 when missing)."""
    return int(execute(one).column("n")[0].as_py() or 0)


def _clusters(plan: Plan) -> frozenset[str] | None:
    """The condition flags the plan reads, or None when it needs them all (multimorbidity,
    the CMS or segments)."""
    fields = set().union(*(condition_fields(f) for f in plan.families))
    if fields & {"n_ltc", "cms_band", "segment"}:
        return None
    return frozenset(f.removeprefix("has_") for f in fields)


def iter_families(
    plan: Plan,
    table: TableGetter,
    *,
    cache: Callable[[ir.Table], ir.Table],
    execute: Callable[[ir.Table], pa.Table],
    drop: Callable[[ir.Table], None],
) -> Iterator[tuple[str, pa.Table]]:
    """Every family of the plan, each (key, result) as soon as it is computed; the people,
    registrations and first onsets are cached once and shared, each family's own cached tables
    dropped after it."""
    clusters = _clusters(plan)
    shared: dict[str, ir.Table] = {}
    known_by: dict[str, pa.Array] = {}
    for fam in plan.families:
        yield (
            fam.key,
            run_family(
                fam,
                table,
                cache=cache,
                execute=execute,
                drop=drop,
                shared=shared,
                clusters=clusters,
                known_by=known_by,
            ),
        )


def needed_tables() -> Sequence[str]:
    """Every table name a plan may ask an engine for."""
    feeds = sorted(
        {str(s.feed) for s in SOURCES.values() if s.feed} | {"registrations", "conditions"}
    )
    return [
        *feeds,
        "periods",
        "months",
        "period_months",
        "lsoa_map",
        "practice_levels",
        "lsoa_levels",
        "org_levels",
        "ons_population",
    ]

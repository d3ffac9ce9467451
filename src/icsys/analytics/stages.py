"""Stages 2 and 3 of a family: the measures summed per (period, unit, breakdown cell, age band),
then at every level of the basis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics import lanes
from icsys.analytics.attributes import esp_band, tidy
from icsys.analytics.breakdown_codes import ALL, CELLS, cell_code, fan_out
from icsys.analytics.coded import CODED_KEYS
from icsys.analytics.families import (
    NO_BAND,
    Family,
    by_month,
    needs_conditions,
    period_key_kind,
)
from icsys.analytics.measures import measure_value
from icsys.analytics.rows import Rows
from icsys.analytics.sources import LEVELS, SOURCES
from icsys.analytics.spans import age_breaks


def family_expression(fam: Family, builder: Rows, packed: lanes.Packing = lanes.NONE) -> ir.Table:
    """Stage 1 and 2: the family's measures per (period, unit, breakdown cell, age band),
    counts ``packed`` several to a column (see :mod:`icsys.analytics.lanes`)."""
    base, measures = _measured(fam, builder.family_rows(fam), packed)
    if by_month(fam):
        return _by_month(fam, builder, base, measures)
    persons = [c.name for c in fam.columns if c.measure.value == "persons"]
    kind = period_key_kind(fam)
    # months are published as totals only (breakdowns from quarters up)
    if kind == "event":
        detail = base.period_type != "month"
    elif kind == "snapshot":
        detail = _quarter_end(base.snap)
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
    base = _fan_out_input(base, measures, "pkey", "detail_")
    # one scan: each row once per breakdown repeated for (the unnested array of its cell
    # codes, see icsys.analytics.breakdown_codes), one aggregation on integer keys
    every = ibis.array([cell_code(base, b) for b in fan_out(_breakdowns(fam))[0]])
    listed = ibis.ifelse(base.detail_, every, ibis.array([cell_code(base, ALL)]))
    base = base.mutate(cell=listed.unnest())
    return base.group_by(["pkey", "unit", "cell", "esp_band"]).aggregate(
        **{name: base[name].sum() for name in measures}
    )


def _by_month(fam: Family, builder: Rows, base: ir.Table, measures: list[str]) -> ir.Table:
    """Stage 2 of activity (:func:`icsys.analytics.families.by_month`): each row in its cells
    (with the total when months are published), summed per (month, unit, cell, age band), then
    each period summed from its months, months as totals only."""
    fine = fan_out(_breakdowns(fam))[0]
    wanted = [*fine, ALL] if "month" in fam.period_types else fine
    base = _fan_out_input(base, measures, "pkey")
    codes = [cell_code(base, b) for b in dict.fromkeys(wanted)]
    base = base.mutate(cell=ibis.array(codes).unnest())
    keys = ["unit", "cell", "esp_band"]
    monthly = base.group_by(["pkey", *keys]).aggregate(
        **{name: base[name].sum() for name in measures}
    )
    months = builder.period_months()
    t = tidy(monthly.join(months, monthly.pkey == months.month_no))
    t = t.filter(_published(t.cell, t.period_type != "month", fine))
    return t.group_by([t.period_no.name("pkey"), *keys]).aggregate(
        **{name: t[name].sum() for name in measures}
    )


def _fan_out_input(base: ir.Table, measures: list[str], *keys: str) -> ir.Table:
    """Only what the fan-out reads (DuckDB carries every column through an unnest): ``keys``,
    the unit, the age band, the attributes the cells are coded from and the measures."""
    attrs = [c for c in ("age", "sex_v", "eth_group", "imd_decile") if c in base.columns]
    return base.select(*keys, "unit", "esp_band", *attrs, *measures)


def _published(cell: ir.IntegerValue, detail: ir.BooleanValue, fine: list[str]) -> ir.BooleanValue:
    """Whether a row of stage 2, coded in the ``fine`` cells and the total, is kept: with
    ``detail`` (quarters and years) the fine cells (the total too when it is one of them: else
    it is summed from them later), otherwise (months) the total only."""
    total = CELLS.index((ALL, ALL))
    in_detail = ibis.literal(True) if ALL in fine else cell != total
    return ibis.ifelse(detail, in_detail, cell == total)


def _quarter_end(snap: ir.DateValue) -> ir.BooleanValue:
    """Whether a period end is a quarter's: the snapshots with breakdowns (months are totals
    only)."""
    return snap.month().isin([3, 6, 9, 12])


def _measured(fam: Family, t: ir.Table, packed: lanes.Packing) -> tuple[ir.Table, list[str]]:
    """Stage 1's rows with the family's measures (counts ``packed``) and ESP 2013 age band."""
    measures = lanes.pack({c.name: measure_value(t, c, fam.source) for c in fam.columns}, packed)
    base = t.mutate(
        **measures,
        esp_band=esp_band(t.age) if fam.banded else ibis.literal(NO_BAND, "int64"),
    )
    return base, list(measures)


def span_expression(
    fam: Family, builder: Rows, ends: Sequence[date], packed: lanes.Packing = lanes.NONE
) -> ir.Table:
    """Stage 1 and 2 of a population family from its spans (:mod:`icsys.analytics.spans`):
    the same rows as :func:`family_expression`'s.

    Each span counts +1 in its cells at its first period end and -1 at the period end after
    its last (none when it lasts to the end); a running sum over the period ends of each
    (unit, cell, age band) gives the counts at every period end, each kept until the next
    change. A row is kept where people are counted (the running count of spans), as a
    grouping of person-dates keeps the groups that have rows. Months are totals only, as in
    :func:`family_expression`.

    Exact: the counts are whole numbers, and no partial sum passes what a period end's count
    can reach (the people entering, or leaving, a group at one period end were all in it at
    that end or the one before), so packed lanes stay exact too (see :mod:`icsys.analytics.lanes`).
    """
    n = len(ends)
    t = builder.spans(fam.basis, ends, full=needs_conditions(fam), ages=age_breaks(fam))
    base, measures = _measured(fam, t, packed)
    fine = fan_out(_breakdowns(fam))[0]
    codes = [cell_code(base, b) for b in dict.fromkeys([*fine, ALL])]
    # one unnest of every (cell, edge): cell * width + the edge's position, exits after n
    width = 2 * n + 1
    starts = [c * width + base.from_ for c in codes]
    stops = [c * width + n + base.to_ for c in codes]
    listed = ibis.ifelse(base.to_ < n, ibis.array(starts + stops), ibis.array(starts))
    base = base.select("unit", "esp_band", *measures, code_=listed.unnest())
    edge = base.code_ % width
    base = base.mutate(
        cell=(base.code_ // width).cast("int32"),
        at_=ibis.ifelse(edge < n, edge, edge - n),
        sign_=ibis.ifelse(edge < n, 1.0, -1.0),
    )
    keys = ["unit", "cell", "esp_band"]
    deltas = base.group_by(["at_", *keys]).aggregate(
        rows_=base.sign_.sum(), **{m: (base[m] * base.sign_).sum() for m in measures}
    )
    running = ibis.cumulative_window(group_by=keys, order_by="at_")
    order = ibis.window(group_by=keys, order_by="at_")
    deltas = deltas.select(
        *keys,
        "at_",
        next_=deltas.at_.lead().over(order).fill_null(n),
        rows_=deltas.rows_.sum().over(running),
        **{m: deltas[m].sum().over(running) for m in measures},
    )
    ends_at = builder.snapshot_positions()
    out = deltas.join(ends_at, (ends_at.bp >= deltas.at_) & (ends_at.bp < deltas.next_))
    out = out.filter((out.rows_ > 0) & _published(out.cell, _quarter_end(out.snap), fine))
    return out.select(
        pkey=out.snap,
        unit=out.unit,
        cell=out.cell,
        esp_band=out.esp_band,
        **{m: out[m] for m in measures},
    )


def _breakdowns(fam: Family) -> list[str]:
    """The family's breakdowns, or ``all`` alone for a source without people's attributes."""
    src = SOURCES[fam.source]
    has_age = src.person_level or fam.source == "ons_population"
    return sorted(fam.breakdowns) if has_age else [ALL]


def with_derived_cells(
    cells: ir.Table, fam: Family, cache: Callable[[ir.Table], ir.Table]
) -> ir.Table:
    """Stage 2's ``cells`` with the breakdowns not repeated for (see
    :func:`icsys.analytics.breakdown_codes.fan_out`) summed from those that were, ``cache``d."""
    pairs = fan_out(_breakdowns(fam))[1]
    measures = [c for c in cells.columns if c not in {"pkey", "unit", "cell", "esp_band"}]
    parts = []
    for breakdown in dict.fromkeys(CELLS[d][0] for _s, d in pairs):
        mine = [(s, d) for s, d in pairs if CELLS[d][0] == breakdown]
        part = cells.filter(cells.cell.isin([s for s, _d in mine]))
        derived = ibis.cases(*((part.cell == s, d) for s, d in mine)).cast("int32")
        part = part.mutate(cell=derived)
        parts.append(
            part.group_by(["pkey", "unit", "cell", "esp_band"])
            .aggregate(**{m: part[m].sum().cast(cells[m].type()) for m in measures})
            .select(*cells.columns)
        )
    if not parts:
        return cells
    return cells.union(cache(ibis.union(*parts)))


def rollup_expression(
    cells: ir.Table, fam: Family, areas: ir.Table, period_keys: ir.Table
) -> ir.Table:
    """Stage 3: the cells joined to their unit's areas and summed at every level of the
    basis, keyed by numbers (:data:`icsys.analytics.coded.CODED_KEYS`)."""
    joined = tidy(cells.join(areas, "unit"))
    measures = [c.name for c in fam.columns]
    parts = []
    for number, level in enumerate(LEVELS[fam.basis]):
        code, parent = f"{level}_code_no", f"{level}_parent_no"
        if code not in areas.columns:
            continue
        sel = joined.filter(joined[code].notnull())
        parts.append(
            sel.group_by(
                [
                    sel.pkey,
                    sel[code].name("area_no"),
                    sel[parent].name("parent_no"),
                    sel.cell,
                    sel.esp_band,
                ]
            )
            .aggregate(**{m: sel[m].sum() for m in measures})
            .mutate(level_no=ibis.literal(number, "int8"))
        )
    rolled = ibis.union(*parts)
    rolled = tidy(rolled.join(period_keys, "pkey"))
    return rolled.select(*CODED_KEYS, *measures)

"""Stages 2 and 3 of a family: the measures summed per (period, unit, breakdown cell, age band),
then at every level of the basis."""

from __future__ import annotations

from collections.abc import Sequence

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics import lanes
from icsys.analytics.attributes import esp_band, tidy
from icsys.analytics.breakdown_codes import ALL, cell_code, cell_table
from icsys.analytics.families import KEY_COLUMNS, NO_BAND, Family, period_key_kind
from icsys.analytics.measures import measure_value
from icsys.analytics.rows import Rows
from icsys.analytics.sources import LEVELS, SOURCES


def family_expression(fam: Family, builder: Rows, packed: Sequence[lanes.Pair] = ()) -> ir.Table:
    """Stage 1 and 2: the family's measures per (period, unit, breakdown cell, age band),
    the ``packed`` pairs of counts two to a column (see :mod:`icsys.analytics.lanes`)."""
    src = SOURCES[fam.source]
    t = builder.family_rows(fam)
    measures = {c.name: measure_value(t, c, fam.source) for c in fam.columns}
    measures = lanes.pack(measures, packed)
    persons = [c.name for c in fam.columns if c.measure.value == "persons"]
    has_age = src.person_level or fam.source == "ons_population"
    base = t.mutate(
        **measures,
        esp_band=esp_band(t.age) if fam.banded else ibis.literal(NO_BAND, "int64"),
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
    # one scan: each row once per breakdown (the unnested array of its cell codes, see
    # icsys.analytics.breakdown_codes), one aggregation on integer keys
    every = ibis.array([cell_code(base, b) for b in breakdowns])
    listed = ibis.ifelse(base.detail_, every, ibis.array([cell_code(base, ALL)]))
    base = base.mutate(cell=listed.unnest())
    return base.group_by(["pkey", "unit", "cell", "esp_band"]).aggregate(
        **{name: base[name].sum() for name in measures}
    )


def rollup_expression(
    cells: ir.Table, fam: Family, areas: ir.Table, period_keys: ir.Table
) -> ir.Table:
    """Stage 3: the cells joined to their unit's areas and summed at every level of the
    basis."""
    joined = tidy(cells.join(areas, "unit"))
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
    rolled = tidy(rolled.join(period_keys, "pkey"))
    rolled = tidy(rolled.join(cell_table(), "cell"))
    return rolled.select(*KEY_COLUMNS, *measures)

"""Family results → the long frame, in one DuckDB query over Arrow tables.

One row per indicator, cell, category and age band with the numerator and denominator side by
side (a denominator from another family joined on the cell), restricted to the indicator's own
periods and breakdowns (months as totals only). The text columns come back as pandas
categoricals with sorted categories, so the steps after (:mod:`icsys.analytics.finish`,
:mod:`icsys.analytics.public`) group and sort on small integer codes instead of Python strings.
"""

from __future__ import annotations

import os
import tempfile

import duckdb
import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.compute as pc

from icsys.analytics.breakdown_codes import ALL
from icsys.analytics.definitions.model import Method
from icsys.analytics.families import KEY_COLUMNS, LONG_COLUMNS, NO_BAND, IndicatorPlan, Plan
from icsys.analytics.methods.dsr import ESP2013_WEIGHTS

TEXT_COLUMNS = ("indicator_id", *(k for k in KEY_COLUMNS if k != "esp_band"), "category")
_NO_PARENT = "\x00"  # stands for a missing parent in joins (DuckDB joins never match NULLs)


def default_memory_limit() -> str:
    """A quarter of the machine's memory, for each DuckDB connection (the engine's and this
    module's): DuckDB spills to a temporary folder past it, which keeps a 10-million-person
    run's peak within bounds."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, total // 4 // 2**20)}MB"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


STANDARDISED_COLUMNS = ("dsr_weight", "dsr_sum", "dsr_var")
"""Of an age-standardised indicator's cell when the long frame is built standardised (else
NULL): the standard weight of the bands with population (NULL when a band has events but no
population), the sum of events x weight / population and of events x (weight / population)^2
over them. With the cell's numerator and denominator, all Dobson's limits need."""


def _standardised(sql: str) -> str:
    """``sql`` (an age-standardised indicator's rows per band) summed over the bands."""
    weights = ", ".join(str(w) for w in ESP2013_WEIGHTS)
    keys = [c for c in LONG_COLUMNS if c not in {"esp_band", "numerator", "denominator"}]
    ratio = "(CASE WHEN d_ > 0 THEN w_ / d_ END)"
    return (
        f"SELECT {', '.join(keys)}, CAST({NO_BAND} AS BIGINT) AS esp_band, "
        "sum(n_) AS numerator, sum(d_) AS denominator, "
        f"CASE WHEN bool_or(d_ <= 0 AND n_ > 0) THEN NULL "
        f"ELSE coalesce(sum(CASE WHEN d_ > 0 THEN w_ END), 0) END AS dsr_weight, "
        f"coalesce(sum(n_ * {ratio}), 0) AS dsr_sum, "
        f"coalesce(sum(n_ * {ratio} * {ratio}), 0) AS dsr_var "
        f"FROM (SELECT *, coalesce(numerator, 0) AS n_, coalesce(denominator, 0) AS d_, "
        f"CAST([{weights}][esp_band + 1] AS DOUBLE) AS w_ FROM ({sql}) WHERE esp_band >= 0) "
        f"GROUP BY {', '.join(keys)}"
    )


def _select(
    ip: IndicatorPlan, names: dict[str, str], period_ids: list[str], *, standardise: bool = False
) -> list[str]:
    ind = ip.indicator
    num = names[ip.numerator.family]
    keys = [k for k in KEY_COLUMNS if k != "parent_code"]
    if ip.denominator is None or ip.denominator.family == ip.numerator.family:
        source = f"{num} AS n"
        key_sql = [f"n.{k}" for k in keys] + ["n.parent_code"]
        den_alias = "n"
    else:
        den = names[ip.denominator.family]
        on = " AND ".join(f"n.{k} = d.{k}" for k in KEY_COLUMNS)
        source = f"{num} AS n FULL OUTER JOIN {den} AS d ON {on}"
        key_sql = [f"coalesce(n.{k}, d.{k})" for k in [*keys, "parent_code"]]
        den_alias = "d"
    own = [p for p in period_ids if p.split(":", 1)[0] in ind.periods]
    months = [p for p in own if p.startswith("month:")]  # published as totals only
    shown = ", ".join(_quote(b) for b in (ALL, *ind.breakdowns))
    period, breakdown = key_sql[0], key_sql[keys.index("breakdown")]
    where = (
        f"{period} IN ({', '.join(map(_quote, own))}) AND {breakdown} IN ({shown})"
        if own
        else "FALSE"
    )
    if months:
        listed = ", ".join(map(_quote, months))
        where += f" AND ({period} NOT IN ({listed}) OR {breakdown} = {_quote(ALL)})"
    out = []
    for category, num_col in ip.numerator.columns.items():
        if ip.denominator is None:
            den_sql = "CAST(NULL AS DOUBLE)"
        else:
            den_col = ip.denominator.columns.get(category, ip.denominator.columns.get(""))
            den_sql = f"CAST({den_alias}.{den_col} AS DOUBLE)"
        cols = [f"{s} AS {k}" for s, k in zip(key_sql, [*keys, "parent_code"], strict=True)]
        sql = (
            f"SELECT CAST({_quote(ind.id)} AS {_ENUM}indicator_id) AS indicator_id, "
            f"{', '.join(cols)}, CAST({_quote(category)} AS {_ENUM}category) AS category, "
            f"CAST(coalesce(n.{num_col}, 0) AS DOUBLE) AS numerator, {den_sql} AS denominator "
            f"FROM {source} WHERE {where}"
        )
        if standardise and ind.method is Method.DSR:
            out.append(_standardised(sql))
        elif standardise:
            nulls = ", ".join(f"CAST(NULL AS DOUBLE) AS {c}" for c in STANDARDISED_COLUMNS)
            out.append(f"SELECT *, {nulls} FROM ({sql})")
        else:
            out.append(sql)
    return out


def long_frame(
    plan: Plan, results: dict[str, pa.Table], *, standardise: bool = False
) -> pd.DataFrame:
    """The long frame (:data:`LONG_COLUMNS`) of ``results`` (family key → Arrow table).

    ``standardise``: an age-standardised indicator gets one row per cell (``esp_band``
    :data:`~icsys.analytics.families.NO_BAND`) instead of one per band, with
    :data:`STANDARDISED_COLUMNS` (a fifth to a twentieth of the rows)."""
    columns = [*LONG_COLUMNS, *(STANDARDISED_COLUMNS if standardise else ())]
    if not results:
        return pd.DataFrame(columns=columns)
    spill = tempfile.TemporaryDirectory(prefix="icsys-long-")
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": default_memory_limit(),
        "temp_directory": spill.name,
    }
    con = duckdb.connect(config=config)
    try:
        names = {key: f"fam{i}" for i, key in enumerate(results)}
        for key, table in results.items():
            con.register(f"{names[key]}_arrow", table)
        period_ids = _enums(con, plan, [f"{n}_arrow" for n in names.values()])
        read = _columns_read(plan)
        for key, table in results.items():
            name = names[key]
            cols = []
            for c in table.column_names:
                if c not in KEY_COLUMNS and c not in read.get(key, ()):
                    continue
                if c in _ENUM_OF:
                    value = f"coalesce({c}, {_quote(_NO_PARENT)})" if c == "parent_code" else c
                    c = f"CAST({value} AS {_ENUM}{_ENUM_OF[c]}) AS {c}"  # noqa: PLW2901
                cols.append(c)
            con.execute(  # once: every indicator of the family reads these text codes
                f"CREATE TEMP TABLE {name} AS SELECT {', '.join(cols)} FROM {name}_arrow"
            )
            con.unregister(f"{name}_arrow")
        parts = [
            sql
            for ip in plan.indicators
            for sql in _select(ip, names, period_ids, standardise=standardise)
        ]
        if not parts:
            return pd.DataFrame(columns=columns)
        listed = ", ".join(
            f"nullif(parent_code, {_quote(_NO_PARENT)}) AS parent_code" if c == "parent_code" else c
            for c in columns
        )
        query = f"SELECT {listed} FROM ({' UNION ALL BY NAME '.join(parts)})"
        table = con.sql(query).to_arrow_table()  # text columns arrive dictionary-encoded
    finally:
        con.close()
        spill.cleanup()
    return categorical_frame(table.unify_dictionaries())


def _columns_read(plan: Plan) -> dict[str, set[str]]:
    """The measure columns of each family the plan's indicators read."""
    read: dict[str, set[str]] = {}
    for ip in plan.indicators:
        for side in ip.sides:
            read.setdefault(side.family, set()).update(side.columns.values())
    return read


_ENUM = "icsys_"  # DuckDB ENUM types of the text columns: DuckDB and Arrow pass them as codes
_ENUM_OF = {
    "period_id": "period_id",
    "level": "level",
    "area_code": "area",
    "parent_code": "area",
    "breakdown": "breakdown",
    "breakdown_value": "breakdown_value",
}


def _enums(con: duckdb.DuckDBPyConnection, plan: Plan, tables: list[str]) -> list[str]:
    """Create an ENUM type for each text column from the values ``tables`` hold (area and
    parent codes share one); return the period ids."""

    def create(name: str, values: list[str]) -> None:
        listed = ", ".join(_quote(v) for v in sorted(set(values)))
        con.execute(f"CREATE TYPE {_ENUM}{name} AS ENUM ({listed})")

    found: dict[str, list[str]] = {}
    for column, name in _ENUM_OF.items():
        parts = " UNION ".join(f"SELECT DISTINCT {column} AS v FROM {t}" for t in tables)
        rows = con.execute(f"SELECT DISTINCT v FROM ({parts}) WHERE v IS NOT NULL").fetchall()
        found.setdefault(name, []).extend(str(r[0]) for r in rows)
    found["area"].append(_NO_PARENT)
    for name, values in found.items():
        create(name, values)
    create("indicator_id", [ip.indicator.id for ip in plan.indicators])
    categories = {c for ip in plan.indicators for c in ip.numerator.columns}
    create("category", [*categories, ""])
    return sorted(set(found["period_id"]))


def categorical_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table → pandas, its text columns as categoricals with sorted categories."""
    columns: dict[str, object] = {}
    for name in table.column_names:
        col = table.column(name)
        text = pa.types.is_string(col.type) or pa.types.is_large_string(col.type)
        text = text or pa.types.is_dictionary(col.type)
        columns[name] = _categorical(col) if text else col.to_pandas()
    return pd.DataFrame(columns)


def _categorical(col: pa.ChunkedArray) -> pd.Categorical:
    whole = col.combine_chunks()  # dictionary chunks share one dictionary (unified)
    encoded = whole if pa.types.is_dictionary(whole.type) else pc.dictionary_encode(whole)
    values = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    indices = encoded.indices.cast(pa.int64())  # DuckDB's ENUM codes are unsigned
    codes = pc.fill_null(indices, -1).to_numpy().astype(np.int64)
    if len(values) == 0:
        return pd.Categorical.from_codes(codes, categories=[])
    order = np.argsort(values, kind="stable")
    if (order == np.arange(len(order))).all():  # already sorted (the ENUMs are)
        return pd.Categorical.from_codes(codes, categories=values)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return pd.Categorical.from_codes(
        np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), categories=values[order]
    )

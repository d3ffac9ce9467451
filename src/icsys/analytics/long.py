"""Family results → the long frame, in one DuckDB query over Arrow tables.

One row per indicator, cell, category and age band with the numerator and denominator side by
side (a denominator from another family joined on the cell), restricted to the indicator's own
periods and breakdowns (months as totals only). The query joins and filters on numbers, and the
text columns come back as pandas categoricals with sorted categories, so the steps after
(:mod:`icsys.analytics.finish`, :mod:`icsys.analytics.public`) group and sort on small integer
codes instead of Python strings.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

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


def default_memory_limit() -> str:
    """A quarter of the machine's memory, for each DuckDB connection (the engine's and this
    module's): DuckDB spills to a temporary folder past it, which keeps a 10-million-person
    run's peak within bounds."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, total // 4 // 2**20)}MB"


STANDARDISED_COLUMNS = ("dsr_weight", "dsr_sum", "dsr_var")
"""Of an age-standardised indicator's cell when the long frame is built standardised (else
NULL): the standard weight of the bands with population (NULL when a band has events but no
population), the sum of events x weight / population and of events x (weight / population)^2
over them. With the cell's numerator and denominator, all Dobson's limits need."""


@dataclass(frozen=True)
class _Banded:
    """One age-standardised indicator's category: its rows per band, to be summed over the
    bands together with every other read from the same rows (:func:`_standardised`)."""

    source: str  # FROM
    where: str  # its periods and breakdowns (key columns only)
    keys: tuple[tuple[str, str], ...]  # (expression, key column), esp_band left out
    band: str  # the esp_band expression
    indicator: int
    category: int
    numerator: str
    denominator: str


def _standardised(name: str, banded: list[_Banded]) -> tuple[str, list[str]]:
    """Age-standardised indicators read from the same rows (``banded``: one source and filter)
    summed over the bands in one grouping: the CTE ``name`` and each one's rows from it."""
    first = banded[0]
    weights = ", ".join(str(w) for w in ESP2013_WEIGHTS)
    keys = ", ".join(f"{expression} AS {name}" for expression, name in first.keys)
    names = [name for _expression, name in first.keys]
    values = [f"{keys}, CAST([{weights}][{first.band} + 1] AS DOUBLE) AS w_"]
    sums = []
    for i, b in enumerate(banded):
        values.append(f"coalesce({b.numerator}, 0) AS n{i}, coalesce({b.denominator}, 0) AS d{i}")
        ratio = f"(CASE WHEN d{i} > 0 THEN w_ / d{i} END)"
        sums.append(
            f"sum(n{i}) AS num{i}, sum(d{i}) AS den{i}, "
            f"CASE WHEN bool_or(d{i} <= 0 AND n{i} > 0) THEN NULL "
            f"ELSE coalesce(sum(CASE WHEN d{i} > 0 THEN w_ END), 0) END AS w{i}, "
            f"coalesce(sum(n{i} * {ratio}), 0) AS s{i}, "
            f"coalesce(sum(n{i} * {ratio} * {ratio}), 0) AS v{i}"
        )
    cte = (
        f"{name} AS MATERIALIZED (SELECT {', '.join(names)}, {', '.join(sums)} "
        f"FROM (SELECT {', '.join(values)} FROM {first.source} "
        f"WHERE {first.where} AND {first.band} >= 0) GROUP BY {', '.join(names)})"
    )
    parts = [
        f"SELECT CAST({b.indicator} AS INTEGER) AS indicator_id, {', '.join(names)}, "
        f"CAST({NO_BAND} AS BIGINT) AS esp_band, CAST({b.category} AS INTEGER) AS category, "
        f"num{i} AS numerator, den{i} AS denominator, w{i} AS dsr_weight, s{i} AS dsr_sum, "
        f"v{i} AS dsr_var FROM {name}"
        for i, b in enumerate(banded)
    ]
    return cte, parts


def _select(
    ip: IndicatorPlan,
    names: dict[str, str],
    codes: dict[str, dict[str, int]],
    *,
    standardise: bool = False,
) -> list[str | _Banded]:
    """The rows of each category of ``ip``: a query, or for an age-standardised indicator when
    ``standardise``, what :func:`_standardised` sums over the bands."""
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
    periods = codes["period_id"]
    own = [c for p, c in periods.items() if p.split(":", 1)[0] in ind.periods]
    months = [c for p, c in periods.items() if p.startswith("month:") and c in own]
    shown = [c for b, c in codes["breakdown"].items() if b in {ALL, *ind.breakdowns}]
    period, breakdown = key_sql[0], key_sql[keys.index("breakdown")]
    where = (
        f"{period} IN ({_listed(own)}) AND {breakdown} IN ({_listed(shown)})" if own else "FALSE"
    )
    if months:  # published as totals only
        where += f" AND ({period} NOT IN ({_listed(months)}) OR {breakdown} = {_total(codes)})"
    out: list[str | _Banded] = []
    named = list(zip(key_sql, [*keys, "parent_code"], strict=True))
    cols = [f"{expression} AS {name}" for expression, name in named]
    unbanded = tuple((e, name) for e, name in named if name != "esp_band")
    band = key_sql[keys.index("esp_band")]
    for category, num_col in ip.numerator.columns.items():
        if ip.denominator is None:
            den_sql = "CAST(NULL AS DOUBLE)"
        else:
            den_col = ip.denominator.columns.get(category, ip.denominator.columns.get(""))
            den_sql = f"CAST({den_alias}.{den_col} AS DOUBLE)"
        num_sql = f"CAST(coalesce(n.{num_col}, 0) AS DOUBLE)"
        number = codes["indicator_id"][ind.id], codes["category"][category]
        if standardise and ind.method is Method.DSR:
            out.append(_Banded(source, where, unbanded, band, *number, num_sql, den_sql))
            continue
        sql = (
            f"SELECT CAST({number[0]} AS INTEGER) AS indicator_id, {', '.join(cols)}, "
            f"CAST({number[1]} AS INTEGER) AS category, {num_sql} AS numerator, "
            f"{den_sql} AS denominator FROM {source} WHERE {where}"
        )
        if standardise:
            nulls = ", ".join(f"CAST(NULL AS DOUBLE) AS {c}" for c in STANDARDISED_COLUMNS)
            out.append(f"SELECT *, {nulls} FROM ({sql})")
        else:
            out.append(sql)
    return out


def _listed(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers)) if numbers else "NULL"


def _total(codes: dict[str, dict[str, int]]) -> str:
    return str(codes["breakdown"].get(ALL, _MISSING))


def long_frame(
    plan: Plan, results: dict[str, pa.Table], *, standardise: bool = False
) -> pd.DataFrame:
    """The long frame (:data:`LONG_COLUMNS`) of ``results`` (family key → Arrow table).

    ``standardise``: an age-standardised indicator gets one row per cell (``esp_band``
    :data:`~icsys.analytics.families.NO_BAND`) instead of one per band, with
    :data:`STANDARDISED_COLUMNS` (a fifth to a twentieth of the rows).

    The families' text keys (dictionary columns from :func:`icsys.analytics.coded.decode`,
    or plain text) are numbered in one sorted dictionary per column before the query, which
    joins and filters on the numbers; the text columns come back as categoricals of them."""
    columns = [*LONG_COLUMNS, *(STANDARDISED_COLUMNS if standardise else ())]
    if not results:
        return pd.DataFrame(columns=columns)
    words = _universes(plan, results)
    codes = {kind: {w: i for i, w in enumerate(values)} for kind, values in words.items()}
    read = _columns_read(plan)
    spill = tempfile.TemporaryDirectory(prefix="icsys-long-")
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": default_memory_limit(),
        "temp_directory": spill.name,
    }
    con = duckdb.connect(config=config)
    try:
        names = {key: f"fam{i}" for i, key in enumerate(results)}
        for key, table in results.items():
            kept = [c for c in table.column_names if c in KEY_COLUMNS or c in read.get(key, ())]
            con.register(names[key], _numbered(table.select(kept), codes))
        selected = [
            s for ip in plan.indicators for s in _select(ip, names, codes, standardise=standardise)
        ]
        parts = [s for s in selected if isinstance(s, str)]
        together: dict[tuple[str, str], list[_Banded]] = {}
        for b in selected:
            if isinstance(b, _Banded):
                together.setdefault((b.source, b.where), []).append(b)
        ctes = []
        for i, banded in enumerate(together.values()):
            cte, rows = _standardised(f"banded{i}", banded)
            ctes.append(cte)
            parts.extend(rows)
        if not parts:
            return pd.DataFrame(columns=columns)
        query = f"SELECT {', '.join(columns)} FROM ({' UNION ALL BY NAME '.join(parts)})"
        if ctes:
            query = f"WITH {', '.join(ctes)} {query}"
        table = con.sql(query).to_arrow_table()
    finally:
        con.close()
        spill.cleanup()
    return _frame(table, words)


def _columns_read(plan: Plan) -> dict[str, set[str]]:
    """The measure columns of each family the plan's indicators read."""
    read: dict[str, set[str]] = {}
    for ip in plan.indicators:
        for side in ip.sides:
            read.setdefault(side.family, set()).update(side.columns.values())
    return read


_KIND_OF = {
    "period_id": "period_id",
    "level": "level",
    "area_code": "area",
    "parent_code": "area",
    "breakdown": "breakdown",
    "breakdown_value": "breakdown_value",
}
_MISSING = -1  # stands for a missing code (a parent): joins match it, as they never match NULL


def _universes(plan: Plan, results: dict[str, pa.Table]) -> dict[str, list[str]]:
    """Every text a column of the long frame can hold, sorted (area and parent codes
    together), from the families' dictionaries and the plan."""
    found: dict[str, set[str]] = {kind: set() for kind in _KIND_OF.values()}
    for table in results.values():
        for column, kind in _KIND_OF.items():
            for chunk in table.column(column).chunks:
                words = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk.unique()
                found[kind].update(w for w in words.to_pylist() if w is not None)
    out = {kind: sorted(words) for kind, words in found.items()}
    out["indicator_id"] = sorted(ip.indicator.id for ip in plan.indicators)
    out["category"] = sorted({c for ip in plan.indicators for c in ip.numerator.columns} | {""})
    return out


def _numbered(table: pa.Table, codes: dict[str, dict[str, int]]) -> pa.Table:
    """``table`` with its text keys as numbers (:data:`_MISSING` for none)."""
    for column, kind in _KIND_OF.items():
        number = codes[kind]
        parts = []
        for chunk in table.column(column).chunks:
            coded = chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
            lookup = np.array([number[w] for w in coded.dictionary.to_pylist()], dtype=np.int32)
            found = pc.fill_null(coded.indices, 0).to_numpy(zero_copy_only=False)
            out = lookup[found] if len(lookup) else np.zeros(len(found), dtype=np.int32)
            if coded.indices.null_count:
                out = np.where(
                    coded.indices.is_null().to_numpy(zero_copy_only=False), _MISSING, out
                )
            parts.append(pa.array(out, pa.int32()))
        table = table.set_column(
            table.schema.get_field_index(column), column, pa.chunked_array(parts, pa.int32())
        )
    return table


def _frame(table: pa.Table, words: dict[str, list[str]]) -> pd.DataFrame:
    """The query's numbers → a frame with the text columns as categoricals of ``words`` (sorted,
    so code order is text order)."""
    columns: dict[str, object] = {}
    for name in table.column_names:
        kind = _KIND_OF.get(name, name)
        if kind not in words:
            columns[name] = table.column(name).to_numpy()
            continue
        size = len(words[kind])
        small = np.int8 if size < 2**7 else np.int16 if size < 2**15 else np.int32
        columns[name] = pd.Categorical.from_codes(
            table.column(name).to_numpy().astype(small, copy=False),
            categories=words[kind],
            validate=False,
        )
    return pd.DataFrame(columns)


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

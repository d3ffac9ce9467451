"""The published equations among the public view's cells, built with NumPy for every indicator
and period at once, and the suppression verdict of each row.

A *cell* is a row (one indicator, period, level, area, breakdown value and category, with its
protected count) or, for an indicator whose denominator is its category total, that total.
The equations, per indicator and period: each category total and its categories; for each
category (and the totals) each parent area and its child areas, and each area's total and its
values of one breakdown. The part of a parent its children do not cover (practices outside any
PCN, say) is an unpublished remainder cell of that equation, suppressed from the start.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.breakdown_codes import ALL
from icsys.analytics.frames import codes, group_ids, integer_group_ids
from icsys.privacy.equations import Equations, suppress

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
PARENT_LEVEL = {
    "pcn": "sub_icb",
    "place": "system",
    "sub_icb": "system",
    "trust": "system",
    "system": "region",
    "region": "england",
}
_KEY = ["group", "kind", "category", "level", "area", "parent", "breakdown", "value"]


def protect(
    rows: pd.DataFrame, use_den: BoolArray, den_counts: BoolArray, share: BoolArray, threshold: int
) -> npt.NDArray[np.str_]:
    """``primary``, ``secondary`` or ``""`` for each row of ``rows`` (analyst rows of
    counts-class indicators; ``use_den``: the denominator is the protected count;
    ``den_counts``: the denominator is a count too; ``share``: the denominator is the total of
    the indicator's categories)."""
    n = len(rows)
    num = rows["numerator"].to_numpy(float)
    den = rows["denominator"].to_numpy(float)
    count = _whole(np.where(use_den, den, num))
    den_whole = _whole(den)
    forced = den_counts & ~np.isnan(den) & _small(den_whole, threshold)
    primary = _small(count, threshold) | forced
    cells = _cell_table(rows)
    cells["count"] = count
    totals = cells[share].assign(kind=1, category=-1, count=den_whole[share])
    totals = totals.drop_duplicates(_KEY, keep="last")  # one per category total (all equal)
    table = pd.concat([cells, totals], ignore_index=True)
    eqs, rest = _equations(table, n)
    counts = np.concatenate([table["count"].to_numpy(np.int64), rest])
    start = np.concatenate([primary, _small(counts[n:], threshold)])
    start[len(table) :] = True  # remainders are never published
    tiebreak = np.arange(len(counts), dtype=np.int64)
    tiebreak[np.lexsort([table[k].to_numpy() for k in reversed(_KEY)])] = np.arange(len(table))
    added = suppress(counts, eqs, start, threshold, tiebreak)[:n]
    return np.where(primary, "primary", np.where(added, "secondary", ""))


def _whole(x: npt.NDArray[np.float64]) -> IntArray:
    return np.round(np.nan_to_num(x, nan=0.0)).astype(np.int64)


def _small(x: IntArray, threshold: int) -> BoolArray:
    return (x >= 1) & (x <= threshold)


def _cell_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Integer codes of every row's key; area and parent codes share one vocabulary, and so do
    a level and its parent level."""
    group, _first = group_ids(rows, ["indicator_id", "period_type", "period"])
    areas = pd.Index(_text(rows["area_code"])).union(pd.Index(_text(rows["parent_code"])))
    levels = sorted(set(_text(rows["level"])) | set(PARENT_LEVEL.values()))
    level_code = {name: i for i, name in enumerate(levels)}
    level = _in_vocabulary(rows["level"], level_code)
    up_of = {level_code[k]: level_code[v] for k, v in PARENT_LEVEL.items() if k in level_code}
    up = np.array([up_of.get(int(x), -1) for x in range(len(levels))] + [-1], dtype=np.int64)
    breakdown, _n = codes(rows["breakdown"])
    value, _n = codes(rows["breakdown_value"])
    category, _n = codes(rows["category"])
    return pd.DataFrame(
        {
            "group": group,
            "kind": np.zeros(len(rows), dtype=np.int64),
            "category": category,
            "level": level,
            "up": up[level],
            "area": _in_vocabulary(rows["area_code"], {a: i for i, a in enumerate(areas)}),
            "parent": _in_vocabulary(rows["parent_code"], {a: i for i, a in enumerate(areas)}),
            "breakdown": breakdown,
            "value": value,
            "all_breakdown": _code_of(rows["breakdown"], ALL),
            "all_value": _code_of(rows["breakdown_value"], ALL),
            "no_category": _code_of(rows["category"], ""),
        }
    )


def _text(col: pd.Series) -> list[str]:
    return [str(x) for x in pd.unique(col.dropna())]


def _in_vocabulary(col: pd.Series, vocabulary: dict[str, int]) -> IntArray:
    found, uniques = pd.factorize(col, use_na_sentinel=True)
    lut = np.array([vocabulary[str(u)] for u in uniques] + [-1], dtype=np.int64)
    return np.asarray(lut[found], dtype=np.int64)


def _code_of(col: pd.Series, text: str) -> int:
    """The code :func:`icsys.analytics.frames.codes` gives ``text`` in ``col`` (-2: none)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        values = list(col.cat.categories)
    else:
        values = sorted(set(col.dropna().unique()))
    return values.index(text) if text in values else -2


def _equations(table: pd.DataFrame, n_rows: int) -> tuple[Equations, IntArray]:
    """Every equation among ``table``'s cells (rows, then totals), with a remainder cell
    appended to each equation whose parent exceeds its children; the remainders' counts."""
    ids = np.arange(len(table), dtype=np.int64)
    place = ["group", "level", "area", "parent", "breakdown", "value"]
    edges = []
    # category totals -> their categories
    rows = table.iloc[:n_rows]
    is_category = (rows["category"] != rows["no_category"]).to_numpy()
    found = _match(rows[is_category], table.iloc[n_rows:], place, place)
    edges.append(_edges(0, ids[:n_rows][is_category], found + n_rows, 0))
    # parent area -> child areas (the same kind, category, breakdown and value)
    same = ["group", "kind", "category", "breakdown", "value"]
    has_up = ((table["up"] >= 0) & (table["parent"] >= 0)).to_numpy()
    found = _match(table[has_up], table, [*same, "up", "parent"], [*same, "level", "area"])
    edges.append(_edges(1, ids[has_up], found, 0))
    # area total -> its values of one breakdown
    area = ["group", "kind", "category", "level", "area", "parent"]
    is_all = (table["breakdown"] == table["all_breakdown"]).to_numpy()
    is_total = is_all & (table["value"] == table["all_value"]).to_numpy()
    found = _match(table[~is_all], table[is_total], area, area)
    part = table["breakdown"].to_numpy(np.int64)[~is_all]
    edges.append(_edges(2, ids[~is_all], np.where(found >= 0, ids[is_total][found], -1), part))
    edge = pd.concat(edges, ignore_index=True)
    edge = edge[edge["parent"].to_numpy() >= 0]
    eq, first = integer_group_ids([edge[k].to_numpy(np.int64) for k in ("type", "parent", "part")])
    order = np.lexsort((edge["child"].to_numpy(), eq))
    eq, child_ids = eq[order], edge["child"].to_numpy(np.int64)[order]
    parents = edge["parent"].to_numpy(np.int64)[first]
    sizes = np.bincount(eq, minlength=len(first)).astype(np.int64)
    counts = table["count"].to_numpy(np.int64)
    covered = np.bincount(eq, counts[child_ids].astype(np.float64), minlength=len(first))
    rest = counts[parents] - np.round(covered).astype(np.int64)
    has_rest = rest > 0
    ptr = np.concatenate([[0], np.cumsum(sizes + has_rest)]).astype(np.int64)
    children = np.empty(int(ptr[-1]), dtype=np.int64)
    shift = np.repeat(ptr[:-1] - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
    children[np.arange(len(child_ids)) + shift] = child_ids
    children[ptr[1:][has_rest] - 1] = len(table) + np.arange(int(has_rest.sum()))
    return Equations(parents, ptr, children), rest[has_rest]


def _match(left: pd.DataFrame, right: pd.DataFrame, on: list[str], right_on: list[str]) -> IntArray:
    """For each row of ``left``, the position in ``right`` of the last row whose ``right_on``
    equal its ``on``, or -1: a many-to-one join on integer codes, without pandas' merge."""
    group, first = integer_group_ids(
        [
            np.concatenate([left[a].to_numpy(np.int64), right[b].to_numpy(np.int64)])
            for a, b in zip(on, right_on, strict=True)
        ]
    )
    last = np.full(len(first), -1, dtype=np.int64)
    np.maximum.at(last, group[len(left) :], np.arange(len(right), dtype=np.int64))
    return last[group[: len(left)]]


def _edges(kind: int, child: IntArray, parent: IntArray, part: object) -> pd.DataFrame:
    """(type, parent, part, child) rows; a parent of -1 (none found) is dropped later."""
    return pd.DataFrame({"type": kind, "parent": parent, "part": part, "child": child})

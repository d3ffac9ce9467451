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


Table = dict[str, IntArray]
"""Columns of integer codes, all of one length (a frame without pandas' block copies: the
equations select and concatenate columns many times)."""


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
    totals = _take(cells, share)  # one per category total (all of its categories agree)
    totals["kind"] = np.ones(len(totals["kind"]), dtype=np.int64)
    totals["category"] = np.full(len(totals["kind"]), -1, dtype=np.int64)
    totals["count"] = den_whole[share]
    group, _first = integer_group_ids([totals[k] for k in _KEY])
    last = np.full(int(group.max()) + 1 if len(group) else 0, -1, dtype=np.int64)
    np.maximum.at(last, group, np.arange(len(group), dtype=np.int64))
    kept = np.sort(last)  # the last row of each total, in the rows' order
    table = {k: np.concatenate([cells[k], totals[k][kept]]) for k in cells}
    size = len(table["count"])
    eqs, rest = _equations(table, n)
    counts = np.concatenate([table["count"], rest])
    start = np.concatenate([primary, _small(counts[n:], threshold)])
    start[size:] = True  # remainders are never published
    tiebreak = np.arange(len(counts), dtype=np.int64)
    tiebreak[np.lexsort([table[k] for k in reversed(_KEY)])] = np.arange(size)
    added = suppress(counts, eqs, start, threshold, tiebreak)[:n]
    return np.where(primary, "primary", np.where(added, "secondary", ""))


def _take(table: Table, at: BoolArray | IntArray | slice) -> Table:
    return {k: v[at] for k, v in table.items()}


def _whole(x: npt.NDArray[np.float64]) -> IntArray:
    return np.round(np.nan_to_num(x, nan=0.0)).astype(np.int64)


def _small(x: IntArray, threshold: int) -> BoolArray:
    return (x >= 1) & (x <= threshold)


def _cell_table(rows: pd.DataFrame) -> Table:
    """Integer codes of every row's key; area and parent codes share one vocabulary, and so do
    a level and its parent level."""
    n = len(rows)
    group, _first = group_ids(rows, ["indicator_id", "period_type", "period"])
    areas = pd.Index(_text(rows["area_code"])).union(pd.Index(_text(rows["parent_code"])))
    area_code = {a: i for i, a in enumerate(areas)}
    levels = sorted(set(_text(rows["level"])) | set(PARENT_LEVEL.values()))
    level_code = {name: i for i, name in enumerate(levels)}
    level = _in_vocabulary(rows["level"], level_code)
    up_of = {level_code[k]: level_code[v] for k, v in PARENT_LEVEL.items() if k in level_code}
    up = np.array([up_of.get(int(x), -1) for x in range(len(levels))] + [-1], dtype=np.int64)

    def constant(value: int) -> IntArray:
        return np.full(n, value, dtype=np.int64)

    return {
        "group": group,
        "kind": constant(0),
        "category": codes(rows["category"])[0],
        "level": level,
        "up": up[level],
        "area": _in_vocabulary(rows["area_code"], area_code),
        "parent": _in_vocabulary(rows["parent_code"], area_code),
        "breakdown": codes(rows["breakdown"])[0],
        "value": codes(rows["breakdown_value"])[0],
        "all_breakdown": constant(_code_of(rows["breakdown"], ALL)),
        "all_value": constant(_code_of(rows["breakdown_value"], ALL)),
        "no_category": constant(_code_of(rows["category"], "")),
    }


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


def _equations(table: Table, n_rows: int) -> tuple[Equations, IntArray]:
    """Every equation among ``table``'s cells (rows, then totals), with a remainder cell
    appended to each equation whose parent exceeds its children; the remainders' counts."""
    size = len(table["count"])
    ids = np.arange(size, dtype=np.int64)
    place = ["group", "level", "area", "parent", "breakdown", "value"]
    edges: list[tuple[int, IntArray, IntArray]] = []
    # category totals -> their categories
    rows, totals = ids[:n_rows], ids[n_rows:]
    is_category = table["category"][:n_rows] != table["no_category"][:n_rows]
    found = _match(table, rows[is_category], totals, place, place)
    edges.append((0, rows[is_category], _at(totals, found)))
    # parent area -> child areas (the same kind, category, breakdown and value)
    same = ["group", "kind", "category", "breakdown", "value"]
    has_up = ids[(table["up"] >= 0) & (table["parent"] >= 0)]
    found = _match(table, has_up, ids, [*same, "up", "parent"], [*same, "level", "area"])
    edges.append((1, has_up, _at(ids, found)))
    # area total -> its values of one breakdown
    area = ["group", "kind", "category", "level", "area", "parent"]
    is_all = table["breakdown"] == table["all_breakdown"]
    values = ids[~is_all]
    total_ids = ids[is_all & (table["value"] == table["all_value"])]
    found = _match(table, values, total_ids, area, area)
    edges.append((2, values, _at(total_ids, found)))
    kind = np.concatenate([np.full(len(e[1]), e[0], dtype=np.int64) for e in edges])
    child, parent = (np.concatenate([e[i] for e in edges]) for i in (1, 2))
    part = np.where(kind == 2, table["breakdown"][child], 0)
    found_parent = parent >= 0
    kind, child, parent, part = (a[found_parent] for a in (kind, child, parent, part))
    eq, first = integer_group_ids([kind, parent, part])
    order = np.lexsort((child, eq))
    eq, child_ids = eq[order], child[order]
    parents = parent[first]
    sizes = np.bincount(eq, minlength=len(first)).astype(np.int64)
    counts = table["count"]
    covered = np.bincount(eq, counts[child_ids].astype(np.float64), minlength=len(first))
    rest = counts[parents] - np.round(covered).astype(np.int64)
    has_rest = rest > 0
    ptr = np.concatenate([[0], np.cumsum(sizes + has_rest)]).astype(np.int64)
    children = np.empty(int(ptr[-1]), dtype=np.int64)
    shift = np.repeat(ptr[:-1] - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
    children[np.arange(len(child_ids)) + shift] = child_ids
    children[ptr[1:][has_rest] - 1] = size + np.arange(int(has_rest.sum()))
    return Equations(parents, ptr, children), rest[has_rest]


def _at(rows: IntArray, found: IntArray) -> IntArray:
    """``rows[found]``, -1 where ``found`` is -1 (no match)."""
    return np.append(rows, -1).astype(np.int64)[found]


def _match(
    table: Table, left: IntArray, right: IntArray, on: list[str], right_on: list[str]
) -> IntArray:
    """For each of the ``left`` rows of ``table``, the position in ``right`` (rows of ``table``)
    of the last whose ``right_on`` equal its ``on``, or -1: a many-to-one join on integer
    codes."""
    group, first = integer_group_ids(
        [
            np.concatenate([table[a][left], table[b][right]])
            for a, b in zip(on, right_on, strict=True)
        ]
    )
    last = np.full(len(first), -1, dtype=np.int64)
    np.maximum.at(last, group[len(left) :], np.arange(len(right), dtype=np.int64))
    return last[group[: len(left)]]

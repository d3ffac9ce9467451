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

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.breakdown_codes import ALL
from icsys.analytics.frames import codes, group_ids, integer_group_ids, sort_order_of
from icsys.privacy.equations import Equations, Members, members, suppress

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
_WIDE = 2**62
_COLUMNS = ["indicator_id", "period_type", "period", "level", "area_code", "parent_code"]
_COLUMNS += ["breakdown", "breakdown_value", "category"]  # all that _cell_table reads
_KEY = ["group", "kind", "category", "level", "area", "parent", "breakdown", "value"]


Table = dict[str, IntArray]
"""Columns of integer codes, all of one length (a frame without pandas' block copies: the
equations select and concatenate columns many times)."""


@dataclass(frozen=True)
class CellSystem:
    """The published equations among an indicator's cells: rows, then category totals (each
    the denominator of one row), then one remainder per equation (the part of its parent its
    children do not cover, empty for most). They depend on which cells there are, not on their
    counts, so indicators with the same cells share one (every condition prevalence has the
    same cells)."""

    n_rows: int
    total_rows: IntArray  # the row whose denominator each category total is
    equations: Equations
    child_eq: IntArray  # each equation's children, remainders left out: their equation...
    child: IntArray  # ...and their cell
    tiebreak: IntArray
    shared: Members

    @property
    def n_cells(self) -> int:
        """Rows and category totals (the remainders come after them)."""
        return self.n_rows + len(self.total_rows)


_SYSTEMS: OrderedDict[bytes, CellSystem] = OrderedDict()
_KEEP_SYSTEMS = 2  # a worker meets the indicators of one family one after another


def protect(
    rows: pd.DataFrame, use_den: BoolArray, den_counts: BoolArray, share: BoolArray, threshold: int
) -> npt.NDArray[np.str_]:
    """``primary``, ``secondary`` or ``""`` for each row of ``rows`` (analyst rows of
    counts-class indicators; ``use_den``: the denominator is the protected count;
    ``den_counts``: the denominator is a count too; ``share``: the denominator is the total of
    the indicator's categories)."""
    num = rows["numerator"].to_numpy(float)
    den = rows["denominator"].to_numpy(float)
    count = _whole(np.where(use_den, den, num))
    den_whole = _whole(den)
    forced = den_counts & ~np.isnan(den) & _small(den_whole, threshold)
    primary = _small(count, threshold) | forced
    system = cell_system(rows, share)
    eqs = system.equations
    cell_counts = np.concatenate([count, den_whole[system.total_rows]])
    covered = np.bincount(
        system.child_eq,
        cell_counts[system.child].astype(np.float64),
        minlength=len(eqs.parents),
    )
    rest = cell_counts[eqs.parents] - np.round(covered).astype(np.int64)
    counts = np.concatenate([cell_counts, rest])
    start = np.concatenate(
        [primary, _small(cell_counts[system.n_rows :], threshold), np.ones(len(rest), dtype=bool)]
    )  # remainders are never published
    absent = np.concatenate([np.zeros(system.n_cells, dtype=bool), rest <= 0])
    added = suppress(
        counts, eqs, start, threshold, system.tiebreak, shared=system.shared, absent=absent
    )[: system.n_rows]
    return np.where(primary, "primary", np.where(added, "secondary", ""))


def cell_system(rows: pd.DataFrame, share: BoolArray) -> CellSystem:
    """The :class:`CellSystem` of ``rows`` (``share``: rows whose denominator is their
    category total), reused when the last indicators had the same cells."""
    key = _fingerprint(rows, share)
    found = _SYSTEMS.get(key)
    if found is None:
        found = _SYSTEMS[key] = _build_system(rows, share)
        while len(_SYSTEMS) > _KEEP_SYSTEMS:
            _SYSTEMS.popitem(last=False)
    _SYSTEMS.move_to_end(key)
    return found


def _fingerprint(rows: pd.DataFrame, share: BoolArray) -> bytes:
    """A digest of everything :func:`_build_system` reads: the key columns' codes and
    categories (only the indicators' codes: which rows are of one indicator, not its name)."""
    digest = hashlib.blake2b(digest_size=32)
    for name in _COLUMNS:
        col = rows[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            found = col.cat.codes.to_numpy()
            if name == "indicator_id":  # its rank among the rows' indicators, not the library's
                found = _dense(found)
            else:
                digest.update(repr(list(col.cat.categories)).encode())
            digest.update(np.ascontiguousarray(found).tobytes())
        else:
            digest.update(pd.util.hash_pandas_object(col, index=False).to_numpy().tobytes())
        digest.update(b"|")
    digest.update(np.ascontiguousarray(share, dtype=bool).tobytes())
    return digest.digest()


def _dense(found: npt.NDArray[np.signedinteger[npt.NBitBase]]) -> IntArray:
    """Categorical codes (-1: missing) renumbered 0, 1, ... in their order, among those
    present only."""
    shifted = found.astype(np.int64) + 1
    present = np.bincount(shifted) > 0
    return np.asarray((np.cumsum(present) - 1)[shifted], dtype=np.int64)


def _build_system(rows: pd.DataFrame, share: BoolArray) -> CellSystem:
    n = len(rows)
    cells = _cell_table(rows)
    totals = _take(cells, share)  # one per category total (all of its categories agree)
    totals["kind"] = np.ones(len(totals["kind"]), dtype=np.int64)
    totals["category"] = np.full(len(totals["kind"]), -1, dtype=np.int64)
    group, _first = integer_group_ids([totals[k] for k in _KEY])
    last = np.full(int(group.max()) + 1 if len(group) else 0, -1, dtype=np.int64)
    np.maximum.at(last, group, np.arange(len(group), dtype=np.int64))
    kept = np.sort(last)  # the last row of each total, in the rows' order
    table = {k: np.concatenate([cells[k], totals[k][kept]]) for k in cells}
    size = n + len(kept)
    eqs, child_eq, child = _equations(table, n)
    tiebreak = np.arange(size + len(eqs.parents), dtype=np.int64)
    tiebreak[sort_order_of([table[k] for k in _KEY])] = np.arange(size)
    total_rows = np.flatnonzero(share)[kept].astype(np.int64)
    shared = members(eqs, size + len(eqs.parents))
    return CellSystem(n, total_rows, eqs, child_eq, child, tiebreak, shared)


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


def _equations(table: Table, n_rows: int) -> tuple[Equations, IntArray, IntArray]:
    """Every equation among ``table``'s cells (rows, then totals), each with a remainder cell
    appended (numbered from the last cell on, in equation order); each non-remainder child's
    equation and cell."""
    size = len(table["group"])
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
    # only cells of a parent level can be parents (a PCN in two sub-ICBs is two cells, but
    # never a parent): fewer cells to index, and usually a unique key each
    uppers = ids[np.isin(table["level"], np.unique(table["up"][has_up]))]
    found = _match(table, has_up, uppers, [*same, "up", "parent"], [*same, "level", "area"])
    edges.append((1, has_up, _at(uppers, found)))
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
    order = np.argsort(eq * max(size, 1) + child, kind="stable")  # by equation, then child
    eq, child_ids = eq[order], child[order]
    parents = parent[first]
    sizes = np.bincount(eq, minlength=len(first)).astype(np.int64)
    ptr = np.concatenate([[0], np.cumsum(sizes + 1)]).astype(np.int64)
    children = np.empty(int(ptr[-1]), dtype=np.int64)
    children[np.arange(len(child_ids)) + eq] = child_ids  # each earlier equation's remainder
    children[ptr[1:] - 1] = size + np.arange(len(first))
    return Equations(parents, ptr, children), eq, child_ids


def _at(rows: IntArray, found: IntArray) -> IntArray:
    """``rows[found]``, -1 where ``found`` is -1 (no match)."""
    return np.append(rows, -1).astype(np.int64)[found]


def _match(
    table: Table, left: IntArray, right: IntArray, on: list[str], right_on: list[str]
) -> IntArray:
    """For each of the ``left`` rows of ``table``, the position in ``right`` (rows of ``table``)
    of the last whose ``right_on`` equal its ``on``, or -1: a many-to-one join on integer
    codes (each side's columns combined into one integer, then hashed)."""
    left_key, right_key = (
        key[at] for key, at in zip(_joint_keys(table, on, right_on), (left, right), strict=True)
    )
    index = pd.Index(right_key)
    if index.is_unique:
        return np.asarray(index.get_indexer(left_key), dtype=np.int64)
    found, uniques = pd.factorize(np.concatenate([right_key, left_key]))
    last = np.full(len(uniques), -1, dtype=np.int64)
    np.maximum.at(last, found[: len(right)], np.arange(len(right), dtype=np.int64))
    return np.asarray(last[found[len(right) :]], dtype=np.int64)


def _joint_keys(table: Table, on: list[str], right_on: list[str]) -> tuple[IntArray, IntArray]:
    """One integer per cell of ``table`` from its ``on`` columns and one from its ``right_on``
    columns, equal exactly when the columns are (each pair of columns shares one range)."""
    n = len(table["group"])
    keys = (np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64))
    size = 1
    for a, b in zip(on, right_on, strict=True):
        lo = min(int(table[a].min()), int(table[b].min())) if n else 0
        span = max(int(table[a].max()), int(table[b].max())) - lo + 1 if n else 1
        size *= span
        if size >= _WIDE:  # too many combinations for one integer: number them first
            found, _uniques = pd.factorize(np.concatenate(keys))
            keys = (found[:n].astype(np.int64), found[n:].astype(np.int64))
            size = (int(found.max()) + 1 if n else 1) * span
        keys = (keys[0] * span + (table[a] - lo), keys[1] * span + (table[b] - lo))
    return keys

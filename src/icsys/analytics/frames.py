"""Small helpers for the large frames after aggregation: text columns as categoricals with sorted
categories, integer group ids over several key columns, and sort orders from codes.

Sorted categories make code order equal to text order, so a sort or grouping on codes gives
the same result as on the strings (missing values, code -1, sort first)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]

IntArray = npt.NDArray[np.int64]
_COMPACT = 2**31
_WIDE = 2**62


def as_categoricals(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """``frame`` with each of ``columns`` it has as a categorical with sorted categories."""
    changes = {}
    for name in columns:
        if name not in frame.columns:
            continue
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = list(col.cat.categories)
            if cats != sorted(cats):
                changes[name] = col.cat.reorder_categories(sorted(cats))
            continue
        values = sorted(set(col.dropna().unique()))
        changes[name] = pd.Categorical(col, categories=values)
    return frame.assign(**changes) if changes else frame


def codes(col: pd.Series) -> tuple[IntArray, int]:
    """Integer codes of a column (``-1`` for missing, in value order) and their count."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy().astype(np.int64), len(col.cat.categories)
    found, uniques = pd.factorize(col, sort=True, use_na_sentinel=True)
    return found.astype(np.int64), len(uniques)


def _combined(columns: Iterable[tuple[IntArray, int]], n: int, limit: int) -> IntArray:
    """One integer per row of ``n`` combining ``columns`` in order, each given as values from
    0 to its size - 1 and that size; renumbered whenever the product of the sizes would pass
    ``limit``."""
    combined = np.zeros(n, dtype=np.int64)
    size = 1
    for values, span in columns:
        if size * span >= limit:
            _unique, combined = np.unique(combined, return_inverse=True)
            combined = combined.reshape(-1).astype(np.int64)
            size = int(combined.max()) + 1 if n else 1
        combined = combined * span + values
        size *= span
    return combined


def _shifted_codes(frame: pd.DataFrame, keys: Sequence[str]) -> Iterator[tuple[IntArray, int]]:
    """Each key's codes shifted so missing values (-1) come first at 0."""
    for name in keys:
        found, n = codes(frame[name])
        yield found + 1, n + 1


def _groups(combined: IntArray) -> tuple[IntArray, IntArray]:
    _unique, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    return inverse.astype(np.int64).reshape(-1), first.astype(np.int64)


def integer_group_ids(columns: Sequence[IntArray]) -> tuple[IntArray, IntArray]:
    """:func:`group_ids` over integer columns of equal length, combined by their ranges (no
    factorising: cheaper when the columns already are small codes)."""
    n = len(columns[0]) if columns else 0
    if not n:
        return _groups(np.zeros(0, dtype=np.int64))
    ranged = ((col - col.min(), int(col.max() - col.min()) + 1) for col in columns)
    return _groups(_combined(ranged, n, _WIDE))


def sort_order_of(columns: Sequence[IntArray]) -> IntArray:
    """Row positions sorting integer ``columns`` of equal length, the first the primary key
    (as :func:`numpy.lexsort` of them reversed, in one stable sort of a combined key)."""
    n = len(columns[0]) if columns else 0
    if not n:
        return np.zeros(0, dtype=np.int64)
    ranged = ((col - col.min(), int(col.max() - col.min()) + 1) for col in columns)
    return np.argsort(_combined(ranged, n, _WIDE), kind="stable").astype(np.int64)


def group_ids(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[IntArray, IntArray]:
    """A group id per row over ``keys`` (missing values form their own group) and the position
    of each group's first row."""
    return _groups(_combined(_shifted_codes(frame, keys), len(frame), _COMPACT))


def sort_order(frame: pd.DataFrame, keys: Sequence[str]) -> IntArray:
    """Row positions sorting ``frame`` by ``keys``, missing values first (a stable sort on
    one integer key combined from the columns' codes)."""
    combined = _combined(_shifted_codes(frame, keys), len(frame), _WIDE)
    return np.argsort(combined, kind="stable").astype(np.int64)

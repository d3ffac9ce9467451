"""A family's result as the engine returns it: integer keys, decoded here to text.

Stage 3 groups by numbers (the period's ``period_no``, the level's position in
:data:`~icsys.analytics.sources.LEVELS`, the area's number from
:meth:`~icsys.analytics.people.People.area_numbers`, the breakdown cell) and returns them; the
text is put back as Arrow dictionary columns whose indices are those numbers, so no code is
hashed, compared or copied as a string on the way (:mod:`icsys.analytics.long` maps the
dictionaries of every family onto one sorted dictionary per column). Read as text (``to_pylist``)
the columns are the :data:`~icsys.analytics.families.KEY_COLUMNS` they always were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from icsys.analytics.breakdown_codes import CELLS
from icsys.analytics.families import KEY_COLUMNS

CODED_KEYS = ("period_no", "level_no", "area_no", "parent_no", "cell", "esp_band")
"""The key columns stage 3 returns (``parent_no`` null where an area has no parent)."""


@dataclass(frozen=True)
class Dictionaries:
    """What the numbers of one family's result stand for."""

    periods: pa.Array  # period_id by period_no
    levels: Sequence[str]  # by level_no
    areas: pa.Array  # code by area_no


_BREAKDOWNS = sorted({b for b, _v in CELLS})
_VALUES = sorted({v for _b, v in CELLS})
_BREAKDOWN_OF_CELL = np.array([_BREAKDOWNS.index(b) for b, _v in CELLS], dtype=np.int32)
_VALUE_OF_CELL = np.array([_VALUES.index(v) for _b, v in CELLS], dtype=np.int32)


def decode(table: pa.Table, known: Dictionaries, measures: Sequence[str]) -> pa.Table:
    """``table`` (:data:`CODED_KEYS` and ``measures``) with :data:`KEY_COLUMNS` instead of the
    numbers: text as dictionary columns (``esp_band`` as it is)."""
    cell = _indices(table.column("cell"))
    columns = {
        "period_id": _text(table.column("period_no"), known.periods),
        "level": _text(table.column("level_no"), pa.array(known.levels, pa.string())),
        "area_code": _text(table.column("area_no"), known.areas),
        "parent_code": _text(table.column("parent_no"), known.areas),
        "breakdown": _dictionary(_BREAKDOWN_OF_CELL[cell], _BREAKDOWNS),
        "breakdown_value": _dictionary(_VALUE_OF_CELL[cell], _VALUES),
        "esp_band": table.column("esp_band"),
    }
    return pa.table(
        {**{k: columns[k] for k in KEY_COLUMNS}, **{m: table.column(m) for m in measures}}
    )


def _indices(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(column.combine_chunks().to_numpy(zero_copy_only=False), dtype=np.int64)


def _text(column: pa.ChunkedArray, dictionary: pa.Array) -> pa.DictionaryArray:
    """Numbers (nulls stay null) → text with ``dictionary``."""
    whole = column.combine_chunks().cast(pa.int32())
    return pa.DictionaryArray.from_arrays(whole, dictionary.cast(pa.string()))


def _dictionary(indices: np.ndarray, values: Sequence[str]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(indices, pa.int32()), pa.array(values, pa.string())
    )


def area_dictionary(numbered: pa.Table) -> pa.Array:
    """The codes of a basis by number, from its (code, area_no) table."""
    order = pc.sort_indices(numbered, sort_keys=[("area_no", "ascending")])
    codes = numbered.take(order)
    if codes.num_rows and codes.column("area_no").to_pylist() != list(range(codes.num_rows)):
        msg = "area numbers are not 0..n-1"
        raise ValueError(msg)
    return codes.column("code").combine_chunks()

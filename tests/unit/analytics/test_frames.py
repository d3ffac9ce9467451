"""Integer helpers of the post-aggregation frames (icsys.analytics.frames)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from icsys.analytics.frames import sort_order_of

_COLUMNS = st.integers(min_value=1, max_value=5).flatmap(
    lambda k: st.integers(min_value=0, max_value=60).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(min_value=-3, max_value=2**40), min_size=n, max_size=n),
            min_size=k,
            max_size=k,
        )
    )
)


@given(_COLUMNS)
def test_sort_order_is_lexsorts_with_the_first_column_primary(columns: list[list[int]]):
    arrays = [np.array(c, dtype=np.int64) for c in columns]
    expected = np.lexsort(list(reversed(arrays))) if len(arrays[0]) else np.zeros(0, np.int64)
    assert np.array_equal(sort_order_of(arrays), expected)


def test_ties_keep_their_order_and_wide_keys_are_renumbered():
    wide = np.array([2**61, 0, 2**61, 0], dtype=np.int64)
    other = np.array([5, 5, 5, 5], dtype=np.int64)
    assert sort_order_of([wide, other, wide]).tolist() == [1, 3, 0, 2]

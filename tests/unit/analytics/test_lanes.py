"""Counts summed several to a column come back exactly (icsys.analytics.lanes)."""

import ibis
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from icsys.analytics.lanes import MANTISSA_BITS, NONE, Packing, pack, packing, unpack


def _sums(columns: dict[str, list[float]], packed: Packing) -> dict[str, float]:
    con = ibis.duckdb.connect()
    t = ibis.memtable(pa.table(columns))
    measures = pack({n: t[n] for n in columns}, packed)
    summed = t.aggregate(**{k: v.sum() for k, v in measures.items()})
    row = con.to_pyarrow(unpack(summed, packed)).to_pylist()[0]
    con.disconnect()
    return row


@pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")
def test_every_lane_sums_exactly_up_to_its_largest_value():
    largest = 2**13 - 1  # 13 bits a lane: four to a column
    names = [f"m{i}" for i in range(5)]
    packed = packing(names, largest)
    assert packed.columns == (("m0_m1_m2_m3", ("m0", "m1", "m2", "m3")),)
    columns = {n: [float(largest - 1), 1.0] for n in names}
    assert _sums(columns, packed) == dict.fromkeys(names, float(largest))  # m4 summed alone


@pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")
def test_a_lane_never_leaks_into_its_neighbours():
    packed = packing(["a", "b", "c"], 7)  # 3 bits a lane
    got = _sums({"a": [0.0, 0.0], "b": [7.0, 0.0], "c": [0.0, 0.0]}, packed)
    assert got == {"a": 0.0, "b": 7.0, "c": 0.0}


def test_lanes_are_as_wide_as_the_largest_count_needs():
    names = [f"m{i}" for i in range(9)]
    assert packing(names, 3_000).bits == 12  # a million people: four to a column
    assert [len(g) for _n, g in packing(names, 3_000).columns] == [4, 4]  # m8 alone
    assert [len(g) for _n, g in packing(names, 2**26 - 1).columns] == [2, 2, 2, 2]
    assert packing(names, 2**26) is NONE  # 27 bits: one a column, no packing
    assert packing(names, 0).bits == 1
    assert MANTISSA_BITS // packing(names, 100_000).bits == 3


@pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")
@given(
    st.integers(min_value=1, max_value=5),
    st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=40),
)
def test_packed_sums_equal_plain_sums(spare: int, rows: list[list[bool]]):
    names = ["a", "b", "c", "d"]
    largest = len(rows) * spare  # any bound at least the true sums
    columns = {n: [float(r[i]) for r in rows] for i, n in enumerate(names)}
    expected = {n: float(sum(v)) for n, v in columns.items()}
    assert _sums(columns, packing(names, largest)) == expected

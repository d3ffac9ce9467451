"""Two counts summed in one column come back exactly (icsys.analytics.lanes)."""

import ibis
import pyarrow as pa
import pytest

from icsys.analytics.lanes import LANE, can_pack, pack, pairs, unpack


def _sums(columns: dict[str, list[float]], names: list[str]) -> dict[str, float]:
    con = ibis.duckdb.connect()
    t = ibis.memtable(pa.table(columns))
    packed = pairs(names)
    summed = t.aggregate(**{k: v.sum() for k, v in pack({n: t[n] for n in names}, packed).items()})
    row = con.to_pyarrow(unpack(summed, packed)).to_pylist()[0]
    con.disconnect()
    return row


@pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")
def test_each_lane_sums_exactly_up_to_its_largest_value():
    top = LANE - 1
    got = _sums(
        {"a": [top - 2, 1.0, 1.0], "b": [top - 1, 0.0, 1.0], "c": [1.0, 1.0, 1.0]},
        ["a", "b", "c"],
    )
    assert got == {"a": top, "b": top, "c": 3.0}  # c: an odd one out, summed alone


@pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")
def test_a_low_lane_count_does_not_leak_into_the_high_lane():
    got = _sums({"a": [0.0, 0.0], "b": [5.0, 7.0]}, ["a", "b"])
    assert got == {"a": 0.0, "b": 12.0}


def test_packing_is_refused_once_a_lane_could_overflow():
    assert pairs(["m0", "m1", "m2"]) == (("m0_m1", "m0", "m1"),)
    assert can_pack(int(LANE) - 1)
    assert not can_pack(int(LANE))

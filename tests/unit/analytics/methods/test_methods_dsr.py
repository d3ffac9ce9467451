"""DSR: methods.md 3.3 test vectors plus an independent matrix-form reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from icsys.analytics.methods.dsr import (
    ESP2013_BANDS,
    ESP2013_WEIGHTS,
    dsr,
    esp2013_band,
    to_esp2013_bands,
)

POPS = [
    636,
    558,
    609,
    543,
    384,
    594,
    669,
    843,
    660,
    576,
    606,
    522,
    426,
    273,
    300,
    288,
    153,
    123,
    207,
]
BIG = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91]
SMALL = [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4]


def test_esp2013_weights_as_published():
    assert sum(ESP2013_WEIGHTS) == 100_000
    assert len(ESP2013_WEIGHTS) == len(ESP2013_BANDS) == 19
    assert ESP2013_WEIGHTS[:4] == (5000, 5500, 5500, 5500)
    assert ESP2013_WEIGHTS[-3:] == (2500, 1500, 1000)
    assert ESP2013_BANDS[0] == "0-4"
    assert ESP2013_BANDS[-2:] == ("85-89", "90+")


@pytest.mark.parametrize(
    ("age", "band"), [(0, 0), (1, 0), (4, 0), (5, 1), (44, 8), (89, 17), (90, 18), (107, 18)]
)
def test_age_bands(age, band):
    assert esp2013_band(age) == band


def test_age_band_helper_sums_single_years():
    bands = to_esp2013_bands({0: 2, 3: 1, 5: 4, 95: 1, 90: 2})
    assert bands[0] == 3
    assert bands[1] == 4
    assert bands[18] == 3
    assert sum(bands) == 10
    with pytest.raises(ValueError, match="age"):
        esp2013_band(-1)


def test_dsr_big_vector_at_both_levels():
    result = dsr(BIG, POPS, confidence=(0.95, 0.998))
    assert result.total_count == 895
    assert result.total_population == 8970
    assert result.value == pytest.approx(10430.2479914694, rel=1e-12)
    low95 = result.interval(0.95)
    assert low95.lower == pytest.approx(9717.709067985681, rel=1e-12)
    assert low95.upper == pytest.approx(11178.94091547925, rel=1e-12)
    limits998 = result.interval(99.8)
    assert limits998.lower == pytest.approx(9323.287880219903, rel=1e-12)
    assert limits998.upper == pytest.approx(11620.595999522058, rel=1e-12)


def test_dsr_small_vector():
    result = dsr(SMALL, POPS)
    assert result.total_count == 91
    assert result.value == pytest.approx(1103.212025300104, rel=1e-12)
    assert result.intervals[0].lower == pytest.approx(877.455767536709, rel=1e-12)
    assert result.intervals[0].upper == pytest.approx(1367.0882227251795, rel=1e-12)
    with pytest.raises(KeyError):
        result.interval(0.9)


def test_dsr_is_none_below_ten_events():
    counts = [0] * 19
    counts[3] = 9
    result = dsr(counts, POPS, confidence=(0.95, 0.998))
    assert result.value is None
    assert all(i.lower is None and i.upper is None for i in result.intervals)
    assert dsr([None, *counts[1:]], POPS).value is None


def test_dsr_rejects_bad_populations_and_lengths():
    with pytest.raises(ValueError, match="positive"):
        dsr(BIG, [0, *POPS[1:]])
    with pytest.raises(ValueError, match="same length"):
        dsr(BIG[:5], POPS)


@given(
    counts=st.lists(st.integers(min_value=0, max_value=500), min_size=19, max_size=19),
    pops=st.lists(st.integers(min_value=1, max_value=100_000), min_size=19, max_size=19),
)
def test_dsr_matches_matrix_form_with_scipy_byar(counts, pops):
    # Reference written differently: vector algebra with numpy, Byar via scipy's normal quantile.
    o = np.array(counts, dtype=float)
    w = np.array(ESP2013_WEIGHTS, dtype=float) / 100_000
    n = np.array(pops, dtype=float)
    result = dsr(counts, pops)
    total = o.sum()
    if total < 10:
        assert result.value is None
        return
    rate = (o / n) @ w
    var = (o / n**2) @ (w**2)
    z = stats.norm.ppf(0.975)
    o_u = (total + 1) * (1 - 1 / (9 * (total + 1)) + z / (3 * np.sqrt(total + 1))) ** 3
    o_l = total * (1 - 1 / (9 * total) - z / (3 * np.sqrt(total))) ** 3
    assert result.value == pytest.approx(rate * 1e5, rel=1e-9)
    assert result.intervals[0].upper == pytest.approx(
        1e5 * (rate + np.sqrt(var / total) * (o_u - total)), rel=1e-9
    )
    assert result.intervals[0].lower == pytest.approx(
        1e5 * (rate + np.sqrt(var / total) * (o_l - total)), rel=1e-9, abs=1e-9
    )

"""The vectorised interval maths of the indicator engine against the scalar methods."""

from __future__ import annotations

import numpy as np
import pytest

from icsys.analytics.finish import crude_limits, dsr_matrix, wilson
from icsys.analytics.methods.dsr import dsr
from icsys.analytics.methods.intervals import crude_rate, wilson_interval

COUNTS = [127, 25, 18, 21, 12, 27, 48, 27, 29, 32, 32, 34, 45, 65, 38, 68, 74, 82, 91]
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


def test_wilson_matches_the_scalar_method():
    x = np.array([0, 5, 10, 65, 1045], float)
    n = np.array([10, 10, 10, 100, 5000], float)
    lo, hi = wilson(x, n)
    for i in range(len(x)):
        ref = wilson_interval(x[i], n[i])
        assert lo[i] == pytest.approx(ref.lower, abs=1e-12)
        assert hi[i] == pytest.approx(ref.upper, abs=1e-12)


def test_crude_limits_match_phe_rate_on_both_sides_of_ten():
    o = np.array([0, 1, 5, 9, 10, 65, 1045], float)
    lo, hi = crude_limits(o)
    for i, count in enumerate(o):
        ref = crude_rate(count, 1.0, multiplier=1.0)
        assert lo[i] == pytest.approx(ref.lower, rel=1e-12)
        assert hi[i] == pytest.approx(ref.upper, rel=1e-12)


def test_dsr_matrix_reproduces_the_methods_test_vector():
    value, lower, upper = dsr_matrix(np.array([COUNTS], float), np.array([POPS], float), 100_000)
    assert value[0] == pytest.approx(10430.2479914694, rel=1e-12)
    assert lower[0] == pytest.approx(9717.709067985681, rel=1e-12)
    assert upper[0] == pytest.approx(11178.94091547925, rel=1e-12)
    small = [12, 4, 3, 2, 3, 4, 8, 2, 2, 3, 4, 5, 6, 8, 5, 6, 5, 5, 4]
    ref = dsr(small, POPS)
    got = dsr_matrix(np.array([small], float), np.array([POPS], float), 100_000)
    assert got[0][0] == pytest.approx(ref.value, rel=1e-12)


def test_dsr_below_ten_events_or_with_events_but_no_population_is_missing():
    pops = np.array([POPS, POPS], float)
    counts = np.zeros((2, 19))
    counts[0, 0] = 9
    counts[1, 3] = 20
    pops[1, 3] = 0
    value, _lo, _hi = dsr_matrix(counts, pops, 100_000)
    assert np.isnan(value).all()


def test_dsr_leaves_out_bands_without_population_or_events():
    pops = np.array([POPS], float)
    pops[0, 18] = 0
    counts = np.array([COUNTS], float)
    counts[0, 18] = 0
    value, _lo, _hi = dsr_matrix(counts, pops, 100_000)
    ref = dsr(
        COUNTS[:18],
        POPS[:18],
        standard=[*__import__("icsys.analytics.methods.dsr", fromlist=["x"]).ESP2013_WEIGHTS[:18]],
    )
    assert value[0] == pytest.approx(ref.value, rel=1e-12)

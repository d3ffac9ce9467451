"""Funnel limits reproduce methods.md §3.1 (Byar) and §3.2 (Wilson); ranks, quartiles and
significance against England, region and peers."""

from __future__ import annotations

import math
from datetime import date

import pytest

from icsys.assessment.compare import (
    compare_measure,
    funnel_position,
    proportion_funnel,
    quartile,
    rank_of,
    rate_funnel,
    significance,
)
from icsys.assessment.measures import HandSetMeasures, Observation

Z95 = 1.959963984540054
Z998 = 3.090232306167813


def wilson(x, n, z):
    root = z * math.sqrt(z**2 + 4 * x * (1 - x / n))
    return (2 * x + z**2 - root) / (2 * (n + z**2)), (2 * x + z**2 + root) / (2 * (n + z**2))


def byar(o, z):
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


@pytest.mark.parametrize(("p0", "n"), [(0.65, 100), (0.209, 5000), (0.5, 10), (0.02, 250)])
def test_proportion_funnel_is_the_wilson_formula_at_x_equals_p0_n(p0, n):
    f = proportion_funnel(p0, n)
    assert (f.lower_95, f.upper_95) == pytest.approx(wilson(p0 * n, n, Z95), rel=1e-12)
    assert (f.lower_998, f.upper_998) == pytest.approx(wilson(p0 * n, n, Z998), rel=1e-12)


def test_proportion_funnel_matches_the_methods_md_test_vectors():
    f = proportion_funnel(0.65, 100)  # x = 65, n = 100
    assert f.lower_95 == pytest.approx(0.5525444329688797, rel=1e-12)
    assert f.upper_95 == pytest.approx(0.7363575175690247, rel=1e-12)
    assert f.lower_998 == pytest.approx(0.4954946574070431, rel=1e-12)
    assert f.upper_998 == pytest.approx(0.7783540614089697, rel=1e-12)
    f = proportion_funnel(1045 / 5000, 5000)
    assert (f.lower_95, f.upper_95) == pytest.approx(
        (0.19795549880013297, 0.22049130373189027), rel=1e-12
    )
    pct = proportion_funnel(65.0, 100, multiplier=100)  # a percentage
    assert pct.upper_95 == pytest.approx(73.63575175690247, rel=1e-12)


def test_rate_funnel_is_byar_on_the_expected_count():
    # r0 = 65 per 100,000 at n = 100,000 -> E = 65: methods.md §3.1 vector, per 100,000
    f = rate_funnel(65.0, 100_000, multiplier=100_000)
    assert f.lower_95 == pytest.approx(50.163187710459454, rel=1e-12)
    assert f.upper_95 == pytest.approx(82.84913854593984, rel=1e-12)
    assert f.lower_998 == pytest.approx(42.8802614714802, rel=1e-12)
    assert f.upper_998 == pytest.approx(94.00029084431802, rel=1e-12)
    # the same rate on a population 10x larger: E = 650, narrower limits, by the formula
    g = rate_funnel(65.0, 1_000_000, multiplier=100_000)
    lo, hi = byar(650, Z95)
    assert (g.lower_95, g.upper_95) == pytest.approx((lo / 10, hi / 10), rel=1e-12)
    # E = 1 at 99.8 %: the lower limit is undefined (NA in methods.md)
    h = rate_funnel(1.0, 100_000, multiplier=100_000)
    assert h.lower_998 is None
    assert h.upper_998 == pytest.approx(9.362180217908362, rel=1e-12)


def test_funnel_positions():
    f = proportion_funnel(0.65, 100)
    assert funnel_position(0.65, f) == "within_95"
    assert funnel_position(0.75, f) == "above_95"
    assert funnel_position(0.80, f) == "above_99.8"
    assert funnel_position(0.54, f) == "below_95"
    assert funnel_position(0.40, f) == "below_99.8"


def test_ranks_and_quartiles_follow_the_direction_of_improvement():
    values = [0.9, 0.8, 0.8, 0.5]
    assert [rank_of(v, values, "increase") for v in values] == [1, 2, 2, 4]
    assert [rank_of(v, values, "decrease") for v in values] == [4, 2, 2, 1]
    assert [quartile(r, 8) for r in range(1, 9)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_significance_uses_the_systems_own_interval():
    obs = Observation(0.65, 65, 100, "proportion", direction="increase")
    assert significance(obs, 0.50) == "higher"  # 0.50 < 0.5525
    assert significance(obs, 0.60) == "similar"
    assert significance(obs, 0.80) == "lower"
    assert significance(Observation(3.0), 1.0) is None  # no counts: not tested
    rate = Observation(50.0, 5, 10_000, "rate", multiplier=100_000)
    assert significance(rate, 10.0) == "higher"  # exact limits 16.23-116.68 (methods.md)
    assert significance(rate, 100.0) == "similar"


def test_compare_against_england_region_and_peers():
    d = date(2025, 3, 31)
    counts = {"S1": (80, 100), "S2": (60, 100), "S3": (50, 100), "S4": (70, 100), "S5": (30, 100)}
    source = HandSetMeasures(
        {
            s: {"governance.x": Observation(n / den, n, den, "proportion", direction="increase")}
            for s, (n, den) in counts.items()
        }
    )
    region = {"S1": "R1", "S2": "R1", "S3": "R2", "S4": "R2", "S5": "R1"}
    result = compare_measure(
        source, "governance.x", "S1", d, systems=list(counts), region_of=region, peers=["S4", "S3"]
    )
    england, reg, peers = result.groups
    assert england.comparator == pytest.approx(290 / 500)
    assert (england.rank, england.of, england.quartile) == (1, 5, 1)
    assert england.significance == "higher"
    assert england.judgement == "better"
    assert england.funnel.lower_95 == pytest.approx(wilson(58, 100, Z95)[0])
    assert reg.comparator == pytest.approx(170 / 300)
    assert reg.of == 3
    assert peers.comparator == pytest.approx(120 / 200)  # the peers only
    assert (peers.rank, peers.of) == (1, 3)
    assert peers.position == "above_99.8"  # 0.8 > 0.741, the 99.8 % limit at p0 = 0.6, n = 100
    rows = result.rows()
    assert [r["comparator"] for r in rows] == ["England", "region R1", "peers (2)"]

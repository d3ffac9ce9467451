"""Intervals: methods.md 3.1-3.2 test vectors plus independent reference checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize, stats

from icsys.analytics.methods.intervals import (
    byar_limits,
    byar_lower,
    byar_upper,
    crude_rate,
    exact_poisson_limits,
    normalise_confidence,
    wilson_interval,
    z_value,
)


def test_z_values_from_the_conventions_line():
    assert z_value(0.95) == pytest.approx(1.959964, abs=5e-7)
    assert z_value(0.998) == pytest.approx(3.090232, abs=5e-7)
    assert z_value(95) == z_value(0.95)


@pytest.mark.parametrize("bad", [0, -0.5, 101, math.nan])
def test_bad_confidence_levels_are_rejected(bad):
    with pytest.raises(ValueError, match="confidence level"):
        normalise_confidence(bad)


@pytest.mark.parametrize(
    ("count", "confidence", "lower", "upper"),
    [
        (65, 0.95, 50.163187710459454, 82.84913854593984),
        (65, 0.998, 42.8802614714802, 94.00029084431802),
        (1045, 0.95, 982.5932018073325, 1110.33121298565),
        (1, 0.95, 0.01307213290150435, 5.5637555824752605),
        (10, 0.998, 2.916318374695686, 24.193724927880535),
    ],
)
def test_byar_vectors(count, confidence, lower, upper):
    limits = byar_limits(count, confidence)
    assert limits.lower == pytest.approx(lower, rel=1e-12)
    assert limits.upper == pytest.approx(upper, rel=1e-12)


def test_byar_lower_is_none_when_negative():
    assert byar_lower(1, 0.998) is None
    assert byar_upper(1, 0.998) == pytest.approx(9.362180217908362, rel=1e-12)


@pytest.mark.parametrize("count", [10, 25, 65, 200, 1045])
def test_byar_is_close_to_the_exact_poisson_quantiles(count):
    # Byar's approximation against scipy's gamma/chi-square exact limits: within 1 %.
    exact_lower = stats.gamma.ppf(0.025, count)
    exact_upper = stats.gamma.ppf(0.975, count + 1)
    limits = byar_limits(count)
    assert limits.lower == pytest.approx(exact_lower, rel=0.01)
    assert limits.upper == pytest.approx(exact_upper, rel=0.01)


@pytest.mark.parametrize("count", [0, 1, 3, 9, 30])
def test_exact_limits_solve_the_poisson_tail_equations(count):
    # Independent definition: upper μ has P(X <= x | μ) = α/2; lower μ has P(X >= x | μ) = α/2.
    limits = exact_poisson_limits(count, 0.95)
    assert limits.upper is not None
    assert stats.poisson.cdf(count, limits.upper) == pytest.approx(0.025, abs=1e-9)
    if count == 0:
        assert limits.lower == 0
    else:
        assert limits.lower is not None
        assert stats.poisson.sf(count - 1, limits.lower) == pytest.approx(0.025, abs=1e-9)


@pytest.mark.parametrize(
    ("count", "value", "lower", "upper", "method"),
    [
        (5, 50, 16.2349, 116.6833, "Exact"),
        (10, 100, 47.8745, 183.9146, "Byars"),
        (0, 0, 0, 36.8888, "Exact"),
    ],
)
def test_crude_rate_vectors(count, value, lower, upper, method):
    result = crude_rate(count, 10_000)
    assert result.value == pytest.approx(value)
    assert result.lower == pytest.approx(lower, abs=5e-5)
    assert result.upper == pytest.approx(upper, abs=5e-5)
    assert result.method == method


def test_crude_rate_rejects_bad_input():
    with pytest.raises(ValueError, match="denominator"):
        crude_rate(3, 0)
    with pytest.raises(ValueError, match="count"):
        crude_rate(-1, 10)


@pytest.mark.parametrize(
    ("x", "n", "confidence", "expected"),
    [
        (65, 100, 0.95, (0.5525444329688797, 0.7363575175690247, 1e-12)),
        (65, 100, 0.998, (0.4954946574070431, 0.7783540614089697, 1e-12)),
        (1045, 5000, 0.95, (0.19795549880013297, 0.22049130373189027, 1e-12)),
        (1045, 5000, 0.998, (0.19179381799015244, 0.22731562902525818, 1e-12)),
        (0, 10, 0.95, (0, 0.277533, 5e-7)),
        (10, 10, 0.95, (0.722467, 1, 5e-7)),
        (5, 10, 0.95, (0.236593, 0.763407, 5e-7)),
    ],
)
def test_wilson_vectors(x, n, confidence, expected):
    lower, upper, tol = expected
    interval = wilson_interval(x, n, confidence)
    assert interval.lower == pytest.approx(lower, abs=tol)
    assert interval.upper == pytest.approx(upper, abs=tol)


def test_wilson_at_full_confidence():
    interval = wilson_interval(3, 10, 1)
    assert (interval.lower, interval.upper) == (0.0, 1.0)


@given(
    n=st.integers(min_value=1, max_value=10_000),
    frac=st.floats(min_value=0, max_value=1),
    confidence=st.sampled_from([0.9, 0.95, 0.99, 0.998]),
)
def test_wilson_limits_are_the_roots_of_the_score_quadratic(n, frac, confidence):
    # Wilson limits p solve (p̂ - p)² = z² p (1 - p) / n, a quadratic solved here by numpy.
    x = round(frac * n)
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p_hat = x / n
    roots = np.sort(
        np.roots([1 + z**2 / n, -(2 * p_hat + z**2 / n), p_hat**2]).real,
    )
    interval = wilson_interval(x, n, confidence)
    assert interval.lower == pytest.approx(max(roots[0], 0.0), abs=1e-9)
    assert interval.upper == pytest.approx(min(roots[1], 1.0), abs=1e-9)


def test_wilson_midpoint_matches_a_root_finder():
    z = stats.norm.ppf(0.975)

    def score(p):
        return (0.65 - p) ** 2 - z**2 * p * (1 - p) / 100

    upper = optimize.brentq(score, 0.65, 1)
    assert wilson_interval(65, 100).upper == pytest.approx(upper, abs=1e-12)

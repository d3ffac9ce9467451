"""The vectorised XmR point types agree exactly with the scalar chart on many random series."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icsys.analytics.methods.spc import xmr_chart
from icsys.analytics.methods.spc_rules import MDC_SQL_2_6, PTD, SpcRules
from icsys.analytics.methods.spc_vector import xmr_batch

PRESETS = [
    PTD,
    MDC_SQL_2_6,
    dataclasses.replace(MDC_SQL_2_6, screen_outliers=True),  # screened, mean recomputed
    dataclasses.replace(PTD, conflict_rule="improvement"),
]
DIRECTIONS = {1: "increase", -1: "decrease", 0: "neutral"}


def _series(rng: np.random.Generator, n: int) -> np.ndarray:
    kind = rng.integers(0, 4)
    if kind == 0:  # small integers: ties with the mean, flat steps, equal values
        return rng.integers(0, 4, n).astype(float)
    if kind == 1:  # a level shift and a spike
        ys = rng.normal(50, 5, n)
        ys[n // 2 :] += rng.normal(0, 15)
        ys[rng.integers(0, n)] += rng.normal(0, 40)
        return ys
    if kind == 2:  # long trends up and down
        return np.cumsum(rng.choice([-1.0, 1.0], n) * rng.integers(1, 3, n)) + rng.normal(0, 0.1)
    return np.round(rng.normal(100, 3, n), 1)


def _compare(ys: np.ndarray, directions: np.ndarray, rules: SpcRules) -> None:
    batch = xmr_batch(ys, directions, rules)
    types = batch.point_types()
    for row, d in enumerate(directions):
        chart = xmr_chart(ys[row].tolist(), rules=rules, improvement_direction=DIRECTIONS[int(d)])
        group = chart.groups[0]
        assert batch.mean[row] == group.mean
        assert batch.lpl[row] == group.lpl
        assert batch.upl[row] == group.upl
        assert batch.near_upl[row] == group.near_upl
        assert list(types[row]) == [p.point_type for p in chart.points], (rules.name, ys[row])


@pytest.mark.parametrize("rules", PRESETS, ids=lambda r: f"{r.name}/{r.conflict_rule}")
@pytest.mark.parametrize("n", [1, 2, 5, 8, 12, 13, 24, 36])
def test_batch_agrees_with_the_scalar_chart(rules: SpcRules, n: int) -> None:
    rng = np.random.default_rng(n)
    ys = np.stack([_series(rng, n) for _ in range(300)])
    directions = rng.integers(-1, 2, len(ys))
    _compare(ys, directions, rules)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=2, max_size=30),
    st.sampled_from([-1, 0, 1]),
    st.sampled_from(PRESETS),
)
def test_batch_agrees_on_any_small_integer_series(values, direction, rules) -> None:
    _compare(np.array([values], dtype=float), np.array([direction]), rules)


def test_non_finite_values_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        xmr_batch(np.array([[1.0, np.nan]]), np.array([1]))


@pytest.mark.parametrize("rules", PRESETS, ids=lambda r: f"{r.name}/{r.conflict_rule}")
def test_a_turning_point_between_two_trends_takes_the_earlier_trend(rules: SpcRules) -> None:
    noise = [0.0, 20.0] * 6
    peak = [*noise, 8, 9, 10, 11, 12, 13, 14, 13, 12, 11, 10, 9, 8, *noise]
    trough = [*noise, 14, 13, 12, 11, 10, 9, 8, 9, 10, 11, 12, 13, 14, *noise]
    ys = np.array([peak, trough, peak, trough, peak, trough], dtype=float)
    _compare(ys, np.array([1, 1, -1, -1, 0, 0]), rules)
    turning = xmr_batch(ys, np.array([1, 1, -1, -1, 0, 0]), rules).point_types()[:, 18]
    assert set(turning) - {"common_cause"}  # the tie is really exercised

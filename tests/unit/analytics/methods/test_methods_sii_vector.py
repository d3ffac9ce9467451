"""The vectorised SII gives each area exactly what the one-area SII gives it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icsys.analytics.methods.sii import SiiQuantiles, sii
from icsys.analytics.methods.sii_vector import AREAS_AT_ONCE, sii_many


def _areas(rng: np.random.Generator, n: int, k: int, value_type: int) -> tuple[np.ndarray, ...]:
    pop = rng.uniform(20, 8_000, (n, k))
    # rates per 100,000, or proportions (already divided by the multiplier)
    value = rng.uniform(50, 4_000, (n, k)) if value_type == 1 else rng.uniform(0.01, 0.7, (n, k))
    lower = value * rng.uniform(0.4, 0.97, (n, k))
    upper = value * rng.uniform(1.03, 1.4, (n, k))
    if value_type == 2:
        upper = np.minimum(upper, 0.999)
    return pop, value, lower, upper


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    k=st.sampled_from([5, 10]),
    value_type=st.sampled_from([1, 2]),
    multiplier=st.sampled_from([1.0, 100.0, -1.0]),
    reps=st.sampled_from([1_000, 10_500]),  # one batch of draws, and two
)
def test_each_area_as_sii_alone(
    seed: int, n: int, k: int, value_type: int, multiplier: float, reps: int
) -> None:
    pop, value, lower, upper = _areas(np.random.default_rng(seed), n, k, value_type)
    got = sii_many(
        pop, value, lower, upper, value_type=value_type, multiplier=multiplier, reps=reps
    )
    for i in range(n):
        one = sii(
            SiiQuantiles(pop[i].tolist(), value[i].tolist(), lower[i].tolist(), upper[i].tolist()),
            value_type=value_type,
            multiplier=multiplier,
            reps=reps,
        )
        limits = one.sii_intervals[0]
        assert (got[0][i], got[1][i], got[2][i]) == (one.sii, limits.lower, limits.upper)


def test_areas_beyond_one_batch_are_each_simulated_from_the_start() -> None:
    pop, value, lower, upper = _areas(np.random.default_rng(7), AREAS_AT_ONCE + 3, 5, 1)
    every = sii_many(pop, value, lower, upper, value_type=1, reps=1_000)
    last = sii_many(pop[-1:], value[-1:], lower[-1:], upper[-1:], value_type=1, reps=1_000)
    assert [a[-1] for a in every] == [a[0] for a in last]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: {**a, "population": a["population"] * 0}, "populations must be positive"),
        (lambda a: {**a, "value": np.where(a["value"] > 0, np.nan, 0)}, "missing"),
        (lambda a: {**a, "lower_cl": a["lower_cl"][:, :4]}, "same areas x quantiles"),
        (lambda a: {k: v[:, :4] for k, v in a.items()}, "between 5 and 100"),
    ],
)
def test_bad_inputs_are_named(change: object, message: str) -> None:
    pop, value, lower, upper = _areas(np.random.default_rng(1), 3, 5, 1)
    arrays = {"population": pop, "value": value, "lower_cl": lower, "upper_cl": upper}
    with pytest.raises(ValueError, match=message):
        sii_many(**change(arrays), value_type=1)  # type: ignore[operator]


def test_options_outside_the_method_are_refused() -> None:
    pop, value, lower, upper = _areas(np.random.default_rng(1), 3, 5, 1)
    with pytest.raises(ValueError, match="value_type"):
        sii_many(pop, value, lower, upper, value_type=0)
    with pytest.raises(ValueError, match="reps"):
        sii_many(pop, value, lower, upper, value_type=1, reps=999)

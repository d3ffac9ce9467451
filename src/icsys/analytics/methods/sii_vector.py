"""The SII and its simulated limits for many areas at once (methods.md 3.4), vectorised.

:func:`sii_many` gives, for each row of its arrays (one area and period, one entry per quantile
from most to least deprived), what :func:`icsys.analytics.methods.sii.sii` gives that area alone
with its default generator and ``transform=False``: the same fit and the same draws (each area's
simulation starts from ``numpy.random.default_rng(seed)``, so every area sees the same standard
normal deviates, scaled by its own values and standard errors). An indicator's SII across IMD
quintiles at every area and period of a run is thousands of areas: one at a time, the run spent
half a minute in Python loops.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from icsys.analytics.methods.intervals import normalise_confidence, z_value
from icsys.analytics.methods.sii import DEFAULT_REPS, MAX_QUANTILES, MIN_QUANTILES, MIN_REPS
from icsys.analytics.methods.sii_simulation import CHUNK, FloatArray, links

AREAS_AT_ONCE: Final = 500
"""Areas simulated together (their draws: areas x quantiles x replicates doubles)."""
_Z95: Final = z_value(0.95)


def sii_many(
    population: FloatArray,
    value: FloatArray,
    lower_cl: FloatArray,
    upper_cl: FloatArray,
    *,
    value_type: int,
    multiplier: float = 1.0,
    confidence: float = 0.95,
    reps: int = DEFAULT_REPS,
    seed: int = 1,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """SII, lower and upper simulated limit of each row (areas x quantiles arrays; 95 %
    limits ``lower_cl`` and ``upper_cl`` give the standard errors, as in ``sii``).

    Raises:
        ValueError: for arrays of different shapes, a quantile count outside 5-100, missing or
            non-positive populations, missing values or limits, a ``value_type`` other than
            1 (rate) or 2 (proportion), or ``reps`` below 1,000.
    """
    pop = np.asarray(population, dtype=np.float64)
    arrays = [np.asarray(a, dtype=np.float64) for a in (value, lower_cl, upper_cl)]
    if pop.ndim != 2 or any(a.shape != pop.shape for a in arrays):
        raise ValueError(
            "population, value and limits must be arrays of the same areas x quantiles"
        )
    areas, k = pop.shape
    if not MIN_QUANTILES <= k <= MAX_QUANTILES:
        raise ValueError(f"number of quantiles must be between {MIN_QUANTILES} and {MAX_QUANTILES}")
    if not np.all(np.isfinite(pop) & (pop > 0)):
        raise ValueError("populations must be positive: zero, negative or missing found")
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ValueError("a value or limit is missing")
    if value_type not in {1, 2}:
        raise ValueError(f"value_type must be 1 (rate) or 2 (proportion), got {value_type!r}")
    if reps < MIN_REPS:
        raise ValueError(f"reps must be at least {MIN_REPS}, got {reps}")
    level = normalise_confidence(confidence)
    forward, inverse = links(value_type)
    value_t, lower_t, upper_t = (forward(a) for a in arrays)
    se_t = (upper_t - lower_t) / (2 * _Z95)
    share = pop / pop.sum(axis=1, keepdims=True)
    rank = np.cumsum(share, axis=1) - share / 2
    weight = np.sqrt(share)
    design = np.stack([weight, rank * weight], axis=2)  # areas x k x 2
    across = design.transpose(0, 2, 1)
    projector = np.linalg.solve(across @ design, across)  # areas x 2 x k
    fitted = projector @ (weight * inverse(value_t))[:, :, None]
    sii = fitted[:, 1, 0] * multiplier
    rng = np.random.default_rng(seed)
    deviates = [rng.standard_normal((k, min(CHUNK, reps - s))) for s in range(0, reps, CHUNK)]
    low_at = max(round(reps * (1 - level) / 2), 1) - 1
    high_at = min(max(round(reps * (level + (1 - level) / 2)), 1), reps) - 1
    lower = np.empty(areas)
    upper = np.empty(areas)
    for start in range(0, areas, AREAS_AT_ONCE):
        at = slice(start, start + AREAS_AT_ONCE)
        slopes = np.concatenate(
            [
                (
                    projector[at]
                    @ (
                        weight[at][:, :, None]
                        * inverse(value_t[at][:, :, None] + se_t[at][:, :, None] * z)
                    )
                )[:, 1, :]
                for z in deviates
            ],
            axis=1,
        )
        slopes.sort(axis=1)
        ends = slopes[:, [low_at, high_at]] * multiplier
        lower[at], upper[at] = ends.min(axis=1), ends.max(axis=1)
    return sii, lower, upper

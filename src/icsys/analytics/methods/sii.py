"""Slope and Relative Index of Inequality across deprivation quantiles (methods.md 3.4).

Quantiles are ordered 1 = most deprived ... k = least deprived. With population shares ``a_i`` and
relative ranks ``b_i = Σ_{j<i} a_j + a_i/2``, the point estimate is the weighted least-squares fit
of ``y`` on ``b`` with weights ``a`` (the no-intercept OLS of ``√a·y`` on ``[√a, b·√a]``). Limits
come from simulation: ``Y*_i ~ N(value_i, se_i)`` on the transformed scale, refitted ``reps``
times, and order statistics ``round(R(1-c)/2)`` and ``round(R(c + (1-c)/2))`` of the sorted slopes.

``value_type``: 0 = no transform, 1 = rate (log), 2 = proportion (logit). For 1 and 2 the 95 %
limits are required (the SE is derived from them on the transformed scale). ``transform=True``
fits on the transformed scale and maps the result back (value_type 1 or 2 only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from icsys.analytics.methods.intervals import Interval, normalise_confidence, z_value
from icsys.analytics.methods.sii_simulation import (
    FloatArray,
    Link,
    links,
    order_statistics,
    simulate,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence


MIN_QUANTILES: Final = 5
MAX_QUANTILES: Final = 100
WARN_QUANTILES: Final = 10
MIN_REPS: Final = 1_000
DEFAULT_REPS: Final = 100_000
_Z95: Final = z_value(0.95)


class MissingQuantileDataError(ValueError):
    """A quantile has no value, standard error or limits (PHE drops such an area)."""


@dataclass(frozen=True)
class SiiQuantiles:
    """One area's inputs, one entry per quantile from most to least deprived."""

    population: Sequence[float | None]
    value: Sequence[float | None]
    lower_cl: Sequence[float | None] | None = None
    upper_cl: Sequence[float | None] | None = None
    se: Sequence[float | None] | None = None


@dataclass(frozen=True)
class SiiResult:
    """SII, RII, the fitted value at the most-deprived end, and simulated limits."""

    sii: float
    rii: float
    intercept: float
    sii_intervals: tuple[Interval, ...]
    rii_intervals: tuple[Interval, ...]
    value_type: int
    transform: bool
    multiplier: float
    reps: int | None
    n_quantiles: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiiAreasResult:
    """Results for the areas that could be computed and the names of those dropped."""

    results: Mapping[str, SiiResult]
    dropped: tuple[str, ...]


def relative_ranks(population: Sequence[float]) -> tuple[float, ...]:
    """Midpoints ``b_i`` of the cumulative population shares (most deprived first)."""
    pop = _populations(population)
    share = pop / pop.sum()
    return tuple(float(x) for x in np.cumsum(share) - share / 2)


def sii(
    data: SiiQuantiles,
    *,
    value_type: int = 0,
    transform: bool = False,
    confidence: float | Iterable[float] = 0.95,
    multiplier: float = 1.0,
    reps: int | None = DEFAULT_REPS,
    rng: np.random.Generator | None = None,
) -> SiiResult:
    """SII and RII for one area; ``reps=None`` skips the simulated limits.

    ``rng`` defaults to ``numpy.random.default_rng(1)`` so results are reproducible.

    Raises:
        ValueError: for zero, negative or missing populations, a quantile count outside 5-100,
            a bad ``value_type``/``transform`` combination, or ``reps`` below 1,000.
        MissingQuantileDataError: if a value, SE or limit is missing.
    """
    pop = _populations(data.population)
    k = pop.size
    if value_type not in {0, 1, 2}:
        raise ValueError(f"value_type must be 0, 1 or 2, got {value_type!r}")
    if transform and value_type == 0:
        raise ValueError("transform=True needs value_type 1 (rate) or 2 (proportion)")
    if reps is not None and reps < MIN_REPS:
        raise ValueError(f"reps must be at least {MIN_REPS}, got {reps}")
    levels = (confidence,) if isinstance(confidence, int | float) else tuple(confidence)
    levels = tuple(normalise_confidence(c) for c in levels)
    forward, inverse = links(value_type)
    value_t = forward(_column(data.value, k, "value"))

    share = pop / pop.sum()
    rank = np.cumsum(share) - share / 2
    design = np.column_stack([np.sqrt(share), rank * np.sqrt(share)])
    projector = np.linalg.solve(design.T @ design, design.T)
    fit_y = value_t if transform else inverse(value_t)
    intercept, slope = projector @ (np.sqrt(share) * fit_y)
    if transform:
        low_end, high_end = inverse(np.array([intercept, intercept + slope]))
        sii_value = (high_end - low_end) * multiplier
        rii_value = high_end / low_end
        intercept_out = low_end * abs(multiplier)
    else:
        sii_value = slope * multiplier
        rii_value = (intercept + slope) / intercept
        intercept_out = intercept * abs(multiplier)
    if multiplier < 0:
        rii_value = 1 / rii_value

    sii_intervals: list[Interval] = []
    rii_intervals: list[Interval] = []
    if reps is not None:
        generator = rng if rng is not None else np.random.default_rng(1)
        slopes, riis = simulate(
            projector,
            share,
            value_t,
            _standard_errors(data, k, value_type, forward),
            reps=reps,
            rng=generator,
            back=None if transform else inverse,
        )
        for level in levels:
            s_low, s_high = order_statistics(slopes, reps, level)
            if transform:
                mid = intercept + slope / 2
                ends = [inverse(np.array([mid - s / 2, mid + s / 2])) for s in (s_low, s_high)]
                sii_pair = [(hi - lo) * multiplier for lo, hi in ends]
                rii_pair = [hi / lo for lo, hi in ends]
            else:
                sii_pair = [s_low * multiplier, s_high * multiplier]
                rii_pair = list(order_statistics(riis, reps, level))
            if multiplier < 0:
                rii_pair = [1 / r for r in rii_pair]
            sii_intervals.append(Interval(level, min(sii_pair), max(sii_pair)))
            rii_intervals.append(Interval(level, min(rii_pair), max(rii_pair)))
    notes = (f"{k} quantiles: PHE warns above {WARN_QUANTILES}",) if k > WARN_QUANTILES else ()
    return SiiResult(
        sii=float(sii_value),
        rii=float(rii_value),
        intercept=float(intercept_out),
        sii_intervals=tuple(sii_intervals),
        rii_intervals=tuple(rii_intervals),
        value_type=value_type,
        transform=transform,
        multiplier=multiplier,
        reps=reps,
        n_quantiles=k,
        notes=notes,
    )


def sii_by_area(
    areas: Mapping[str, SiiQuantiles],
    *,
    value_type: int = 0,
    transform: bool = False,
    confidence: float | Iterable[float] = 0.95,
    multiplier: float = 1.0,
    reps: int | None = DEFAULT_REPS,
    seed: int = 1,
) -> SiiAreasResult:
    """:func:`sii` for several areas; areas with a missing value, SE or limit are dropped.

    Each area gets its own generator seeded with ``seed``, so one area's limits do not depend on
    which other areas are present. Population errors are raised, as in :func:`sii`.
    """
    results: dict[str, SiiResult] = {}
    dropped: list[str] = []
    for name, data in areas.items():
        try:
            results[name] = sii(
                data,
                value_type=value_type,
                transform=transform,
                confidence=confidence,
                multiplier=multiplier,
                reps=reps,
                rng=np.random.default_rng(seed),
            )
        except MissingQuantileDataError:
            dropped.append(name)
    return SiiAreasResult(results=results, dropped=tuple(dropped))


def _populations(population: Sequence[float | None]) -> FloatArray:
    if any(p is None or (isinstance(p, float) and math.isnan(p)) for p in population):
        raise ValueError("population is missing for at least one quantile")
    pop = np.asarray(population, dtype=np.float64)
    if np.any(pop <= 0):
        raise ValueError("populations must be positive: zero or negative population found")
    if not MIN_QUANTILES <= pop.size <= MAX_QUANTILES:
        raise ValueError(
            f"number of quantiles must be between {MIN_QUANTILES} and {MAX_QUANTILES}, "
            f"got {pop.size}",
        )
    return pop


def _column(values: Sequence[float | None] | None, k: int, name: str) -> FloatArray:
    if values is None or len(values) != k:
        raise MissingQuantileDataError(f"{name} must have one entry per quantile ({k})")
    array = np.asarray([math.nan if v is None else v for v in values], dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise MissingQuantileDataError(f"{name} is missing for at least one quantile")
    return array


def _standard_errors(data: SiiQuantiles, k: int, value_type: int, forward: Link) -> FloatArray:
    if data.se is not None and value_type == 0:
        return _column(data.se, k, "se")
    if data.lower_cl is None or data.upper_cl is None:
        raise MissingQuantileDataError(
            "95 % limits are needed (or se, for value_type 0) to simulate confidence limits",
        )
    lower = forward(_column(data.lower_cl, k, "lower_cl"))
    upper = forward(_column(data.upper_cl, k, "upper_cl"))
    return (upper - lower) / (2 * _Z95)

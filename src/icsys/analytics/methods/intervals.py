"""Confidence intervals for counts, rates and proportions (methods.md section 3).

Formulas follow PHEindicatormethods as written up in methods.md 3.1-3.2 (implemented from the
formulas, not from the GPL source):

* z for a two-sided level ``c``: ``z = Φ⁻¹(c + (1 - c)/2)``.
* Byar's approximation to Poisson limits for an observed count ``O``.
* Exact Poisson limits from chi-square quantiles.
* Wilson score interval for a proportion.
* Crude rate with exact limits below 10 events and Byar's limits from 10 events (as ``phe_rate``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from scipy import stats

BYAR_MIN_COUNT: Final = 10
"""From this many events a crude rate uses Byar's limits; below it, exact limits."""

RateMethod = Literal["Exact", "Byars"]


@dataclass(frozen=True)
class Interval:
    """Lower and upper limits at one confidence level (``None`` where undefined)."""

    confidence: float
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class RateResult:
    """A crude rate per ``multiplier`` with its limits and the method used for them."""

    count: float
    denominator: float
    value: float
    lower: float | None
    upper: float | None
    confidence: float
    multiplier: float
    method: RateMethod


def normalise_confidence(confidence: float) -> float:
    """Return the level as a fraction; 90-100 is read as a percentage, as PHE does.

    Raises:
        ValueError: if the level is not in (0, 1] or (1, 100].
    """
    level = confidence / 100 if confidence > 1 else confidence
    if not 0 < level <= 1 or not math.isfinite(level):
        raise ValueError(f"confidence level must be in (0, 1] or (1, 100], got {confidence!r}")
    return float(level)


def z_value(confidence: float) -> float:
    """Two-sided normal quantile ``Φ⁻¹(c + (1 - c)/2)`` (1.959964 for 95 %, 3.090232 for 99.8 %)."""
    level = normalise_confidence(confidence)
    return float(stats.norm.ppf(level + (1 - level) / 2))


def byar_lower(count: float, confidence: float = 0.95) -> float | None:
    """Byar's lower limit for an observed count; ``None`` when the formula goes negative.

    A count of zero has lower limit 0 (the formula itself is undefined there).
    """
    _check_count(count)
    if count == 0:
        return 0.0
    z = z_value(confidence)
    value = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    return value if value >= 0 else None


def byar_upper(count: float, confidence: float = 0.95) -> float:
    """Byar's upper limit for an observed count."""
    _check_count(count)
    z = z_value(confidence)
    o1 = count + 1
    return o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3


def byar_limits(count: float, confidence: float = 0.95) -> Interval:
    """Byar's lower and upper Poisson limits for a count at one level."""
    level = normalise_confidence(confidence)
    return Interval(level, byar_lower(count, level), byar_upper(count, level))


def exact_poisson_limits(count: float, confidence: float = 0.95) -> Interval:
    """Exact Poisson limits: ``χ²((1-c)/2, 2x)/2`` and ``χ²(c + (1-c)/2, 2x + 2)/2``."""
    _check_count(count)
    level = normalise_confidence(confidence)
    alpha = 1 - level
    lower = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2
    upper = float(stats.chi2.ppf(level + alpha / 2, 2 * count + 2)) / 2
    return Interval(level, lower, upper)


def wilson_interval(successes: float, trials: float, confidence: float = 0.95) -> Interval:
    """Wilson score interval for ``successes / trials`` (``c = 1`` gives 0 and 1).

    Raises:
        ValueError: if ``trials`` is not positive or ``successes`` is outside ``[0, trials]``.
    """
    if not trials > 0:
        raise ValueError(f"trials must be positive, got {trials!r}")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be in [0, trials], got {successes!r} of {trials!r}")
    level = normalise_confidence(confidence)
    if level == 1:
        return Interval(level, 0.0, 1.0)
    z = z_value(level)
    centre = 2 * successes + z**2
    spread = z * math.sqrt(z**2 + 4 * successes * (1 - successes / trials))
    scale = 2 * (trials + z**2)
    lower = max(0.0, (centre - spread) / scale)
    upper = min(1.0, (centre + spread) / scale)
    return Interval(level, lower, upper)


def crude_rate(
    count: float,
    denominator: float,
    *,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> RateResult:
    """Crude rate ``count / denominator × multiplier`` as PHE ``phe_rate`` computes it.

    Counts below 10 get exact (chi-square) limits and ``method="Exact"``; from 10 they get
    Byar's limits and ``method="Byars"``.

    Raises:
        ValueError: for a negative count or a non-positive denominator.
    """
    _check_count(count)
    if not denominator > 0:
        raise ValueError(f"denominator must be positive, got {denominator!r}")
    level = normalise_confidence(confidence)
    method: RateMethod
    if count < BYAR_MIN_COUNT:
        limits, method = exact_poisson_limits(count, level), "Exact"
    else:
        limits, method = byar_limits(count, level), "Byars"
    factor = multiplier / denominator
    return RateResult(
        count=count,
        denominator=denominator,
        value=count * factor,
        lower=None if limits.lower is None else limits.lower * factor,
        upper=None if limits.upper is None else limits.upper * factor,
        confidence=level,
        multiplier=multiplier,
        method=method,
    )


def _check_count(count: float) -> None:
    if not count >= 0 or not math.isfinite(count):
        raise ValueError(f"count must be a finite non-negative number, got {count!r}")

"""Directly standardised rates with Dobson limits (methods.md 3.3).

``DSR = Σ(O_i·w_i/n_i) / Σw_i × multiplier``; ``var = Σ(O_i·(w_i/n_i)²) / (Σw_i)²``;
limits ``DSR + √(var/O)·(O_L − O)·multiplier`` with Byar's ``O_L``/``O_U`` for ``O = ΣO_i``.
Value and limits are ``None`` when the total count is below 10 (PHE: "dsr NA for total count < 10").
Events are assumed independent (PHE's ``independent_events = TRUE``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from icsys.analytics.methods.intervals import (
    Interval,
    byar_lower,
    byar_upper,
    normalise_confidence,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

DSR_MIN_COUNT: Final = 10

ESP2013_WEIGHTS: Final[tuple[int, ...]] = (
    5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
    7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
)  # fmt: skip
"""European Standard Population 2013 in 19 bands: 0-4, 5-9, ..., 85-89, 90+ (sum 100,000)."""

ESP2013_BANDS: Final[tuple[str, ...]] = (
    *(f"{low}-{low + 4}" for low in range(0, 90, 5)),
    "90+",
)
"""Labels of the 19 ESP 2013 bands, in the order of :data:`ESP2013_WEIGHTS`."""

_BAND_WIDTH: Final = 5


@dataclass(frozen=True)
class DsrResult:
    """A directly standardised rate and its Dobson limits at each requested level."""

    value: float | None
    total_count: float
    total_population: float
    intervals: tuple[Interval, ...]
    multiplier: float
    method: str = "Dobson"

    def interval(self, confidence: float) -> Interval:
        """The limits at ``confidence`` (fraction or percentage).

        Raises:
            KeyError: if that level was not computed.
        """
        level = normalise_confidence(confidence)
        for item in self.intervals:
            if math.isclose(item.confidence, level):
                return item
        raise KeyError(f"no limits at confidence {confidence!r}")


def esp2013_band(age: int) -> int:
    """Index (0-18) of the ESP 2013 band holding a single-year age; 90 and over is band 18.

    Raises:
        ValueError: for a negative age.
    """
    if age < 0:
        raise ValueError(f"age must be non-negative, got {age!r}")
    return min(age // _BAND_WIDTH, len(ESP2013_WEIGHTS) - 1)


def to_esp2013_bands(counts_by_age: Mapping[int, float]) -> tuple[float, ...]:
    """Sum counts keyed by single-year age into the 19 ESP 2013 bands."""
    totals = [0.0] * len(ESP2013_WEIGHTS)
    for age, count in counts_by_age.items():
        totals[esp2013_band(age)] += count
    return tuple(totals)


def dsr(
    counts: Sequence[float | None],
    populations: Sequence[float],
    standard: Sequence[float] = ESP2013_WEIGHTS,
    *,
    multiplier: float = 100_000,
    confidence: float | Iterable[float] = 0.95,
) -> DsrResult:
    """Directly standardised rate of ``counts`` over ``populations`` against ``standard``.

    Missing counts (``None``) count as zero. ``confidence`` is one level or several (for example
    ``(0.95, 0.998)``); each becomes one :class:`Interval`, in the order given.

    Raises:
        ValueError: if the sequences differ in length, a population is not positive, or a
            count or standard weight is negative.
    """
    levels = _levels(confidence)
    if not len(counts) == len(populations) == len(standard):
        raise ValueError(
            f"counts ({len(counts)}), populations ({len(populations)}) and standard "
            f"({len(standard)}) must have the same length",
        )
    observed = [0.0 if c is None else float(c) for c in counts]
    if any(not o >= 0 for o in observed):
        raise ValueError("counts must be non-negative")
    if any(not n > 0 for n in populations):
        raise ValueError("populations must all be positive")
    if any(not w >= 0 for w in standard) or not sum(standard) > 0:
        raise ValueError("standard weights must be non-negative with a positive total")

    total_weight = math.fsum(standard)
    total = math.fsum(observed)
    if total < DSR_MIN_COUNT:
        return DsrResult(
            value=None,
            total_count=total,
            total_population=math.fsum(populations),
            intervals=tuple(Interval(level, None, None) for level in levels),
            multiplier=multiplier,
        )
    ratios = [w / n for w, n in zip(standard, populations, strict=True)]
    rate = math.fsum(o * r for o, r in zip(observed, ratios, strict=True)) / total_weight
    variance = math.fsum(o * r * r for o, r in zip(observed, ratios, strict=True)) / total_weight**2
    scale = math.sqrt(variance / total)
    intervals = []
    for level in levels:
        o_lower = byar_lower(total, level)
        o_upper = byar_upper(total, level)
        intervals.append(
            Interval(
                level,
                None if o_lower is None else (rate + scale * (o_lower - total)) * multiplier,
                (rate + scale * (o_upper - total)) * multiplier,
            ),
        )
    return DsrResult(
        value=rate * multiplier,
        total_count=total,
        total_population=math.fsum(populations),
        intervals=tuple(intervals),
        multiplier=multiplier,
    )


def _levels(confidence: float | Iterable[float]) -> tuple[float, ...]:
    raw = (confidence,) if isinstance(confidence, int | float) else tuple(confidence)
    if not raw:
        raise ValueError("at least one confidence level is needed")
    return tuple(normalise_confidence(level) for level in raw)

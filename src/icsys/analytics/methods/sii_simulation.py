"""Link functions and the simulation behind SII/RII confidence limits (methods.md 3.4).

``simulate`` draws ``Y*_i ~ N(value_i, se_i)`` on the transformed scale (back-transformed
before the fit when ``back`` is given), fits ``β* = (MᵀM)⁻¹Mᵀ(√a ∘ Y*)`` and returns the sorted
slopes and RIIs; ``order_statistics`` picks elements ``round(R(1-c)/2)`` and
``round(R(c + (1-c)/2))`` (1-based) from them.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

CHUNK: Final = 10_000
"""Replicates drawn per batch, to bound memory with 100 quantiles and 100,000 reps."""


class Link:
    """Identity (value_type 0), log (1) or logit (2), or the inverse of one of them."""

    def __init__(self, kind: int, *, inverse: bool) -> None:
        self.kind = kind
        self.inverse = inverse

    def __call__(self, x: FloatArray) -> FloatArray:
        if self.kind == 0:
            return x
        if self.kind == 1:
            return np.exp(x) if self.inverse else np.log(x)
        return 1 / (1 + np.exp(-x)) if self.inverse else np.log(x / (1 - x))


def links(value_type: int) -> tuple[Link, Link]:
    """The forward and inverse link for a PHE ``value_type``."""
    return Link(value_type, inverse=False), Link(value_type, inverse=True)


def simulate(
    projector: FloatArray,
    share: FloatArray,
    value_t: FloatArray,
    se_t: FloatArray,
    *,
    reps: int,
    rng: np.random.Generator,
    back: Link | None,
) -> tuple[FloatArray, FloatArray]:
    """Sorted simulated slopes and RIIs (``(β₀ + β₁)/β₀``)."""
    slopes: list[FloatArray] = []
    riis: list[FloatArray] = []
    weight = np.sqrt(share)[:, None]
    for start in range(0, reps, CHUNK):
        n = min(CHUNK, reps - start)
        draws = rng.normal(value_t[:, None], se_t[:, None], size=(value_t.size, n))
        if back is not None:
            draws = back(draws)
        params = projector @ (weight * draws)
        slopes.append(params[1])
        riis.append((params[0] + params[1]) / params[0])
    return np.sort(np.concatenate(slopes)), np.sort(np.concatenate(riis))


def order_statistics(sorted_values: FloatArray, reps: int, level: float) -> tuple[float, float]:
    """Lower and upper limits at ``level`` from ``reps`` sorted replicates."""
    low = max(round(reps * (1 - level) / 2), 1)
    high = min(max(round(reps * (level + (1 - level) / 2)), 1), reps)
    return float(sorted_values[low - 1]), float(sorted_values[high - 1])

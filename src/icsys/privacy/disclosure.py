"""Statistical disclosure control for counts (methods.md section 6).

OpenSAFELY-style release of a set of counts: redact any count from 1 to ``threshold`` (default
7; zero stays zero), round the rest, and publish a total that is the sum of the rounded,
published cells (so the redacted cells cannot be recovered from it).

Rounding modes:

* ``nearest5`` — nearest multiple of 5, ties half-up (``x = 5k + 2.5`` cannot occur for integer
  counts with base 5; the rule matters for other bases, where 15 → 20 with base 10).
* ``midpoint6`` — ``ceil(x/6)·6 − 3`` for ``x ≠ 0`` and 0 for 0: 1-6 → 3, 7-12 → 9,
  13-18 → 15; the true value lies in ``[r − 2, r + 3]``. Columns take the suffix ``_midpoint6``
  and values derived from them ``_midpoint6_derived``. OpenSAFELY uses midpoint-6 instead of
  redaction; pass ``threshold=0`` for that.
* ``none`` — no rounding (redaction only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

RoundingMode = Literal["nearest5", "midpoint6", "none"]

DEFAULT_THRESHOLD: Final = 7
MIDPOINT_BASE: Final = 6
NEAREST_BASE: Final = 5
MIDPOINT6_SUFFIX: Final = "_midpoint6"
MIDPOINT6_DERIVED_SUFFIX: Final = "_midpoint6_derived"


@dataclass(frozen=True)
class DisclosedCounts:
    """Counts ready for release: ``None`` marks a redacted cell; no raw values are kept."""

    values: tuple[int | None, ...]
    total: int
    threshold: int
    mode: RoundingMode
    value_suffix: str
    total_suffix: str


def is_disclosive(count: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True for a count that must be redacted: ``1 <= count <= threshold``."""
    return 1 <= count <= threshold


def round_half_up(count: int, base: int = NEAREST_BASE) -> int:
    """Round a non-negative integer to the nearest multiple of ``base``, ties upward.

    Raises:
        ValueError: for a negative count or a base below 1.
    """
    _check_count(count)
    if base < 1:
        raise ValueError(f"rounding base must be at least 1, got {base}")
    quotient, remainder = divmod(count, base)
    return (quotient + (2 * remainder >= base)) * base


def round_midpoint6(count: int) -> int:
    """Midpoint-6 rounding: 0 → 0, otherwise ``ceil(x/6)·6 − 3``."""
    _check_count(count)
    if count == 0:
        return 0
    return -(-count // MIDPOINT_BASE) * MIDPOINT_BASE - MIDPOINT_BASE // 2


def round_count(count: int, mode: RoundingMode) -> int:
    """Round one count with ``mode``."""
    if mode == "nearest5":
        return round_half_up(count, NEAREST_BASE)
    if mode == "midpoint6":
        return round_midpoint6(count)
    _check_count(count)
    return count


def suppress_and_round(
    counts: Sequence[int],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    mode: RoundingMode = "nearest5",
) -> DisclosedCounts:
    """Redact counts from 1 to ``threshold``, round the others, total the published cells.

    Raises:
        ValueError: for a negative count or threshold, or an unknown mode.
    """
    check_threshold(threshold)
    if mode not in {"nearest5", "midpoint6", "none"}:
        raise ValueError(f"unknown rounding mode {mode!r}")
    values: list[int | None] = []
    for count in counts:
        _check_count(count)
        values.append(None if is_disclosive(count, threshold) else round_count(count, mode))
    midpoint = mode == "midpoint6"
    return DisclosedCounts(
        values=tuple(values),
        total=sum(v for v in values if v is not None),
        threshold=threshold,
        mode=mode,
        value_suffix=MIDPOINT6_SUFFIX if midpoint else "",
        total_suffix=MIDPOINT6_DERIVED_SUFFIX if midpoint else "",
    )


def check_threshold(threshold: int) -> None:
    """Reject a negative suppression threshold.

    Raises:
        ValueError: if ``threshold`` is negative.
    """
    if threshold < 0:
        raise ValueError(f"threshold must be non-negative (usually 5 or 7), got {threshold}")


def _check_count(count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"counts must be non-negative integers, got {count!r}")

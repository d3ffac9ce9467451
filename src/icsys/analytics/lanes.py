"""Counts summed two to a column ("lanes"), for the population families' aggregation.

A population family sums dozens of 0/1 columns (one a measure: the people, the people with each
condition, in each segment…) over tens of millions of person-dates, and the engine's cost grows
with the number of sums. Two counts ``a`` and ``b`` are summed as one double ``a + b * LANE``
and split apart after stage 2; halving the sums halves most of the aggregation's time.

Exact, not approximate: every value is a whole number, and a double holds whole numbers exactly
up to 2**53. Each lane holds up to ``LANE - 1`` = 67,108,863, and a stage-2 group of a population
family counts each person at most once (one row a person and period end), so packing is used
only when there are fewer people than ``LANE`` (:func:`can_pack`) — more than England's.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir  # type: ignore[import-untyped]

LANE = 2.0**26
Pair = tuple[str, str, str]  # (packed column, low lane's measure, high lane's measure)


def can_pack(people: int) -> bool:
    """Whether each lane's sum stays below :data:`LANE` with this many people."""
    return people < LANE


def pairs(counts: Sequence[str]) -> tuple[Pair, ...]:
    """The 0/1 columns ``counts`` two to a packed column (an odd last one is left alone)."""
    return tuple((f"{lo}_{hi}", lo, hi) for lo, hi in zip(counts[::2], counts[1::2], strict=False))


def pack(
    measures: dict[str, ir.NumericValue], packed: Sequence[Pair]
) -> dict[str, ir.NumericValue]:
    """``measures`` with each pair replaced by its packed column."""
    out = dict(measures)
    for name, lo, hi in packed:
        out[name] = out.pop(lo) + out.pop(hi) * LANE
    return out


def unpack(t: ir.Table, packed: Sequence[Pair]) -> ir.Table:
    """``t`` with each packed column split back into its two measures (exactly)."""
    if not packed:
        return t
    parts: dict[str, ir.NumericValue] = {}
    for name, lo, hi in packed:
        high = (t[name] / LANE).floor().cast("float64")
        parts[hi] = high
        parts[lo] = t[name] - high * LANE
    return t.mutate(**parts).drop(*(name for name, _lo, _hi in packed))

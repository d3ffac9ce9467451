"""Counts summed several to a column ("lanes"), for the population families' aggregation.

A population family sums dozens of 0/1 columns (one a measure: the people, the people with each
condition, in each segment…) over tens of millions of person-dates, and the engine's cost grows
with the number of sums (about linearly: one sum in twenty-one costs a twenty-first). Counts
``a``, ``b``, ``c``… are summed as one double ``a + b * 2**k + c * 2**(2k) + …`` and split apart
after stage 2.

Exact, not approximate: every value is a whole number, and a double holds whole numbers exactly
up to 2**53. A stage-2 group of a population family counts each person at most once (one row a
person and period end), so no lane's sum passes the number of people in the largest unit; each
lane is given the bits that number needs (:func:`packing`), and as many lanes share a column as
fit in 53 bits: four at a million people (about 6,000 in the largest unit), two at England's
size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis.expr.types as ir  # type: ignore[import-untyped]

MANTISSA_BITS = 53


@dataclass(frozen=True)
class Packing:
    """Which counts share a column: ``columns`` maps each packed column to its counts, lowest
    lane first; each lane is ``bits`` wide."""

    bits: int
    columns: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def lane(self) -> float:
        """The multiplier from one lane to the next (``2 ** bits``)."""
        return float(2**self.bits)


NONE = Packing(MANTISSA_BITS, ())


def packing(counts: Sequence[str], largest: int) -> Packing:
    """How to pack the 0/1 columns ``counts`` when no group's count can pass ``largest``:
    lanes of the bits ``largest`` needs, as many to a column as a double holds exactly (none
    when fewer than two fit; a column left over alone is not packed)."""
    bits = max(1, int(largest).bit_length())
    per = MANTISSA_BITS // bits
    if per < 2:  # one lane a column is no packing
        return NONE
    columns = []
    for at in range(0, len(counts), per):
        group = tuple(counts[at : at + per])
        if len(group) > 1:
            columns.append(("_".join(group), group))
    return Packing(bits, tuple(columns))


def pack(measures: dict[str, ir.NumericValue], packed: Packing) -> dict[str, ir.NumericValue]:
    """``measures`` with each packed column's counts replaced by the column."""
    out = dict(measures)
    for name, group in packed.columns:
        value = out.pop(group[0])
        for i, measure in enumerate(group[1:], 1):
            value = value + out.pop(measure) * packed.lane**i
        out[name] = value
    return out


def unpack(t: ir.Table, packed: Packing) -> ir.Table:
    """``t`` with each packed column split back into its counts (exactly: whole numbers below
    2**53 divided by powers of two)."""
    if not packed.columns:
        return t
    parts: dict[str, ir.NumericValue] = {}
    for name, group in packed.columns:
        above = [(t[name] / packed.lane**i).floor().cast("float64") for i in range(len(group) + 1)]
        for i, measure in enumerate(group):
            parts[measure] = above[i] - above[i + 1] * packed.lane
    return t.mutate(**parts).drop(*(name for name, _group in packed.columns))

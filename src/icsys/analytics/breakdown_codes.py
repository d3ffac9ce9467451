"""Breakdown values as small integers inside the plan, decoded once at the end.

Stage 2 of a family repeats each row once per breakdown and groups by the breakdown value; on
text keys that grouping dominated a family's run time (the registered population at 1M people:
79 million rows). Every (breakdown, value) pair the plan can produce has a fixed *cell code*
(its position in :data:`CELLS`), computed from the row's attributes, and the engine returns the
codes, turned back into the breakdown and its value by :func:`icsys.analytics.coded.decode`.
Breakdowns that are sums of another's cells (the IMD quintile and Core20 of deciles, ``all`` of
any breakdown) are not repeated for but summed after the grouping (:func:`fan_out`): the
registered population at 1M people groups 52 million rows instead of 79.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from icsys.analytics.sources import AGE_BANDS, BREAKDOWNS, ETHNICITY_GROUPS, NOT_STATED, SEXES
from icsys.analytics.sources import UNKNOWN as U

ALL: Final = "all"
DECILES: Final = tuple(str(d) for d in range(1, 11))
QUINTILES: Final = tuple(str(q) for q in range(1, 6))

VALUES: Final[dict[str, tuple[str, ...]]] = {
    ALL: (ALL,),
    "sex": (*SEXES.values(), U),
    "age_band": (*(label for _low, label in AGE_BANDS), U),
    "imd_quintile": (*QUINTILES, U),
    "imd_decile": (*DECILES, U),
    "core20": ("Core20", "Other", U),
    "ethnicity_group": (*dict.fromkeys(ETHNICITY_GROUPS.values()), NOT_STATED),
}
"""Every value each breakdown takes, the fallback (unknown or not stated) last."""

CELLS: Final[tuple[tuple[str, str], ...]] = tuple(
    (b, v) for b in (ALL, *BREAKDOWNS) for v in VALUES[b]
)
"""(breakdown, value) by cell code."""
_OFFSET: Final = {b: next(i for i, c in enumerate(CELLS) if c[0] == b) for b in VALUES}


def _position(value: ir.Value, labels: tuple[str, ...]) -> ir.IntegerValue:
    """The index of a text ``value`` in ``labels`` (the last, the fallback, when not listed)."""
    cases = [(value == label, i) for i, label in enumerate(labels[:-1])]
    return ibis.cases(*cases, else_=len(labels) - 1)


def _age_band(t: ir.Table) -> ir.IntegerValue:
    cases = [(t.age >= low, i) for i, (low, _label) in reversed(list(enumerate(AGE_BANDS)))]
    return ibis.cases(*cases, else_=len(AGE_BANDS))


def _decile(t: ir.Table) -> ir.IntegerValue:
    d = t.imd_decile
    return ibis.cases((d.between(1, 10), d - 1), else_=len(DECILES))


def _quintile(t: ir.Table) -> ir.IntegerValue:
    d = t.imd_decile
    return ibis.cases((d.between(1, 10), (d + 1) // 2 - 1), else_=len(QUINTILES))


def _core20(t: ir.Table) -> ir.IntegerValue:
    d = t.imd_decile
    return ibis.cases((d.between(1, 2), 0), (d.between(3, 10), 1), else_=2)  # Core20, Other, U


_INDEX: Final[dict[str, Callable[[ir.Table], ir.IntegerValue]]] = {
    ALL: lambda _t: ibis.literal(0),
    "sex": lambda t: _position(t.sex_v, VALUES["sex"]),
    "age_band": _age_band,
    "imd_quintile": _quintile,
    "imd_decile": _decile,
    "core20": _core20,
    "ethnicity_group": lambda t: _position(t.eth_group, VALUES["ethnicity_group"]),
}


def cell_code(t: ir.Table, breakdown: str) -> ir.IntegerValue:
    """The cell code of each row of ``t`` (with ``age``, ``sex_v``, ``eth_group`` and
    ``imd_decile``) for one breakdown."""
    return (_INDEX[breakdown](t) + _OFFSET[breakdown]).cast("int32")


_DERIVED: Final[dict[str, tuple[tuple[str, Callable[[int], int]], ...]]] = {
    "imd_quintile": (("imd_decile", lambda i: i // 2),),
    "core20": (
        ("imd_decile", lambda i: 0 if i < 2 else (1 if i < len(DECILES) else 2)),
        ("imd_quintile", lambda i: 0 if i == 0 else (1 if i < len(QUINTILES) else 2)),
    ),
}
"""Breakdowns whose cells are sums of another's: (source breakdown, the source value's index →
this breakdown's value index), in order of preference. The unknown decile (the last value,
no decile or one out of range) is the unknown quintile and the unknown Core20."""


def fan_out(breakdowns: Iterable[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """The breakdowns a row is repeated for at stage 2, and the (source cell, derived cell)
    pairs that give every other breakdown of ``breakdowns`` by summing cells afterwards.

    Stage 2's cost grows with the rows it groups: of sex, age band, IMD decile and quintile,
    Core20 and ethnic group, only four are repeated for (the quintile and Core20 are sums of
    deciles, and ``all`` the sum of any breakdown's values)."""
    wanted = sorted(set(breakdowns))
    fine = [b for b in wanted if b != ALL and not any(s in wanted for s, _f in _DERIVED.get(b, ()))]
    pairs: list[tuple[int, int]] = []
    for b in wanted:
        if b == ALL or b in fine:
            continue
        source, index = next((s, f) for s, f in _DERIVED[b] if s in wanted)
        pairs += [(_OFFSET[source] + i, _OFFSET[b] + index(i)) for i in range(len(VALUES[source]))]
    if ALL in wanted and fine:
        source = min(fine, key=lambda b: (len(VALUES[b]), b))
        pairs += [(_OFFSET[source] + i, _OFFSET[ALL]) for i in range(len(VALUES[source]))]
    elif ALL in wanted:
        fine = [ALL]
    return fine, pairs


def breakdown_value(t: ir.Table, breakdown: str) -> ir.StringValue:
    """The breakdown's value of each row of ``t`` as text (for measure filters on a
    breakdown, such as the IMD quintile or Core20)."""
    index = _INDEX[breakdown](t)
    labels = VALUES[breakdown]
    return ibis.cases(*((index == i, label) for i, label in enumerate(labels)))

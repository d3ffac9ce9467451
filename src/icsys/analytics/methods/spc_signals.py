"""Special-cause rules of an XmR chart and the choice of one label per point (methods.md 1.2, 1.4).

Every rule yields :class:`Trigger` records (rank, side, label). Ranks follow NHSRplotthedots'
label precedence: astronomical point (4) > trend (3) > 2-in-3 (2) > shift (1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from icsys.analytics.methods.spc_rules import COMMON_CAUSE

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from icsys.analytics.methods.spc import SpcGroup
    from icsys.analytics.methods.spc_rules import Direction, SpcRules

    _Flag = Callable[[int, int, int, str], None]

ASTRONOMICAL: Final = 4
TREND: Final = 3
TWO_IN_THREE: Final = 2
SHIFT: Final = 1
_WINDOW_2_IN_3: Final = 3


@dataclass(frozen=True)
class Trigger:
    """A rule fired at a point: its rank, its side (+1 high/increasing, -1 low/decreasing)."""

    rank: int
    side: int
    label: str


def find_triggers(
    ys: Sequence[float],
    groups: Sequence[SpcGroup],
    rules: SpcRules,
) -> list[list[Trigger]]:
    """All rule triggers per point, in the order the windows end (earlier windows first)."""
    found: list[dict[tuple[int, int], Trigger]] = [{} for _ in ys]

    def flag(i: int, rank: int, side: int, label: str) -> None:
        found[i].setdefault((rank, side), Trigger(rank, side, label))

    for group in groups:
        _group_rules(ys, group, rules, flag)
    segments = (
        [(0, len(ys))] if rules.trend_crosses_partitions else [(g.start, g.end) for g in groups]
    )
    for start, end in segments:
        _trend(ys, start, end, rules.trend_n, flag)
    return [list(d.values()) for d in found]


def _group_rules(ys: Sequence[float], group: SpcGroup, rules: SpcRules, flag: _Flag) -> None:
    span = range(group.start, group.end)
    rtm = [_sign(ys[i] - group.mean) for i in span]
    outside = [ys[i] > group.upl or ys[i] < group.lpl for i in span]
    close = [
        (ys[i] > group.near_upl or ys[i] < group.near_lpl)
        and (rules.two_sigma_includes_beyond_3 or not out)
        for i, out in zip(span, outside, strict=True)
    ]
    for k, i in enumerate(span):
        if outside[k]:
            flag(i, ASTRONOMICAL, rtm[k], "Above UCL" if rtm[k] > 0 else "Below LCL")
    for k in range(_WINDOW_2_IN_3 - 1, len(span)):
        window = range(k - _WINDOW_2_IN_3 + 1, k + 1)
        if sum(close[j] for j in window) >= 2 and abs(sum(rtm[j] for j in window)) == 3:
            label = f"2 in 3 {'Above' if rtm[k] > 0 else 'Below'} CL"
            for j in window:
                if close[j]:
                    flag(group.start + j, TWO_IN_THREE, rtm[k], label)
    n = rules.shift_n
    for k in range(n - 1, len(span)):
        run = rtm[k - n + 1 : k + 1]
        if run[0] != 0 and all(r == run[0] for r in run):
            label = f"{n} Points {'Above' if run[0] > 0 else 'Below'} CL"
            for j in range(k - n + 1, k + 1):
                flag(group.start + j, SHIFT, run[0], label)


def resolve(triggers: Sequence[Trigger], rules: SpcRules, direction: Direction) -> tuple[str, int]:
    """The label and side of one point.

    With ``precedence`` (or when all triggers agree, or for a neutral metric) the highest-ranked
    trigger wins; otherwise the conflict rule picks the improvement or concern side first.
    """
    if not triggers:
        return COMMON_CAUSE, 0
    sides = {t.side for t in triggers}
    candidates = list(triggers)
    if len(sides) > 1 and rules.conflict_rule != "precedence" and direction != "neutral":
        improving = 1 if direction == "increase" else -1
        wanted = improving if rules.conflict_rule == "improvement" else -improving
        candidates = [t for t in triggers if t.side == wanted]
    best = max(candidates, key=lambda t: t.rank)
    return best.label, best.side


def _trend(ys: Sequence[float], start: int, end: int, n: int, flag: _Flag) -> None:
    for k in range(start + n - 1, end):
        steps = [ys[j] - ys[j - 1] for j in range(k - n + 2, k + 1)]
        for side, word in ((1, "Increasing"), (-1, "Decreasing")):
            if all(_sign(step) == side for step in steps):
                for j in range(k - n + 1, k + 1):
                    flag(j, TREND, side, f"{n} Point Trend ({word})")


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)

"""Rule profiles, point types and icons for Making Data Count XmR charts (methods.md 1.2-1.5).

Two presets are provided and every chart names the one it used:

* :data:`PTD` — NHSRplotthedots 0.2.2 defaults: shift and trend of 7, moving ranges screened
  with a strict ``MR < 3.267·MR̄`` and the mean kept, 2-in-3 counts only points strictly between
  the 2σ and 3σ lines, assurance strict at the limits, a short-group warning below 13 points.
* :data:`MDC_SQL_2_6` — NHS England MDC SQL v2.6 defaults: shift and trend of 6 (trend counted
  across partitions), no screening (if switched on: inclusive ``≤`` and the mean recomputed),
  2-in-3 counts points beyond 3σ too, assurance inclusive at the limits, fewer than 13 points
  gives a run chart with no SPC elements or icons, partitions under 12 points get a warning.

Icon names follow NHSRplotthedots for both presets (``improvement_high``, ``consistent_pass``…).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

Direction = Literal["increase", "decrease", "neutral"]
PointType = Literal[
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
    "not_assessed",
]
VariationIcon = Literal[
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
]
AssuranceIcon = Literal["consistent_pass", "consistent_fail", "inconsistent"]
ConflictRule = Literal["precedence", "improvement", "concern"]

COMMON_CAUSE: Final = "Common Cause"
RUN_CHART: Final = "Run Chart"


@dataclass(frozen=True)
class SpcRules:
    """One explicit set of XmR rules; ``name`` is reported in every chart built with it.

    ``conflict_rule`` decides a point that triggers rules on both sides: ``precedence`` takes the
    label order (astronomical > trend > 2-in-3 > shift, as NHSRplotthedots' ``case_when``);
    ``improvement``/``concern`` follow MDC SQL's ``MetricConflictRule``.
    """

    name: str
    shift_n: int
    trend_n: int
    screen_outliers: bool
    outlier_inclusive: bool
    recompute_mean_after_screen: bool
    two_sigma_includes_beyond_3: bool
    assurance_inclusive: bool
    min_points: int
    trend_crosses_partitions: bool
    run_chart_below_min_points: bool
    short_group_n: int
    conflict_rule: ConflictRule = "precedence"
    limit_constant: float = 2.66
    screen_constant: float = 3.267


PTD: Final = SpcRules(
    name="NHSRplotthedots 0.2.2",
    shift_n=7,
    trend_n=7,
    screen_outliers=True,
    outlier_inclusive=False,
    recompute_mean_after_screen=False,
    two_sigma_includes_beyond_3=False,
    assurance_inclusive=False,
    min_points=13,
    trend_crosses_partitions=False,
    run_chart_below_min_points=False,
    short_group_n=13,
)

MDC_SQL_2_6: Final = SpcRules(
    name="NHS England MDC SQL v2.6",
    shift_n=6,
    trend_n=6,
    screen_outliers=False,
    outlier_inclusive=True,
    recompute_mean_after_screen=True,
    two_sigma_includes_beyond_3=True,
    assurance_inclusive=True,
    min_points=13,
    trend_crosses_partitions=True,
    run_chart_below_min_points=True,
    short_group_n=12,
    # MetricConflictRule has no default in methods.md; "concern" is our cautious choice.
    conflict_rule="concern",
)

_DIRECTION_SIGN: Final[dict[str, int]] = {"increase": 1, "decrease": -1, "neutral": 0}


def point_type_for(side: int, direction: Direction) -> PointType:
    """Point type of a special cause on ``side`` (+1 high, -1 low; 0 = common cause)."""
    if side == 0:
        return "common_cause"
    sign = _DIRECTION_SIGN[direction]
    if sign == 0:
        return "special_cause_neutral_high" if side > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if side * sign > 0 else "special_cause_concern"


def variation_icon(point_type: PointType, direction: Direction) -> VariationIcon | None:
    """Variation icon from the last point's type (``geom_ptd_icon`` table in methods.md 1.2)."""
    icons: dict[tuple[str, str], VariationIcon] = {
        ("special_cause_improvement", "increase"): "improvement_high",
        ("special_cause_improvement", "decrease"): "improvement_low",
        ("special_cause_concern", "increase"): "concern_low",
        ("special_cause_concern", "decrease"): "concern_high",
        ("special_cause_neutral_high", "neutral"): "neutral_high",
        ("special_cause_neutral_low", "neutral"): "neutral_low",
    }
    if point_type == "not_assessed":
        return None
    if point_type == "common_cause":
        return "common_cause"
    return icons.get((point_type, direction))


def assurance_icon(
    target: float | None,
    lpl: float | None,
    upl: float | None,
    direction: Direction,
    *,
    inclusive: bool,
) -> AssuranceIcon | None:
    """Assurance from the latest limits; ``None`` without a target or for a neutral metric."""
    if target is None or lpl is None or upl is None or direction == "neutral":
        return None
    above = target >= upl if inclusive else target > upl
    below = target <= lpl if inclusive else target < lpl
    if above == below:  # neither, or both when the limits have collapsed onto the target
        return "inconsistent"
    passes = below if direction == "increase" else above
    return "consistent_pass" if passes else "consistent_fail"


def centre(values: Sequence[float]) -> float:
    """The mean of ``values`` as R's ``mean`` computes it (NHSRplotthedots' centre line): the
    correctly rounded sum over n, corrected by the mean of the residuals. A series of equal
    values then has exactly that value as its mean; a mean one unit in the last place off would
    put every point of a flat series on one side of it, a false shift."""
    n = len(values)
    first = math.fsum(values) / n
    if not math.isfinite(first):
        return first
    return first + math.fsum(v - first for v in values) / n

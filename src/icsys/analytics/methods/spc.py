"""Making Data Count XmR charts (methods.md 1.2-1.6) under an explicit :class:`SpcRules` preset.

Per rebase group: mean of the baseline values (the first ``fix_after_n_points`` of the group, or
all), moving ranges, optional screening, ``UPL/LPL = mean ± 2.66·MR̄`` and "near" (2σ) limits at
``mean ± (2·2.66/3)·MR̄``. Then the four special-cause rules (astronomical point, trend, 2-in-3,
shift), a label and point type per point, and the variation and assurance icons of the chart.

MR̄ = 0 guard: if screening removes every non-zero moving range, the unscreened MR̄ is used and
a warning says so (otherwise the limits collapse onto the mean and every off-mean point would
be "outside the limits").
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from icsys.analytics.methods.spc_rules import (
    COMMON_CAUSE,
    PTD,
    RUN_CHART,
    AssuranceIcon,
    Direction,
    PointType,
    SpcRules,
    VariationIcon,
    assurance_icon,
    centre,
    point_type_for,
    variation_icon,
)
from icsys.analytics.methods.spc_signals import Trigger, find_triggers, resolve

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

MIN_FIX_AFTER: Final = 12


@dataclass(frozen=True)
class SpcGroup:
    """Statistics of one rebase group (positions ``start`` to ``end - 1``)."""

    start: int
    end: int
    baseline_n: int
    mean: float
    mr_bar: float
    lpl: float
    upl: float
    near_lpl: float
    near_upl: float
    mr_limit: float
    short_group_warning: bool


@dataclass(frozen=True)
class SpcPoint:
    """One plotted point; limits are ``None`` on a run chart."""

    index: int
    date: dt.date | None
    value: float
    group: int
    moving_range: float | None
    mean: float | None
    lpl: float | None
    upl: float | None
    near_lpl: float | None
    near_upl: float | None
    label: str
    point_type: PointType


@dataclass(frozen=True)
class SpcChart:
    """An XmR chart: per-point records, group statistics, icons, and the preset's name."""

    preset: str
    improvement_direction: Direction
    target: float | None
    points: tuple[SpcPoint, ...]
    groups: tuple[SpcGroup, ...]
    variation_icon: VariationIcon | None
    assurance_icon: AssuranceIcon | None
    is_run_chart: bool
    warnings: tuple[str, ...]


def xmr_chart(
    values: Sequence[float],
    *,
    rules: SpcRules = PTD,
    improvement_direction: Direction = "increase",
    target: float | None = None,
    dates: Sequence[dt.date] | None = None,
    rebase: Sequence[int | dt.date] = (),
    fix_after_n_points: int | None = None,
) -> SpcChart:
    """Build an XmR chart of ``values`` (in time order, no gaps).

    ``rebase`` holds 0-based positions, or dates from ``dates``, that start a new group.

    Raises:
        ValueError: for an empty or non-finite series, mismatched ``dates``, an unknown rebase
            date or position, or ``fix_after_n_points`` below 12.
    """
    ys = [float(v) for v in values]
    if not ys or not all(math.isfinite(y) for y in ys):
        raise ValueError("values must be a non-empty sequence of finite numbers")
    if dates is not None and len(dates) != len(ys):
        raise ValueError(f"dates ({len(dates)}) and values ({len(ys)}) differ in length")
    if fix_after_n_points is not None and fix_after_n_points < MIN_FIX_AFTER:
        raise ValueError(f"fix_after_n_points must be at least {MIN_FIX_AFTER}")
    starts = _group_starts(rebase, dates, len(ys))
    bounds = list(zip(starts, [*starts[1:], len(ys)], strict=True))
    warnings: list[str] = [
        f"{name} of {n} is outside the recommended 6-8 points"
        for name, n in (("shift", rules.shift_n), ("trend", rules.trend_n))
        if not 6 <= n <= 8
    ]
    groups = tuple(
        _group_stats(
            ys, s, e, rules=rules, fix_after_n_points=fix_after_n_points, warnings=warnings
        )
        for s, e in bounds
    )
    membership = [g for g, (s, e) in enumerate(bounds) for _ in range(s, e)]
    run_chart = rules.run_chart_below_min_points and len(ys) < rules.min_points
    if run_chart:
        warnings.append(f"{len(ys)} points (< {rules.min_points}): shown as a run chart")
        triggers: list[list[Trigger]] = [[] for _ in ys]
    else:
        triggers = find_triggers(ys, groups, rules)
    points = []
    for i, y in enumerate(ys):
        group = groups[membership[i]]
        label, side = (
            (RUN_CHART, 0) if run_chart else resolve(triggers[i], rules, improvement_direction)
        )
        points.append(
            SpcPoint(
                index=i,
                date=None if dates is None else dates[i],
                value=y,
                group=membership[i],
                moving_range=None if i == group.start else abs(y - ys[i - 1]),
                mean=group.mean,
                lpl=None if run_chart else group.lpl,
                upl=None if run_chart else group.upl,
                near_lpl=None if run_chart else group.near_lpl,
                near_upl=None if run_chart else group.near_upl,
                label=label,
                point_type="not_assessed"
                if run_chart
                else point_type_for(side, improvement_direction),
            ),
        )
    last = groups[-1]
    return SpcChart(
        preset=rules.name,
        improvement_direction=improvement_direction,
        target=target,
        points=tuple(points),
        groups=groups,
        variation_icon=variation_icon(points[-1].point_type, improvement_direction),
        assurance_icon=None
        if run_chart
        else assurance_icon(
            target, last.lpl, last.upl, improvement_direction, inclusive=rules.assurance_inclusive
        ),
        is_run_chart=run_chart,
        warnings=tuple(warnings),
    )


def special_cause_points(chart: SpcChart) -> tuple[int, ...]:
    """1-based positions of points whose label is a special cause (as methods.md counts them)."""
    return tuple(p.index + 1 for p in chart.points if p.label not in {COMMON_CAUSE, RUN_CHART})


def _group_starts(
    rebase: Sequence[int | dt.date], dates: Sequence[dt.date] | None, n: int
) -> list[int]:
    starts = {0}
    for item in rebase:
        if isinstance(item, int):
            position = item
        elif dates is None or item not in dates:
            raise ValueError(f"rebase date {item!r} is not one of the chart's dates")
        else:
            position = list(dates).index(item)
        if not 0 <= position < n:
            raise ValueError(f"rebase position {position} is outside 0-{n - 1}")
        starts.add(position)
    return sorted(starts)


def _group_stats(
    ys: list[float],
    start: int,
    end: int,
    *,
    rules: SpcRules,
    fix_after_n_points: int | None,
    warnings: list[str],
) -> SpcGroup:
    stop = end if fix_after_n_points is None else min(end, start + fix_after_n_points)
    base = ys[start:stop]
    mean = centre(base)
    ranges = [abs(b - a) for a, b in itertools.pairwise(base)]
    mr_bar0 = math.fsum(ranges) / len(ranges) if ranges else 0.0
    mr_limit = rules.screen_constant * mr_bar0
    mr_bar = mr_bar0
    if rules.screen_outliers and ranges:
        keep = [mr <= mr_limit if rules.outlier_inclusive else mr < mr_limit for mr in ranges]
        kept = [mr for mr, k in zip(ranges, keep, strict=True) if k]
        mr_bar = math.fsum(kept) / len(kept) if kept else 0.0
        if rules.recompute_mean_after_screen:
            # Exclude the points whose moving range was screened out (MDC SQL).
            kept_points = [base[0], *(y for y, k in zip(base[1:], keep, strict=True) if k)]
            mean = centre(kept_points)
        if mr_bar == 0 and mr_bar0 > 0:
            mr_bar = mr_bar0
            warnings.append(
                f"group starting at position {start}: screening removed every non-zero moving "
                "range; the unscreened mean moving range is used",
            )
    short = end - start < rules.short_group_n
    if short:
        warnings.append(
            f"group starting at position {start} has {end - start} points "
            f"(< {rules.short_group_n}): trial limits",
        )
    width = rules.limit_constant * mr_bar
    return SpcGroup(
        start=start,
        end=end,
        baseline_n=len(base),
        mean=mean,
        mr_bar=mr_bar,
        lpl=mean - width,
        upl=mean + width,
        near_lpl=mean - 2 * width / 3,
        near_upl=mean + 2 * width / 3,
        mr_limit=rules.screen_constant * mr_bar,
        short_group_warning=short,
    )

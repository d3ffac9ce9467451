"""XmR point types of many series at once: :func:`icsys.analytics.methods.spc.xmr_chart`
vectorised with NumPy over equal-length series (one group each, no rebase, no fixed baseline).

The arithmetic is the scalar chart's, operation for operation (means by
:func:`~icsys.analytics.methods.spc_rules.centre` and mean moving ranges by ``math.fsum`` per
series, the limits the same float expressions), so the limits and point types are identical to
:func:`xmr_chart`'s; the unit tests compare them on random series under
both presets. Rules per point:

* ranks 4 (astronomical), 2 (2 in 3) and 1 (shift) always fire on the side of the point's own
  position against the mean, so only the trend (rank 3) can fire on both sides — at a turning
  point, where the scalar chart's earlier window (the one ending there) wins the precedence tie;
* with a conflict rule (not ``precedence``) and both sides fired on a non-neutral metric, the
  wanted side's highest rank decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from icsys.analytics.methods.spc_rules import PTD, SpcRules, centre

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

NOT_ASSESSED = "not_assessed"
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
    NOT_ASSESSED,
)
_RANKS = (4, 3, 2, 1)  # astronomical, trend, 2 in 3, shift


@dataclass(frozen=True)
class XmrBatch:
    """Limits per series and point-type codes per point (indices into :data:`POINT_TYPES`)."""

    mean: FloatArray
    lpl: FloatArray
    upl: FloatArray
    near_lpl: FloatArray
    near_upl: FloatArray
    point_type: IntArray  # series x points

    def point_types(self) -> npt.NDArray[np.object_]:
        return np.asarray(POINT_TYPES, dtype=object)[self.point_type]


def xmr_batch(values: FloatArray, direction: IntArray, rules: SpcRules = PTD) -> XmrBatch:
    """XmR charts of the rows of ``values`` (series x points, finite, in time order).

    ``direction`` per series: +1 increase, -1 decrease, 0 neutral.
    """
    ys = np.asarray(values, dtype=np.float64)
    m, n = ys.shape
    if n < 1 or not np.isfinite(ys).all():
        raise ValueError("values must be finite, with at least one point per series")
    mean, mr_bar = _baseline(ys, rules)
    width = rules.limit_constant * mr_bar
    lpl, upl = mean - width, mean + width
    near_lpl, near_upl = mean - 2 * width / 3, mean + 2 * width / 3
    if rules.run_chart_below_min_points and n < rules.min_points:
        codes = np.full((m, n), POINT_TYPES.index(NOT_ASSESSED), dtype=np.int64)
        return XmrBatch(mean, lpl, upl, near_lpl, near_upl, codes)
    fired = _fired(ys, mean, (lpl, upl, near_lpl, near_upl), rules)
    side = _resolve(ys, fired, np.asarray(direction, dtype=np.int64), rules)
    return XmrBatch(mean, lpl, upl, near_lpl, near_upl, _codes(side, direction))


def _baseline(ys: FloatArray, rules: SpcRules) -> tuple[FloatArray, FloatArray]:
    n = ys.shape[1]
    rows = ys.tolist()
    mean = np.array([centre(r) for r in rows], dtype=np.float64)
    if n < 2:
        return mean, np.zeros(len(rows))
    ranges = np.abs(np.diff(ys, axis=1))
    mr_bar0 = np.array([math.fsum(r) / (n - 1) for r in ranges.tolist()], dtype=np.float64)
    if not rules.screen_outliers:
        return mean, mr_bar0
    limit = rules.screen_constant * mr_bar0
    keep = ranges <= limit[:, None] if rules.outlier_inclusive else ranges < limit[:, None]
    kept_n = keep.sum(axis=1)
    kept_sum = [math.fsum(r) for r in np.where(keep, ranges, 0.0).tolist()]
    with np.errstate(invalid="ignore", divide="ignore"):
        mr_bar = np.where(kept_n > 0, np.array(kept_sum) / np.maximum(kept_n, 1), 0.0)
    if rules.recompute_mean_after_screen:
        points = np.concatenate([np.ones((len(rows), 1), dtype=bool), keep], axis=1)
        pairs = zip(ys.tolist(), points.tolist(), strict=True)
        mean = np.array([centre([y for y, k in zip(r, p, strict=True) if k]) for r, p in pairs])
    mr_bar = np.where((mr_bar == 0) & (mr_bar0 > 0), mr_bar0, mr_bar)
    return mean, mr_bar


def _fired(
    ys: FloatArray,
    mean: FloatArray,
    limits: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    rules: SpcRules,
) -> dict[tuple[int, int], BoolArray]:
    """(rank, side) -> series x points: which rules fired on which side at each point."""
    lpl, upl, near_lpl, near_upl = (a[:, None] for a in limits)
    m, n = ys.shape
    rtm = np.sign(ys - mean[:, None]).astype(np.int64)
    outside = (ys > upl) | (ys < lpl)
    close = (ys > near_upl) | (ys < near_lpl)
    if not rules.two_sigma_includes_beyond_3:
        close &= ~outside
    fired = {(r, s): np.zeros((m, n), dtype=bool) for r in _RANKS for s in (1, -1)}
    two = np.zeros((m, n), dtype=bool)  # 2 in 3: the side is the point's own (all 3 agree)
    for k in range(2, n):
        window = slice(k - 2, k + 1)
        hit = (close[:, window].sum(axis=1) >= 2) & (np.abs(rtm[:, window].sum(axis=1)) == 3)
        two[:, window] |= hit[:, None] & close[:, window]
    shift = _runs(rtm, rules.shift_n, lambda w: (w[..., :1] != 0) & (w == w[..., :1]))
    for side in (1, -1):
        own = rtm == side
        fired[(4, side)] = outside & own
        fired[(2, side)] = two & own
        fired[(1, side)] = shift & own
    if n >= 2:
        steps = np.sign(np.diff(ys, axis=1)).astype(np.int64)
        for side in (1, -1):
            fired[(3, side)] = _trend_points(steps == side, rules.trend_n, n)
    return fired


def _runs(flags: npt.NDArray[np.int64], length: int, test: object) -> BoolArray:
    """Points inside any window of ``length`` consecutive points that passes ``test``."""
    m, n = flags.shape
    out = np.zeros((m, n), dtype=bool)
    if length > n or length < 1:
        return out
    windows = sliding_window_view(flags, length, axis=1)
    ok = test(windows).all(axis=2)  # type: ignore[operator]
    for offset in range(length):
        out[:, offset : offset + ok.shape[1]] |= ok
    return out


def _trend_points(up: BoolArray, length: int, n: int) -> BoolArray:
    """Points of any ``length``-point window whose ``length - 1`` steps all pass."""
    m = up.shape[0]
    out = np.zeros((m, n), dtype=bool)
    steps = length - 1
    if length > n or steps < 1:
        return out
    ok = sliding_window_view(up, steps, axis=1).all(axis=2)  # window w: points w..w+steps
    for offset in range(length):
        out[:, offset : offset + ok.shape[1]] |= ok
    return out


def _resolve(
    ys: FloatArray, fired: dict[tuple[int, int], BoolArray], direction: IntArray, rules: SpcRules
) -> IntArray:
    """The side of each point's label (0 = common cause)."""
    m, n = ys.shape
    incoming = np.zeros((m, n), dtype=np.int64)
    if n >= 2:
        incoming[:, 1:] = np.sign(np.diff(ys, axis=1)).astype(np.int64)
    side = np.zeros((m, n), dtype=np.int64)
    decided = np.zeros((m, n), dtype=bool)
    for rank in _RANKS:
        up, down = fired[(rank, 1)], fired[(rank, -1)]
        here = (up | down) & ~decided
        pick = np.where(up & down, incoming, np.where(up, 1, -1))
        side = np.where(here, pick, side)
        decided |= here
    if rules.conflict_rule != "precedence":
        pos = np.zeros((m, n), dtype=bool)
        neg = np.zeros((m, n), dtype=bool)
        for rank in _RANKS:
            pos |= fired[(rank, 1)]
            neg |= fired[(rank, -1)]
        improving = direction[:, None]
        wanted = improving if rules.conflict_rule == "improvement" else -improving
        conflict = pos & neg & (improving != 0)
        side = np.where(conflict, wanted, side)
    return side


def _codes(side: IntArray, direction: IntArray) -> IntArray:
    """Point-type codes (:func:`icsys.analytics.methods.spc_rules.point_type_for`)."""
    sign = np.asarray(direction, dtype=np.int64)[:, None]
    common = POINT_TYPES.index("common_cause")
    improvement = POINT_TYPES.index("special_cause_improvement")
    concern = POINT_TYPES.index("special_cause_concern")
    high = POINT_TYPES.index("special_cause_neutral_high")
    low = POINT_TYPES.index("special_cause_neutral_low")
    neutral = np.where(side > 0, high, low)
    directed = np.where(side * sign > 0, improvement, concern)
    coded = np.where(sign == 0, neutral, directed)
    return np.where(side == 0, common, coded).astype(np.int64)

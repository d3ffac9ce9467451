"""From summed numerators and denominators to values, 95 % limits and SPC point types.

This runs on the small aggregate frame every engine returns, vectorised with numpy over the
formulas of :mod:`icsys.analytics.methods` (the unit tests pin these to the scalar methods):
Wilson for proportions, exact (below 10 events) or Byar's limits for crude rates, Dobson limits
for directly standardised rates (``None`` below 10 events, as PHE). In an age-standardised rate
an age band with no population is left out with its standard weight (PHE would refuse the
whole rate); a band with events but no population makes the rate ``None``.
Monthly series (else quarterly) of each area's total get an XmR chart (NHSRplotthedots rules).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from scipy import stats

from icsys.analytics.definitions.loader import Library
from icsys.analytics.definitions.model import Indicator, Method
from icsys.analytics.frames import as_categoricals, group_ids, sort_order
from icsys.analytics.long import STANDARDISED_COLUMNS, TEXT_COLUMNS
from icsys.analytics.methods.dsr import DSR_MIN_COUNT, ESP2013_WEIGHTS
from icsys.analytics.methods.intervals import BYAR_MIN_COUNT, z_value
from icsys.analytics.methods.spc_rules import PTD
from icsys.analytics.periods import Period
from icsys.analytics.series import spc_point_types

FloatArray = npt.NDArray[np.float64]
CONFIDENCE: Final = 0.95
Z: Final = z_value(CONFIDENCE)
SPC_RULES: Final = PTD
MART_COLUMNS: Final = (
    "indicator_id",
    "level",
    "area_code",
    "parent_code",
    "period_type",
    "period",
    "period_start",
    "period_end",
    "breakdown",
    "breakdown_value",
    "category",
    "value",
    "numerator",
    "denominator",
    "lower",
    "upper",
    "method",
    "spc_point_type",
)


def wilson(x: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits (methods.intervals.wilson_interval), NaN where undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (n > 0) & (x >= 0) & (x <= n)
        centre = 2 * x + Z**2
        spread = Z * np.sqrt(np.where(ok, Z**2 + 4 * x * (1 - x / n), np.nan))
        scale = 2 * (n + Z**2)
        lower = np.maximum(0.0, (centre - spread) / scale)
        upper = np.minimum(1.0, (centre + spread) / scale)
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def byar(o: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Byar's limits of counts (methods.intervals.byar_lower/upper): lower NaN if negative,
    0 for a count of 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = o * (1 - 1 / (9 * o) - Z / (3 * np.sqrt(o))) ** 3
        o1 = o + 1
        upper = o1 * (1 - 1 / (9 * o1) + Z / (3 * np.sqrt(o1))) ** 3
    lower = np.where(o == 0, 0.0, np.where(lower >= 0, lower, np.nan))
    return lower, upper


def exact_poisson(o: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Exact chi-square limits of counts (methods.intervals.exact_poisson_limits)."""
    alpha = 1 - CONFIDENCE
    with np.errstate(invalid="ignore"):
        lower = np.where(o == 0, 0.0, stats.chi2.ppf(alpha / 2, 2 * np.maximum(o, 1e-300)) / 2)
        upper = stats.chi2.ppf(CONFIDENCE + alpha / 2, 2 * o + 2) / 2
    return lower, upper


def crude_limits(o: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Count limits as ``phe_rate``: exact below 10 events, Byar's from 10."""
    exact = o < BYAR_MIN_COUNT
    lower, upper = byar(np.where(exact, 10.0, o))
    # the chi-square quantiles once per distinct small count (a few dozen), not once per cell
    small, at = np.unique(o[exact], return_inverse=True)
    e_lo, e_hi = exact_poisson(small)
    lower[exact], upper[exact] = e_lo[at], e_hi[at]
    return lower, upper


def dsr_matrix(
    counts: FloatArray, pops: FloatArray, multiplier: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Dobson DSRs of rows of 19 ESP 2013 bands (methods.dsr.dsr): value, lower, upper."""
    weights = np.asarray(ESP2013_WEIGHTS, dtype=np.float64)[None, :]
    present = pops > 0
    bad = ((~present) & (counts > 0)).any(axis=1)
    w = np.where(present, weights, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(present, w / np.where(present, pops, 1.0), 0.0)
        return dobson(
            counts.sum(axis=1),
            np.where(bad, np.nan, w.sum(axis=1)),
            (counts * ratio).sum(axis=1),
            (counts * ratio**2).sum(axis=1),
            multiplier,
        )


def dobson(
    total: FloatArray,
    weight: FloatArray,
    weighted: FloatArray,
    weighted_var: FloatArray,
    multiplier: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Dobson DSRs from each cell's sums over its bands with population: events, standard
    weight (NaN when a band has events but no population), events x weight / population and
    events x (weight / population)^2. Value, lower, upper; NaN below 10 events."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = weighted / weight
        var = weighted_var / weight**2
        scale = np.sqrt(var / total)
        o_lo, o_hi = byar(total)
        lower = rate + scale * (o_lo - total)
        upper = rate + scale * (o_hi - total)
    void = np.isnan(weight) | (total < DSR_MIN_COUNT) | ~(weight > 0)
    return tuple(np.where(void, np.nan, a * multiplier) for a in (rate, lower, upper))  # type: ignore[return-value]


def _values(ind: Indicator, frame: pd.DataFrame) -> pd.DataFrame:
    num = frame["numerator"].to_numpy(float)
    den = frame["denominator"].to_numpy(float)
    mult = ind.multiplier
    nan = np.full(len(frame), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    if ind.method is Method.COUNT:
        value, lower, upper = num, nan, nan
    elif ind.method is Method.PROPORTION:
        lo, hi = wilson(num, den)
        value, lower, upper = ratio * mult, lo * mult, hi * mult
    elif ind.method is Method.CRUDE_RATE:
        lo, hi = crude_limits(num)
        ok = den > 0
        safe = np.where(ok, den, 1.0)
        value = ratio * mult
        lower = np.where(ok, lo / safe * mult, np.nan)
        upper = np.where(ok, hi / safe * mult, np.nan)
    else:  # ratio
        value, lower, upper = ratio * mult, nan, nan
    out = frame.copy(deep=False)  # new columns only: the frame's own are not written
    out["value"], out["lower"], out["upper"] = value, lower, upper
    return out


def _dsr_values(ind: Indicator, frame: pd.DataFrame) -> pd.DataFrame:
    if STANDARDISED_COLUMNS[0] in frame.columns:  # summed over the bands by the engine
        out = frame.drop(columns=list(STANDARDISED_COLUMNS)).reset_index(drop=True)
        weight, weighted, weighted_var = (frame[c].to_numpy(float) for c in STANDARDISED_COLUMNS)
        out["value"], out["lower"], out["upper"] = dobson(
            frame["numerator"].to_numpy(float), weight, weighted, weighted_var, ind.multiplier
        )
        return out
    keys = [c for c in frame.columns if c not in {"esp_band", "numerator", "denominator"}]
    banded = frame["esp_band"].to_numpy() >= 0
    if not banded.all():
        frame = frame[banded]
    bands = len(ESP2013_WEIGHTS)
    group, first = group_ids(frame, keys)
    cell = group * bands + frame["esp_band"].to_numpy("int64")
    size = len(first) * bands
    shape = (len(first), bands)
    num = np.nan_to_num(frame["numerator"].to_numpy(float))
    den = np.nan_to_num(frame["denominator"].to_numpy(float))
    counts = np.bincount(cell, num, size).astype(np.float64)
    pops = np.bincount(cell, den, size).astype(np.float64)
    # column-major, as a pivoted frame's values are: row sums then add in the same order
    counts, pops = np.asfortranarray(counts.reshape(shape)), np.asfortranarray(pops.reshape(shape))
    value, lower, upper = dsr_matrix(counts, pops, ind.multiplier)
    out = frame[keys].take(first).reset_index(drop=True)
    out["numerator"] = counts.sum(axis=1)
    out["denominator"] = pops.sum(axis=1)
    out["value"], out["lower"], out["upper"] = value, lower, upper
    return out


def finish(library: Library, long: pd.DataFrame, periods: list[Period]) -> pd.DataFrame:
    """Values, limits and SPC point types for every indicator of the long aggregate frame."""
    long = as_categoricals(long, TEXT_COLUMNS)
    by_id = {i.id: i for i in library.indicators}
    frames = []
    for ind_id, part in _by_indicator(long):
        ind = by_id.get(str(ind_id))
        if ind is None or part.empty:
            continue
        if ind.category is not None and ind.denominator and ind.denominator.category_total:
            keys = [c for c in part.columns if c not in {"category", "numerator", "denominator"}]
            group, _first = group_ids(part, keys)
            totals = np.bincount(group, part["numerator"].to_numpy(float))[group]
            part = part.assign(denominator=totals)  # noqa: PLW2901 - the category totals
        if ind.method is Method.DSR:
            done = _dsr_values(ind, part)
        else:
            extra = [c for c in STANDARDISED_COLUMNS if c in part.columns]
            done = _values(ind, part.drop(columns=extra) if extra else part)
        frames.append(done.drop(columns=["esp_band"], errors="ignore"))
    if not frames:
        return pd.DataFrame(columns=list(MART_COLUMNS))
    out = as_categoricals(pd.concat(frames, ignore_index=True), TEXT_COLUMNS)
    known = {p.period_id: p for p in periods}
    period = [known.get(str(k)) for k in out["period_id"].cat.categories]
    period_codes = out["period_id"].cat.codes.to_numpy().astype(np.int64)
    out["period_type"] = _categorical(period_codes, [_text(p, "period_type") for p in period])
    starts = np.array([p.start.toordinal() if p else -1 for p in period] + [-1], dtype=np.int64)
    out["period_start"] = starts[period_codes]  # (days) the series' and the sort's order
    kinds = {i.id: spc_period_type(i.periods) for i in library.indicators}
    directions = {i.id: str(i.improvement) for i in library.indicators}
    spc = spc_point_types(out, kinds, directions, SPC_RULES)
    order = sort_order(out, [*SORT_KEYS[:-1], "period_type", "period_start"])
    out = out.take(order).reset_index(drop=True)
    out = _period_columns(out, period)
    methods = {i.id: i.method.value for i in library.indicators}
    ind_codes = out["indicator_id"].cat.codes.to_numpy().astype(np.int64)
    out["method"] = _categorical(
        ind_codes, [methods.get(str(k)) for k in out["indicator_id"].cat.categories]
    )
    out["spc_point_type"] = spc[order]
    for col in ("value", "numerator", "denominator", "lower", "upper"):
        out[col] = out[col].astype(float)
    return out[list(MART_COLUMNS)]


def _by_indicator(long: pd.DataFrame) -> Iterator[tuple[object, pd.DataFrame]]:
    """Each indicator's rows: the frame itself when it holds one (a worker's task; a group-by
    would copy every column)."""
    ids = long["indicator_id"].cat
    found = ids.codes.to_numpy()
    if len(found) and found[0] >= 0 and (found == found[0]).all():
        yield ids.categories[found[0]], long
        return
    yield from long.groupby("indicator_id", observed=True, sort=False)


SORT_KEYS: Final = (
    "indicator_id",
    "level",
    "area_code",
    "parent_code",
    "breakdown",
    "breakdown_value",
    "category",
    "period_start",
)


def _period_columns(out: pd.DataFrame, known: list[Period | None]) -> pd.DataFrame:
    """period_id (categories: ``known``, None where unknown) → period (label), period_start
    and period_end."""
    codes = out["period_id"].cat.codes.to_numpy().astype(np.int64)
    out["period"] = _categorical(codes, [_text(p, "label") for p in known])
    for name, days in (
        ("period_start", [p.start if p else None for p in known]),
        ("period_end", [p.end if p else None for p in known]),
    ):
        lookup = np.empty(len(days) + 1, dtype=object)
        lookup[: len(days)] = days  # the trailing None is taken by a missing id (code -1)
        out[name] = lookup[codes]
    return out.drop(columns=["period_id"])


def _text(period: Period | None, name: str) -> str | None:
    return None if period is None else str(getattr(period, name))


def _categorical(codes: npt.NDArray[np.int64], labels: Sequence[str | None]) -> pd.Categorical:
    distinct = sorted({x for x in labels if x is not None})
    rank = {x: i for i, x in enumerate(distinct)}
    lut = np.array([-1 if x is None else rank[x] for x in labels] + [-1], dtype=np.int64)
    return pd.Categorical.from_codes(lut[codes], categories=distinct)


def spc_period_type(ind_periods: tuple[str, ...]) -> str:
    """The period type an indicator's SPC chart uses: months if it has them, else quarters,
    else years."""
    for kind in ("month", "quarter", "financial_year"):
        if kind in ind_periods:
            return kind
    return "month"

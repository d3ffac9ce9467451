"""The public view of the mart: disclosure control on everything a non-analyst sees.

For each indicator of disclosure class ``counts`` and each period, the protected count of every
cell (the numerator when it counts people or events, else the denominator) is checked in one
problem that covers every level, breakdown and category together:

* primary suppression: a protected count (or a counted denominator) from 1 to ``threshold``
  (methods.md 6: 7 by default) is suppressed with its value and limits;
* complementary suppression, the rule of :mod:`icsys.privacy.complementary` applied to every
  published equation at once: each parent area and its child areas (with the unpublished
  remainder of a parent its children do not cover), each area's total and its breakdown values,
  and each category total and its categories; in every equation either nothing is suppressed or
  at least two cells are and, under a published parent, the suppressed cells sum to more than
  the threshold — so no suppressed cell can be recovered by subtracting published children from
  a published parent;
* published counts are rounded (``nearest5`` by default, or ``midpoint6``); a count
  indicator's value is its rounded count; the values and limits of rates and proportions are
  computed from the unrounded counts, as NHS England publishes rates.

Indicators of class ``published`` (provider returns) and derived indicators pass unchanged.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.cells import protect
from icsys.analytics.definitions.loader import Library, load_library
from icsys.analytics.definitions.model import Disclosure, Indicator, Method
from icsys.privacy.disclosure import (
    DEFAULT_THRESHOLD,
    RoundingMode,
    check_threshold,
)
from icsys.privacy.equations import equations_from_lists, suppress

Key = Hashable


@dataclass(frozen=True)
class DisclosurePolicy:
    """Suppression threshold and rounding mode of the public view."""

    threshold: int = DEFAULT_THRESHOLD
    rounding: RoundingMode = "nearest5"

    def __post_init__(self) -> None:
        check_threshold(self.threshold)


def complementary(
    counts: dict[Key, int],
    families: list[tuple[Key, list[Key]]],
    hidden: set[Key],
    threshold: int,
    *,
    forced: set[Key] | None = None,
) -> dict[Key, str]:
    """Cells to suppress: ``primary`` (1 to ``threshold``) and ``secondary`` (to protect them).

    ``families`` are (parent, children) equations; ``forced`` cells are suppressed as primary
    whatever their count; ``hidden`` cells are never published (an unpublished remainder) and
    count as suppressed. The repair rule is :func:`icsys.privacy.equations.suppress`'s (ties
    between equally small cells broken by the text of their keys); the public view runs the
    same solver on integer ids.
    """
    keys = list(counts)
    ids = {k: i for i, k in enumerate(keys)}
    values = np.array([counts[k] for k in keys], dtype=np.int64)
    primary = (values >= 1) & (values <= threshold)
    primary |= np.array([k in (forced or ()) for k in keys], dtype=bool)
    never = np.array([k in hidden for k in keys], dtype=bool)
    text = sorted(range(len(keys)), key=lambda i: str(keys[i]))
    tiebreak = np.empty(len(keys), dtype=np.int64)
    tiebreak[text] = np.arange(len(keys))
    eqs = equations_from_lists([(ids[p], [ids[c] for c in cs]) for p, cs in families])
    added = suppress(values, eqs, primary | never, threshold, tiebreak)
    verdict = {k: "primary" for k, p in zip(keys, primary, strict=True) if p}
    verdict |= {k: "secondary" for k, a in zip(keys, added, strict=True) if a}
    return {k: v for k, v in verdict.items() if k not in hidden}


def _protected(ind: Indicator) -> tuple[str | None, bool]:
    """Which column holds the protected count, and whether the denominator is a count too."""
    den = ind.denominator
    den_counts = (
        den is not None
        and not den.category_total
        and den.value in {"rows", "persons"}
        and den.source != "ons_population"
    )
    if ind.numerator.value in {"rows", "persons"} and ind.numerator.source != "ons_population":
        return "numerator", den_counts
    if den_counts:
        return "denominator", False
    return None, False


def public_view(
    frame: pd.DataFrame, policy: DisclosurePolicy, library: Library | None = None
) -> pd.DataFrame:
    """The rows a non-analyst may see (``disclosure`` says what was done to each)."""
    lib = library or load_library()
    rules = {}
    for ind in lib.indicators:
        column, den_counts = _protected(ind)
        if ind.disclosure is Disclosure.COUNTS and column is not None:
            share = bool(ind.category is not None and ind.denominator)
            share = share and bool(ind.denominator and ind.denominator.category_total)
            rules[ind.id] = (column, den_counts, share)
    out = frame.copy()
    out["disclosure"] = _verdicts(np.zeros(len(out), dtype=np.int8))
    ids, names = pd.factorize(out["indicator_id"])
    rule = [rules.get(str(name)) for name in names]
    protected = np.array([r is not None for r in rule] + [False])[ids]
    if not protected.any():
        return out
    where = np.flatnonzero(protected)
    needed = ["indicator_id", "period_type", "period", "level", "area_code", "parent_code"]
    needed += ["breakdown", "breakdown_value", "category", "numerator", "denominator"]
    rows = out[needed].iloc[where]
    which = ids[where]
    use_den = np.array([r is not None and r[0] == "denominator" for r in rule])[which]
    den_counts = np.array([r is not None and r[1] for r in rule])[which]
    share = np.array([r is not None and r[2] for r in rule])[which]
    verdict = protect(rows, use_den, den_counts, share, policy.threshold)
    suppressed = verdict != ""
    shown_as = VERDICTS.index("rounded" if policy.rounding != "none" else "")
    disclosure = np.zeros(len(out), dtype=np.int8)
    disclosure[where] = np.where(
        verdict == "primary", VERDICTS.index("primary"), VERDICTS.index("secondary")
    )
    disclosure[where[~suppressed]] = shown_as
    out["disclosure"] = _verdicts(disclosure)
    hide = np.zeros(len(out), dtype=bool)
    hide[where[suppressed]] = True
    for col in ("value", "lower", "upper", "numerator", "denominator"):
        out[col] = np.where(hide, np.nan, out[col].to_numpy(float))
    shown = where[~suppressed]
    counted = {
        "numerator": shown[~use_den[~suppressed]],
        "denominator": np.concatenate(
            [shown[use_den[~suppressed]], shown[(den_counts & ~use_den)[~suppressed]]]
        ),
    }
    for col, at in counted.items():
        values = out[col].to_numpy(float).copy()
        values[at] = round_counts(values[at], policy.rounding)
        out[col] = values
    # a count indicator's value is its numerator: publish the rounded count, not the exact one
    counts_itself = np.zeros(len(out), dtype=bool)
    is_count = (out["method"] == Method.COUNT.value).to_numpy(bool)
    counts_itself[shown] = is_count[shown] & ~use_den[~suppressed]
    out["value"] = np.where(counts_itself, out["numerator"].to_numpy(float), out["value"])
    return out


VERDICTS = ("", "primary", "rounded", "secondary")
"""The public view's ``disclosure`` values: shown as computed, suppressed (primary or
secondary), shown rounded."""


def _verdicts(codes: npt.NDArray[np.int8]) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(VERDICTS))


def round_counts(values: npt.NDArray[np.float64], mode: RoundingMode) -> npt.NDArray[np.float64]:
    """:func:`icsys.privacy.disclosure.round_count` of whole counts (missing stays missing).

    Raises:
        ValueError: for a negative count.
    """
    known = ~np.isnan(values)
    whole = np.round(np.where(known, values, 0.0)).astype(np.int64)
    if (whole < 0).any():
        raise ValueError(f"counts must be non-negative integers, got {int(whole.min())}")
    if mode == "nearest5":
        quotient, remainder = np.divmod(whole, 5)
        rounded = (quotient + (2 * remainder >= 5)) * 5
    elif mode == "midpoint6":
        rounded = np.where(whole == 0, 0, -(-whole // 6) * 6 - 3)
    else:
        rounded = whole
    return np.where(known, rounded.astype(np.float64), np.nan)

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
* published counts are rounded (``nearest5`` by default, or ``midpoint6``); values and limits
  are computed from the unrounded counts, as NHS England publishes rates.

Indicators of class ``published`` (provider returns) and derived indicators pass unchanged.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from icsys.analytics.definitions.loader import Library, load_library
from icsys.analytics.definitions.model import Disclosure, Indicator
from icsys.analytics.plan import ALL
from icsys.privacy.disclosure import (
    DEFAULT_THRESHOLD,
    RoundingMode,
    check_threshold,
    is_disclosive,
    round_count,
)

Key = Hashable
PARENT_LEVEL = {
    "pcn": "sub_icb",
    "place": "system",
    "sub_icb": "system",
    "trust": "system",
    "system": "region",
    "region": "england",
}


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
    whatever their count; ``hidden`` cells are never published (an
    unpublished remainder) and count as suppressed. The repair rule is
    :func:`icsys.privacy.complementary.protect_hierarchy`'s: suppress the smallest published
    non-zero sibling, else the parent; a suppressed parent with every child published gets its
    smallest child suppressed. A work queue revisits only equations touching a new suppression.
    """
    suppressed: dict[Key, str] = {
        k: "primary"
        for k, c in counts.items()
        if is_disclosive(c, threshold) or k in (forced or ())
    }
    out = set(suppressed) | hidden
    member: dict[Key, list[int]] = defaultdict(list)
    for i, (parent, children) in enumerate(families):
        member[parent].append(i)
        for child in children:
            member[child].append(i)
    queue = deque(sorted({i for k in out for i in member.get(k, [])}))
    queued = set(queue)
    while queue:
        i = queue.popleft()
        queued.discard(i)
        parent, children = families[i]
        extra = _repair(parent, children, counts, out, threshold)
        if extra is None:
            continue
        suppressed[extra] = "secondary"
        out.add(extra)
        for j in [i, *member[extra]]:
            if j not in queued:
                queue.append(j)
                queued.add(j)
    return {k: v for k, v in suppressed.items() if k not in hidden}


def _repair(
    parent: Key, children: list[Key], counts: dict[Key, int], out: set[Key], threshold: int
) -> Key | None:
    hidden = [c for c in children if c in out]
    shown = [c for c in children if c not in out]
    if parent in out:
        needs_more = not hidden
    else:
        needs_more = bool(hidden) and (
            len(hidden) == 1 or sum(counts[c] for c in hidden) <= threshold
        )
    if not needs_more:
        return None
    if not shown:
        return parent if parent not in out else None
    return min(shown, key=lambda c: (counts[c] == 0, counts[c], str(c)))


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
    classes = {i.id: i for i in lib.indicators if i.disclosure is Disclosure.COUNTS}
    out = frame.copy()
    out["disclosure"] = ""
    parts = []
    for ind_id, part in out.groupby("indicator_id", sort=False):
        ind = classes.get(str(ind_id))
        column, den_counts = _protected(ind) if ind is not None else (None, False)
        if ind is None or column is None:
            parts.append(part)
            continue
        parts.append(_protect_indicator(part, ind, column, den_counts, policy))
    if not parts:
        return out
    return pd.concat(parts).sort_index()


def _protect_indicator(
    part: pd.DataFrame, ind: Indicator, column: str, den_counts: bool, policy: DisclosurePolicy
) -> pd.DataFrame:
    part = part.copy()
    verdicts: dict[int, str] = {}
    for _period, rows in part.groupby(["period_type", "period"], sort=False):
        verdicts.update(_protect_period(rows, ind, column, den_counts, policy.threshold))
    suppressed = part.index.isin(list(verdicts))
    part.loc[suppressed, "disclosure"] = pd.Series(verdicts)
    for col in ("value", "lower", "upper", "numerator", "denominator"):
        part.loc[suppressed, col] = np.nan
    shown = ~suppressed
    counted = [column] + (["denominator"] if den_counts and column == "numerator" else [])
    for col in counted:
        part.loc[shown, col] = part.loc[shown, col].map(
            lambda x: np.nan if pd.isna(x) else float(round_count(round(x), policy.rounding))
        )
    part.loc[shown, "disclosure"] = "rounded" if policy.rounding != "none" else ""
    return part


def _protect_period(
    rows: pd.DataFrame, ind: Indicator, column: str, den_counts: bool, threshold: int
) -> dict[int, str]:
    counts: dict[Key, int] = {}
    index_of: dict[Key, int] = {}
    forced: set[Key] = set()
    share = ind.category is not None and ind.denominator is not None
    share = share and bool(ind.denominator and ind.denominator.category_total)
    columns = [
        "level",
        "area_code",
        "parent_code",
        "breakdown",
        "breakdown_value",
        "category",
        column,
        "denominator",
    ]
    for idx, r in zip(rows.index, rows[columns].itertuples(index=False, name=None), strict=True):
        level, area, parent, breakdown, value, category, count, den = r
        key = ("cell", level, area, parent, breakdown, value, category)
        counts[key] = 0 if pd.isna(count) else round(count)
        index_of[key] = int(idx)
        if den_counts and not pd.isna(den) and is_disclosive(round(den), threshold):
            forced.add(key)  # a small counted denominator is itself disclosive
        if share:
            counts[("total", level, area, parent, breakdown, value, "")] = (
                0 if pd.isna(den) else round(den)
            )
    hidden: set[Key] = set()
    families = []
    for parent, listed in _families(counts):
        children = list(listed)
        rest = counts[parent] - sum(counts[c] for c in children)
        if rest > 0:
            remainder = ("rest", parent)
            counts[remainder] = rest
            hidden.add(remainder)
            children.append(remainder)
        families.append((parent, children))
    verdict = complementary(counts, families, hidden, threshold, forced=forced)
    return {index_of[k]: v for k, v in verdict.items() if k in index_of}


def _families(counts: dict[Key, int]) -> list[tuple[Key, list[Key]]]:
    """Every published equation among a period's cells: category totals → categories, and for
    each category (and the totals) parent area → child areas and area total → breakdown values."""
    families: list[tuple[Key, list[Key]]] = []
    groups: dict[object, list[tuple[object, ...]]] = defaultdict(list)
    cats: dict[Key, list[Key]] = defaultdict(list)
    for key in counts:
        assert isinstance(key, tuple)  # noqa: S101 - keys are built above
        groups[(key[0], key[6])].append(key)
        if key[0] == "cell" and key[6] != "":
            total = ("total", *key[1:6], "")
            if total in counts:
                cats[total].append(key)
    families += list(cats.items())
    for keys in groups.values():
        families += _area_and_breakdown_families(keys)
    return families


def _area_and_breakdown_families(keys: list[tuple[object, ...]]) -> list[tuple[Key, list[Key]]]:
    by_area = {(k[1], k[2], k[4], k[5]): k for k in keys}  # parents: codes unique per level
    by_cell = {(k[1], k[2], k[3], k[4], k[5]): k for k in keys}
    children: dict[Key, list[Key]] = defaultdict(list)
    breakdowns: dict[tuple[Key, object], list[Key]] = defaultdict(list)
    for key in keys:
        _kind, level, _area, parent, breakdown, value, _cat = key
        up = PARENT_LEVEL.get(str(level))
        if up is not None and parent is not None:
            grand = by_area.get((up, parent, breakdown, value))
            if grand is not None:
                children[grand].append(key)
        if breakdown != ALL:
            total = by_cell.get((level, key[2], parent, ALL, ALL))
            if total is not None:
                breakdowns[(total, breakdown)].append(key)
    return list(children.items()) + [(t, cs) for (t, _b), cs in breakdowns.items()]

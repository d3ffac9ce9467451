"""Disclosure control of the public view."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icsys.analytics import cells
from icsys.analytics.definitions.loader import load_library
from icsys.analytics.frames import as_categoricals
from icsys.analytics.long import TEXT_COLUMNS
from icsys.analytics.public import DisclosurePolicy, complementary, public_view
from icsys.privacy.complementary import Cell, protect_hierarchy


def _tree(rng: random.Random, key: str, depth: int) -> Cell:
    if depth == 0 or rng.random() < 0.3:
        return Cell(key, rng.choice([0, 1, 3, 7, 8, 12, 40, 200]))
    children = tuple(_tree(rng, f"{key}.{i}", depth - 1) for i in range(rng.randint(2, 4)))
    return Cell(key, sum(c.count for c in children), children)


def _flatten(cell: Cell, counts: dict, families: list) -> None:
    counts[cell.key] = cell.count
    if cell.children:
        families.append((cell.key, [c.key for c in cell.children]))
    for c in cell.children:
        _flatten(c, counts, families)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000))
def test_the_equation_solver_agrees_with_the_privacy_module_on_trees(seed):
    root = _tree(random.Random(seed), "r", 3)
    counts: dict = {}
    families: list = []
    _flatten(root, counts, families)
    ours = complementary(counts, families, set(), 7)
    theirs = {c.key: c.reason for c in protect_hierarchy(root).walk() if c.reason is not None}
    # the same cells are safe in both: every equation has 0 or >= 2 hidden cells and a
    # published parent hides more than the threshold
    for parent, children in families:
        for hidden in (set(ours), set(theirs)):
            n = sum(1 for c in children if c in hidden) + (parent in hidden)
            assert n != 1
            if parent not in hidden and n:
                assert sum(counts[c] for c in children if c in hidden) > 7
    assert {k for k, v in ours.items() if v == "primary"} == {
        k for k, v in theirs.items() if v == "primary"
    }


def test_a_small_cell_cannot_be_recovered_from_its_parent_and_siblings():
    counts = {"sys": 100, "a": 3, "b": 50, "c": 47}
    verdict = complementary(counts, [("sys", ["a", "b", "c"])], set(), 7)
    assert verdict["a"] == "primary"
    assert len(verdict) == 2  # one more sibling is hidden


def test_an_unpublished_remainder_protects_on_its_own_when_large():
    counts = {"sys": 100, "a": 3, "b": 50, "rest": 47}
    verdict = complementary(counts, [("sys", ["a", "b", "rest"])], {"rest"}, 7)
    assert verdict == {"a": "primary"}


def _count_rows(indicator: str, counts: dict[str, int]) -> pd.DataFrame:
    """Analyst rows of a count indicator: systems of one region, one month, no breakdown."""
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "level": "system",
                "area_code": area,
                "parent_code": "R1",
                "period_type": "month",
                "period": "2025-03",
                "period_start": date(2025, 3, 1),
                "period_end": date(2025, 3, 31),
                "breakdown": "all",
                "breakdown_value": "",
                "category": "",
                "value": float(n),
                "numerator": float(n),
                "denominator": np.nan,
                "lower": np.nan,
                "upper": np.nan,
                "method": "count",
                "spc_point_type": "",
            }
            for area, n in counts.items()
        ]
    )


def test_a_count_indicators_published_value_is_its_rounded_count():
    frame = _count_rows("rtt_52_week_waits", {"S1": 123, "S2": 51, "S3": 4, "S4": 30})
    public = public_view(frame, DisclosurePolicy(), load_library()).set_index("area_code")
    assert public.loc["S1", ["value", "numerator"]].tolist() == [125.0, 125.0]
    assert public.loc["S2", ["value", "numerator"]].tolist() == [50.0, 50.0]
    assert public.loc["S3", "disclosure"] == "primary"
    assert public.loc["S3", ["value", "numerator"]].isna().all()


def _systems_and_region(region: str, counts: dict[str, int], categorical: bool) -> pd.DataFrame:
    """Systems S1.. of region R1 and one region row, ``region`` (R1: their parent); text
    columns as categoricals, as the engine gives them, or as plain text."""
    frame = _count_rows("rtt_52_week_waits", counts)
    top = frame.iloc[:1].assign(
        level="region", area_code=region, parent_code="E92000001", numerator=sum(counts.values())
    )
    frame = pd.concat([frame, top], ignore_index=True)
    return as_categoricals(frame, TEXT_COLUMNS) if categorical else frame


def _verdicts(frame: pd.DataFrame) -> dict[str, str]:
    public = public_view(frame, DisclosurePolicy(), load_library())
    return dict(zip(public["area_code"], public["disclosure"], strict=True))


@pytest.mark.parametrize("categorical", [True, False])
def test_indicators_with_the_same_cells_share_their_equations_and_no_others(
    categorical: bool,
) -> None:
    small_s1 = {"S1": 3, "S2": 50, "S3": 47}
    small_s2 = {"S1": 60, "S2": 5, "S3": 35}
    fresh = {}
    for region in ("R1", "R2"):
        for i, counts in enumerate((small_s1, small_s2)):
            cells._SYSTEMS.clear()  # each worked out on its own
            fresh[region, i] = _verdicts(_systems_and_region(region, counts, categorical))
    # under its published parent, a suppressed system needs a suppressed sibling
    assert fresh["R1", 0] == {"S1": "primary", "S2": "rounded", "S3": "secondary", "R1": "rounded"}
    # a region R2 that is not their parent: no equation, the lone suppression stands
    assert fresh["R2", 0] == {"S1": "primary", "S2": "rounded", "S3": "rounded", "R2": "rounded"}
    cells._SYSTEMS.clear()  # now one after another, reusing what they can
    for region, i in [("R1", 0), ("R1", 1), ("R2", 0), ("R2", 1), ("R1", 1)]:
        counts = (small_s1, small_s2)[i]
        assert _verdicts(_systems_and_region(region, counts, categorical)) == fresh[region, i]


def test_an_indicator_among_others_shares_the_equations_of_one_with_the_same_cells() -> None:
    # The engine's rows name every indicator of their batch as categories, so each
    # indicator's rows carry a different code for their id: the equations do not depend on it.
    frame = _systems_and_region("R1", {"S1": 3, "S2": 50, "S3": 47}, categorical=True)
    verdicts = []
    cells._SYSTEMS.clear()
    for others in (["a_first"], ["z_last"], ["a_first", "b_second"]):
        ids = sorted([*others, "rtt_52_week_waits"])
        rows = frame.assign(indicator_id=frame["indicator_id"].cat.set_categories(ids))
        verdicts.append(_verdicts(rows))
        assert len(cells._SYSTEMS) == 1
    assert verdicts[0] == verdicts[1] == verdicts[2]
    assert verdicts[0]["S3"] == "secondary"
